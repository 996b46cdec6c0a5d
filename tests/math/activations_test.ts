// Tests of the activations: forward values, backward against central finite differences, softmax properties.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import {
  type Activation,
  ACTIVATION_NAMES,
  activations,
  getActivation,
  LEAKY_RELU_SLOPE,
  leakyRelu,
  linear,
  relu,
  sigmoid,
  sigmoidScalar,
  softmax,
  tanh,
} from "../../src/math/activations.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { EPSILON, maxGradientError } from "./_finite_differences.ts";

const TOLERANCE = 1e-6;

function apply(activation: Activation, z: Matrix): Matrix {
  const a = new Matrix(z.rows, z.cols);
  activation.forward(a, z);
  return a;
}

/**
 * Checks `backward` against central differences of the scalar L(z) = Σ dA ⊙ f(z), whose gradient is exactly
 * ∂L/∂z = backward(dA); this covers softmax's full row Jacobian as well as the elementwise functions.
 * Returns the largest relative error.
 */
function maxBackwardError(activation: Activation, z: Matrix, dA: Matrix): number {
  const a = apply(activation, z);
  const dZ = new Matrix(z.rows, z.cols);
  activation.backward(dZ, dA, z, a);
  const objective = (zz: Matrix) => {
    const out = apply(activation, zz);
    let sum = 0;
    for (let i = 0; i < out.data.length; i++) sum += dA.data[i] * out.data[i];
    return sum;
  };
  return maxGradientError(objective, dZ, z);
}

/** Random z (batch, units), keeping every value at least `gap` away from 0 (the kinks of relu and leaky relu). */
function randomZ(rng: Rng, rows: number, cols: number, gap: number): Matrix {
  const z = new Matrix(rows, cols);
  for (let i = 0; i < z.data.length; i++) {
    const magnitude = gap + rng.uniform(0, 3);
    z.data[i] = rng.next() < 0.5 ? -magnitude : magnitude;
  }
  return z;
}

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

Deno.test("activations backward() matches central finite differences (relative error < 1e-6)", async (t) => {
  for (const name of ACTIVATION_NAMES) {
    await t.step(name, () => {
      const rng = new Rng(11);
      for (let trial = 0; trial < 20; trial++) {
        const rows = 1 + rng.int(4), cols = 2 + rng.int(4);
        // Relu and leaky relu have a kink at 0: keep z at least 100·ε away so that z ± ε stays on one side.
        const z = randomZ(rng, rows, cols, 100 * EPSILON);
        const dA = randomMatrix(rng, rows, cols);
        const error = maxBackwardError(activations[name], z, dA);
        assert.ok(error < TOLERANCE, `${name}: relative error ${error} on trial ${trial}`);
      }
    });
  }
});

Deno.test("activations backward() may write dZ over dA", async (t) => {
  for (const name of ACTIVATION_NAMES) {
    await t.step(name, () => {
      const rng = new Rng(5);
      const z = randomZ(rng, 3, 4, 0.01), dA = randomMatrix(rng, 3, 4);
      const a = apply(activations[name], z);
      const separate = new Matrix(3, 4);
      activations[name].backward(separate, dA, z, a);
      const inPlace = dA.clone();
      activations[name].backward(inPlace, inPlace, z, a);
      assert.deepStrictEqual(inPlace, separate);
    });
  }
});

Deno.test("sigmoid forward() gives known values and stays finite for large |z|", () => {
  const a = apply(sigmoid, Matrix.from([[0, 2, -2, 1000, -1000, 40]]));
  assert.strictEqual(a.get(0, 0), 0.5);
  assert.ok(Math.abs(a.get(0, 1) - 1 / (1 + Math.exp(-2))) < 1e-16);
  assert.ok(Math.abs(a.get(0, 1) + a.get(0, 2) - 1) < 1e-15);
  assert.strictEqual(a.get(0, 3), 1);
  assert.strictEqual(a.get(0, 4), 0);
  assert.ok(a.data.every(Number.isFinite));
  assert.strictEqual(sigmoidScalar(-800), 0);
  assert.ok(sigmoidScalar(-40) > 0);
});

Deno.test("tanh, relu, leaky_relu and linear forward() give known values", async (t) => {
  const z = Matrix.from([[-2, -0.5, 0, 0.5, 3]]);
  await t.step("tanh", () => {
    assert.deepStrictEqual(apply(tanh, z).toArray(), [z.toArray()[0].map(Math.tanh)]);
  });
  await t.step("relu", () => {
    assert.deepStrictEqual(apply(relu, z).toArray(), [[0, 0, 0, 0.5, 3]]);
  });
  await t.step("leaky_relu", () => {
    assert.strictEqual(LEAKY_RELU_SLOPE, 0.01);
    assert.deepStrictEqual(apply(leakyRelu, z).toArray(), [[-0.02, -0.005, 0, 0.5, 3]]);
  });
  await t.step("linear", () => {
    assert.deepStrictEqual(apply(linear, z), z);
  });
});

Deno.test("relu and leaky_relu backward() use the slope of the left side at z = 0", () => {
  const z = Matrix.from([[0]]), dA = Matrix.from([[2]]), dZ = new Matrix(1, 1);
  relu.backward(dZ, dA, z, apply(relu, z));
  assert.strictEqual(dZ.get(0, 0), 0);
  leakyRelu.backward(dZ, dA, z, apply(leakyRelu, z));
  assert.strictEqual(dZ.get(0, 0), 0.02);
});

Deno.test("softmax forward() gives known values per row", () => {
  const a = apply(softmax, Matrix.from([[0, 0], [0, Math.log(3)], [1, 2]]));
  assert.deepStrictEqual(a.row(0).slice(), new Float64Array([0.5, 0.5]));
  assert.ok(Math.abs(a.get(1, 0) - 0.25) < 1e-15 && Math.abs(a.get(1, 1) - 0.75) < 1e-15);
  const e = Math.exp(-1);
  assert.ok(Math.abs(a.get(2, 0) - e / (1 + e)) < 1e-15);
});

Deno.test("softmax forward() rows sum to 1 and stay finite for logits up to ±1000 (property)", () => {
  const logits = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 })).chain((
    [rows, cols],
  ) =>
    fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), {
      minLength: rows * cols,
      maxLength: rows * cols,
    }).map((values) => new Matrix(rows, cols, Float64Array.from(values)))
  );
  fc.assert(
    fc.property(logits, (z) => {
      const a = apply(softmax, z);
      for (let r = 0; r < a.rows; r++) {
        const row = a.row(r);
        assert.ok(row.every((p) => Number.isFinite(p) && p >= 0 && p <= 1), `row ${r}: ${row}`);
        const sum = row.reduce((s, p) => s + p, 0);
        assert.ok(Math.abs(sum - 1) < 1e-12, `row ${r} sums to ${sum}`);
      }
    }),
  );
});

Deno.test("softmax forward() is unchanged by adding a constant to a row (property)", () => {
  const rowAndShift = fc.tuple(
    fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 6 }),
    fc.double({ min: -500, max: 500, noNaN: true }),
  );
  fc.assert(
    fc.property(rowAndShift, ([values, shift]) => {
      const a = apply(softmax, Matrix.from([values]));
      const b = apply(softmax, Matrix.from([values.map((v) => v + shift)]));
      for (let j = 0; j < values.length; j++) {
        assert.ok(Math.abs(a.data[j] - b.data[j]) < 1e-12, `${a.data[j]} vs ${b.data[j]}`);
      }
    }),
  );
});

Deno.test("activations registry lists every activation under its own name", () => {
  assert.deepStrictEqual(ACTIVATION_NAMES, ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]);
  for (const name of ACTIVATION_NAMES) {
    assert.strictEqual(activations[name].name, name);
    assert.strictEqual(getActivation(name), activations[name]);
  }
});

Deno.test("getActivation() rejects an unknown name with a RangeError listing the known names", () => {
  assert.throws(() => getActivation("swish"), {
    name: "RangeError",
    message: 'Unknown activation "swish": expected one of sigmoid, tanh, relu, leaky_relu, linear, softmax',
  });
  assert.throws(() => getActivation("toString"), { name: "RangeError" });
});
