// Tests of the optimizers: steps compared with NumPy reference fixtures, defaults, state and option errors.

import assert from "node:assert/strict";
import {
  Adam,
  type AdamOptions,
  createOptimizer,
  type CreateOptimizerOptions,
  Momentum,
  type Optimizer,
  type OptimizerName,
  type OptimizerOptions,
  type Parameter,
  Sgd,
} from "../../src/nn/optimizers.ts";
import fixture from "../fixtures/reference/optimizers.json" with { type: "json" };

/** Relative tolerance against the NumPy reference (float64 on both sides, same formulas). */
const TOLERANCE = 1e-12;

interface Values {
  weights: number[];
  biases: number[];
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.strictEqual(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(
      error <= TOLERANCE * Math.abs(expected[i]),
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (relative error ${
        error / Math.abs(expected[i])
      })`,
    );
  }
}

/** The fixture's starting parameters: weights take L2 decay, biases do not. */
function startingParameters(): Parameter[] {
  const start = fixture.start as Values;
  return [
    {
      value: Float64Array.from(start.weights),
      gradient: new Float64Array(start.weights.length),
      decay: true,
    },
    { value: Float64Array.from(start.biases), gradient: new Float64Array(start.biases.length), decay: false },
  ];
}

/** Runs the fixture's gradients through `optimizer`, checking the parameters after every step. */
function checkAgainstFixture(optimizer: Optimizer, steps: readonly Values[], what: string): void {
  const parameters = startingParameters();
  (fixture.gradients as Values[]).forEach((gradient, t) => {
    parameters[0].gradient.set(gradient.weights);
    parameters[1].gradient.set(gradient.biases);
    optimizer.step(parameters);
    assertClose(parameters[0].value, steps[t].weights, `${what}, step ${t + 1}, weights`);
    assertClose(parameters[1].value, steps[t].biases, `${what}, step ${t + 1}, biases`);
  });
}

function describeCase(c: { optimizer: string; options: Record<string, unknown> }): string {
  const details = Object.entries(c.options).map(([key, value]) => `${key} ${value}`).join(", ");
  return `${c.optimizer} (${details})`;
}

function construct(name: string, options: CreateOptimizerOptions): Optimizer {
  if (name === "sgd") return new Sgd(options);
  if (name === "momentum") return new Momentum(options);
  if (name === "adam") return new Adam(options);
  throw new Error(`unknown optimizer in fixture: ${name}`);
}

Deno.test("optimizers match the NumPy reference steps (scripts/reference/optimizers.py)", async (t) => {
  assert.strictEqual(fixture.cases.length, 8);
  for (const c of fixture.cases) {
    await t.step(describeCase(c), () => {
      checkAgainstFixture(construct(c.optimizer, c.options), c.steps as Values[], describeCase(c));
    });
  }
});

Deno.test("createOptimizer() builds the same optimizers as the constructors", async (t) => {
  for (const c of fixture.cases) {
    await t.step(describeCase(c), () => {
      const optimizer = createOptimizer(c.optimizer as OptimizerName, c.options);
      assert.strictEqual(optimizer.name, c.optimizer);
      checkAgainstFixture(optimizer, c.steps as Values[], describeCase(c));
    });
  }
});

Deno.test("optimizers reset() forgets their state, so the same steps repeat exactly", async (t) => {
  for (const c of fixture.cases) {
    await t.step(describeCase(c), () => {
      const optimizer = construct(c.optimizer, c.options);
      checkAgainstFixture(optimizer, c.steps as Values[], describeCase(c));
      optimizer.reset();
      checkAgainstFixture(optimizer, c.steps as Values[], `${describeCase(c)} after reset`);
    });
  }
});

Deno.test("optimizers keep separate state per parameter array", () => {
  // Two steps on one array and one on another must not mix their moments.
  const adam = new Adam({ learningRate: 0.1 });
  const a: Parameter = { value: new Float64Array([1]), gradient: new Float64Array([1]), decay: false };
  const b: Parameter = { value: new Float64Array([1]), gradient: new Float64Array([1]), decay: false };
  const single = new Adam({ learningRate: 0.1 });
  const c: Parameter = { value: new Float64Array([1]), gradient: new Float64Array([1]), decay: false };
  adam.step([a, b]);
  single.step([c]);
  assert.deepStrictEqual(a.value, c.value);
  assert.deepStrictEqual(b.value, c.value);
});

Deno.test("optimizers have Keras's defaults", () => {
  assert.strictEqual(new Sgd().learningRate, 0.01);
  const momentum = new Momentum();
  assert.deepStrictEqual([momentum.learningRate, momentum.momentum, momentum.nesterov, momentum.l2], [
    0.01,
    0.9,
    false,
    0,
  ]);
  const adam = new Adam();
  assert.deepStrictEqual([adam.learningRate, adam.beta1, adam.beta2, adam.epsilon, adam.l2], [
    0.001,
    0.9,
    0.999,
    1e-8,
    0,
  ]);
});

Deno.test("Sgd step() moves against the gradient and leaves biases undecayed", () => {
  const w: Parameter = {
    value: new Float64Array([1, 2]),
    gradient: new Float64Array([0.5, -1]),
    decay: true,
  };
  const b: Parameter = { value: new Float64Array([3]), gradient: new Float64Array([0]), decay: false };
  new Sgd({ learningRate: 0.5, l2: 1 }).step([w, b]);
  // w − η(g + λw): 1 − 0.5·(0.5 + 1) = 0.25, 2 − 0.5·(−1 + 2) = 1.5
  assert.deepStrictEqual(Array.from(w.value), [0.25, 1.5]);
  assert.deepStrictEqual(Array.from(b.value), [3]);
});

Deno.test("optimizers reject a bad learning rate with an exact message", async (t) => {
  for (const rate of [0, -1, NaN, Infinity]) {
    await t.step(String(rate), () => {
      for (const Optimizer of [Sgd, Momentum, Adam]) {
        assert.throws(() => new Optimizer({ learningRate: rate }), {
          name: "RangeError",
          message: `Invalid learning rate: expected a positive number, got ${rate}`,
        });
      }
    });
  }
});

Deno.test("createOptimizer() rejects an unknown name with the list of known names", () => {
  assert.throws(() => createOptimizer("rmsprop" as OptimizerName), {
    name: "RangeError",
    message: 'Unknown optimizer "rmsprop": expected one of sgd, momentum, adam',
  });
});

Deno.test("optimizers reject options they would ignore and hyperparameters out of range", async (t) => {
  const cases: [string, () => unknown, string, string][] = [
    [
      "an unknown key",
      () => new Adam({ lr: 0.1 } as AdamOptions),
      "TypeError",
      'Invalid adam options: unknown option "lr" (expected one of learningRate, l2, beta1, beta2, epsilon)',
    ],
    [
      "momentum for sgd",
      () => new Sgd({ momentum: 0.9 } as OptimizerOptions),
      "TypeError",
      'Invalid sgd options: unknown option "momentum" (expected one of learningRate, l2)',
    ],
    [
      "a negative l2",
      () => new Sgd({ l2: -1 }),
      "RangeError",
      "Invalid l2: expected a non-negative number, got -1",
    ],
    [
      "momentum 1",
      () => new Momentum({ momentum: 1 }),
      "RangeError",
      "Invalid momentum: expected a number from 0 up to (not including) 1, got 1",
    ],
    [
      "nesterov as a string",
      () => new Momentum({ nesterov: "yes" as unknown as boolean }),
      "TypeError",
      "Invalid nesterov: expected true or false, got yes",
    ],
    [
      "beta2 above 1",
      () => new Adam({ beta2: 1.5 }),
      "RangeError",
      "Invalid beta2: expected a number from 0 up to (not including) 1, got 1.5",
    ],
    [
      "epsilon 0",
      () => new Adam({ epsilon: 0 }),
      "RangeError",
      "Invalid epsilon: expected a positive number, got 0",
    ],
  ];
  for (const [name, create, errorName, message] of cases) {
    await t.step(name, () => assert.throws(create, { name: errorName, message }));
  }
  await t.step("createOptimizer() gives each optimizer only its own options", () => {
    const sgd = createOptimizer("sgd", { learningRate: 0.1, momentum: 0.9, beta1: 0.5 });
    assert.ok(sgd instanceof Sgd && sgd.learningRate === 0.1);
  });
});
