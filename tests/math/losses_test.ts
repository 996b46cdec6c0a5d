// Tests of the losses: values, gradients against central finite differences, finiteness at the edges, fused forms.

import assert from "node:assert/strict";
import { type Activation, sigmoid, softmax } from "../../src/math/activations.ts";
import {
  binaryCrossEntropy,
  crossEntropy,
  getLoss,
  type Loss,
  LOSS_NAMES,
  losses,
  mse,
  PROBABILITY_EPSILON,
} from "../../src/math/losses.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { maxGradientError, relativeError } from "./_finite_differences.ts";

const TOLERANCE = 1e-6;

function lossGradient(loss: Loss, predicted: Matrix, target: Matrix): Matrix {
  const dA = new Matrix(predicted.rows, predicted.cols);
  loss.gradient(dA, predicted, target);
  return dA;
}

function apply(activation: Activation, z: Matrix): Matrix {
  const a = new Matrix(z.rows, z.cols);
  activation.forward(a, z);
  return a;
}

/** Probabilities in [0.05, 0.95], away from the clamp, and targets suited to each loss. */
function randomCase(rng: Rng, loss: Loss, rows: number, cols: number): { predicted: Matrix; target: Matrix } {
  const predicted = new Matrix(rows, cols), target = new Matrix(rows, cols);
  for (let i = 0; i < predicted.data.length; i++) predicted.data[i] = rng.uniform(0.05, 0.95);
  if (loss.name === "cross_entropy") {
    for (let r = 0; r < rows; r++) target.set(r, rng.int(cols), 1);
  } else if (loss.name === "binary_cross_entropy") {
    // soft targets in [0, 1], plus some exact 0s and 1s
    for (let i = 0; i < target.data.length; i++) {
      const u = rng.next();
      target.data[i] = u < 0.25 ? 0 : u > 0.75 ? 1 : rng.next();
    }
  } else {
    for (let i = 0; i < target.data.length; i++) target.data[i] = rng.uniform(-1, 2);
  }
  return { predicted, target };
}

Deno.test("losses gradient() matches central finite differences of value() (relative error < 1e-6)", async (t) => {
  for (const name of LOSS_NAMES) {
    await t.step(name, () => {
      const loss = losses[name], rng = new Rng(3);
      for (let trial = 0; trial < 20; trial++) {
        const { predicted, target } = randomCase(rng, loss, 1 + rng.int(5), 2 + rng.int(4));
        const gradient = lossGradient(loss, predicted, target);
        const error = maxGradientError((p) => loss.value(p, target), gradient, predicted);
        assert.ok(error < TOLERANCE, `${name}: relative error ${error} on trial ${trial}`);
      }
    });
  }
});

Deno.test("losses value() gives known answers and is the mean over the batch", async (t) => {
  await t.step("mse", () => {
    // ((1 − 0)² + (0 − 2)² + (3 − 3)² + (−1 − 1)²) / 4 = 9/4
    assert.strictEqual(mse.value(Matrix.from([[1, 0], [3, -1]]), Matrix.from([[0, 2], [3, 1]])), 2.25);
  });
  await t.step("binary_cross_entropy", () => {
    const value = binaryCrossEntropy.value(Matrix.from([[0.8], [0.4]]), Matrix.from([[1], [0]]));
    assert.ok(Math.abs(value - -(Math.log(0.8) + Math.log(0.6)) / 2) < 1e-15);
  });
  await t.step("cross_entropy", () => {
    const value = crossEntropy.value(
      Matrix.from([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]),
      Matrix.from([[1, 0, 0], [0, 0, 1]]),
    );
    assert.ok(Math.abs(value - -(Math.log(0.7) + Math.log(0.5)) / 2) < 1e-15);
  });
  await t.step("a perfect prediction costs zero under mse", () => {
    assert.strictEqual(mse.value(Matrix.from([[0.3, 4]]), Matrix.from([[0.3, 4]])), 0);
  });
});

Deno.test("crossEntropy stays finite as the probability of the true class goes to 0", () => {
  for (const p of [1e-3, 1e-10, 1e-15, 1e-300, 0]) {
    const predicted = Matrix.from([[p, 1 - p]]), target = Matrix.from([[1, 0]]);
    const value = crossEntropy.value(predicted, target);
    assert.ok(Number.isFinite(value), `value at p = ${p}: ${value}`);
    assert.ok(value <= -Math.log(PROBABILITY_EPSILON) + 1e-9);
    const gradient = lossGradient(crossEntropy, predicted, target);
    assert.ok(gradient.data.every(Number.isFinite), `gradient at p = ${p}: ${gradient.data}`);
  }
});

Deno.test("binaryCrossEntropy stays finite at p = 0 and p = 1", () => {
  for (const p of [0, 1]) {
    for (const y of [0, 1, 0.5]) {
      const predicted = Matrix.from([[p]]), target = Matrix.from([[y]]);
      const value = binaryCrossEntropy.value(predicted, target);
      assert.ok(Number.isFinite(value), `value at p = ${p}, y = ${y}: ${value}`);
      const gradient = lossGradient(binaryCrossEntropy, predicted, target);
      assert.ok(Number.isFinite(gradient.data[0]), `gradient at p = ${p}, y = ${y}: ${gradient.data[0]}`);
    }
  }
  // Right answers at the edges cost (almost) nothing, wrong ones cost about −log(1e-15) ≈ 34.5.
  assert.ok(binaryCrossEntropy.value(Matrix.from([[1]]), Matrix.from([[1]])) < 1e-14);
  assert.ok(binaryCrossEntropy.value(Matrix.from([[0]]), Matrix.from([[1]])) > 34);
});

Deno.test("fused gradients equal the unfused chain through the activation", async (t) => {
  const rng = new Rng(9);
  const pairs: [Loss, Activation][] = [[crossEntropy, softmax], [binaryCrossEntropy, sigmoid]];
  for (const [loss, activation] of pairs) {
    await t.step(`${loss.name} after ${activation.name}`, () => {
      assert.strictEqual(loss.fusedActivation, activation.name);
      for (let trial = 0; trial < 20; trial++) {
        const rows = 1 + rng.int(5), cols = 2 + rng.int(4);
        const z = new Matrix(rows, cols);
        for (let i = 0; i < z.data.length; i++) z.data[i] = rng.uniform(-3, 3);
        const a = apply(activation, z);
        const { target } = randomCase(rng, loss, rows, cols);
        const fused = new Matrix(rows, cols);
        loss.fusedGradient!(fused, a, target);
        // unfused: dA = ∂L/∂a, then dZ = backward(dA)
        const dA = lossGradient(loss, a, target), chained = new Matrix(rows, cols);
        activation.backward(chained, dA, z, a);
        for (let i = 0; i < fused.data.length; i++) {
          const error = relativeError(fused.data[i], chained.data[i]);
          assert.ok(error < 1e-10, `entry ${i}: fused ${fused.data[i]}, chained ${chained.data[i]}`);
        }
        // and both are the derivative of L(f(z)) with respect to z
        const error = maxGradientError((zz) => loss.value(apply(activation, zz), target), fused, z);
        assert.ok(error < TOLERANCE, `relative error ${error} against finite differences`);
      }
    });
  }
});

Deno.test("mse has no fused form", () => {
  assert.strictEqual(mse.fusedActivation, undefined);
  assert.strictEqual(mse.fusedGradient, undefined);
});

Deno.test("losses registry lists every loss under its own name", () => {
  assert.deepStrictEqual(LOSS_NAMES, ["mse", "binary_cross_entropy", "cross_entropy"]);
  for (const name of LOSS_NAMES) assert.strictEqual(getLoss(name), losses[name]);
  for (const name of LOSS_NAMES) assert.strictEqual(losses[name].name, name);
});

Deno.test("getLoss() rejects an unknown name with a RangeError listing the known names", () => {
  assert.throws(() => getLoss("hinge"), {
    name: "RangeError",
    message: 'Unknown loss "hinge": expected one of mse, binary_cross_entropy, cross_entropy',
  });
});
