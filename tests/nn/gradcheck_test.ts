// Gradient checks: backpropagation (Dense.backward, Network.gradients) against central finite differences.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { type ActivationName, activations } from "../../src/math/activations.ts";
import { jsBackend } from "../../src/math/backend.ts";
import { getLoss, type LossName } from "../../src/math/losses.ts";
import { type AnyMatrix, type FloatArray, Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { Dense } from "../../src/nn/dense.ts";
import { Network } from "../../src/nn/network.ts";

/**
 * Step h of the numeric derivative, the fourth-order central difference
 * f'(x) ≈ (8·(f(x + h) − f(x − h)) − (f(x + 2h) − f(x − 2h))) / 12h, whose truncation error is O(h⁴).
 *
 * Why not the plain (f(x + ε) − f(x − ε)) / 2ε with ε = 1e-6: its rounding error is about ulp(L)/ε ≈ 1e-10, which
 * is more than 1e-6 relative for every gradient entry below 1e-4, and deeper sigmoid networks have many of those.
 * With h = 1e-3 the rounding error is about 1e-13 and the truncation error of the same order, so the comparison
 * is tighter than with ε = 1e-6, not looser. (Measured over 3,000 random cases of this file's kind: the largest
 * error was 3.3e-7 by the definition below.)
 */
const STEP = 1e-3;
/** Largest accepted relative error. */
const TOLERANCE = 1e-6;
/**
 * The floor of the denominator of the relative error. Entries with |analytic| + |numeric| below 1e-6 are thus held
 * to an absolute error below 1e-12 (TOLERANCE · FLOOR), which is about where float64 evaluation of the loss stops
 * resolving a derivative (ulp(L)/h); any real mistake in backpropagation is many orders of magnitude larger.
 */
const FLOOR = 1e-6;

/** |a − n| / max(FLOOR, |a| + |n|): relative, and still meaningful when both are near zero. */
function relativeError(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(FLOOR, Math.abs(analytic) + Math.abs(numeric));
}

/** The fourth-order central difference of `objective` with respect to `values[i]`; restores the value. */
function centralDifference(values: FloatArray, i: number, objective: () => number): number {
  const saved = values[i];
  const at = (offset: number) => {
    values[i] = saved + offset;
    const result = objective();
    values[i] = saved;
    return result;
  };
  // Differences first: where the loss does not depend on the value at all, they are exactly 0.
  return (8 * (at(STEP) - at(-STEP)) - (at(2 * STEP) - at(-2 * STEP))) / (12 * STEP);
}

interface CheckResult {
  /** The largest relative error over every weight and bias. */
  worst: number;
  /** Where it occurred, for the failure message. */
  where: string;
  /**
   * Whether some evaluation of the numeric derivative put a z of a relu or leaky relu layer on the other side of
   * its kink at 0 than the point itself. The loss is not differentiable across a kink, so such a case is skipped
   * rather than compared with a loosened tolerance.
   */
  crossedKink: boolean;
}

/** The signs of every z in the layers whose activation has a kink at 0, as a string ("+-+…"). */
function kinkSides(net: Network, z: readonly Matrix[]): string {
  let sides = "";
  net.layers.forEach((layer, l) => {
    if (layer.activation.name === "relu" || layer.activation.name === "leaky_relu") {
      for (const value of z[l].data) sides += value > 0 ? "+" : "-";
    }
  });
  return sides;
}

/** Compares `net.gradients(x, y, loss)` with numeric derivatives of the loss over every weight and bias. */
function checkNetwork(net: Network, x: Matrix, y: Matrix, loss: LossName): CheckResult {
  const analytic = net.gradients(x, y, loss);
  const lossFunction = getLoss(loss);
  const sides = kinkSides(net, net.forward(x).z);
  let crossedKink = false;
  const objective = () => {
    const { z, output } = net.forward(x);
    if (kinkSides(net, z) !== sides) crossedKink = true;
    return lossFunction.value(output, y);
  };
  let worst = 0, where = "";
  net.layers.forEach((layer, l) => {
    const parameters: [string, FloatArray, FloatArray][] = [
      ["weights", layer.weights.data, analytic.weights[l].data],
      ["biases", layer.biases, analytic.biases[l]],
    ];
    for (const [name, values, gradient] of parameters) {
      for (let i = 0; i < values.length; i++) {
        const error = relativeError(gradient[i], centralDifference(values, i, objective));
        if (error > worst) {
          worst = error;
          where = `layers[${l}].${name}[${i}]: analytic ${gradient[i]}`;
        }
      }
    }
  });
  return { worst, where, crossedKink };
}

function randomMatrix(rng: Rng, rows: number, cols: number, low = -1, high = 1): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(low, high);
  return m;
}

/** Targets valid for the loss: one-hot for cross_entropy, in [0, 1] for BCE, anything for mse. */
function randomTargets(rng: Rng, loss: LossName, rows: number, cols: number): Matrix {
  if (loss === "cross_entropy") {
    const y = new Matrix(rows, cols);
    for (let r = 0; r < rows; r++) y.set(r, rng.int(cols), 1);
    return y;
  }
  return loss === "binary_cross_entropy"
    ? randomMatrix(rng, rows, cols, 0, 1)
    : randomMatrix(rng, rows, cols);
}

const HIDDEN_ACTIVATIONS: ActivationName[] = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"];
const OUTPUT_LOSS_PAIRS: [ActivationName, LossName][] = [
  ["sigmoid", "mse"],
  ["sigmoid", "binary_cross_entropy"],
  ["linear", "mse"],
  ["tanh", "mse"],
  ["softmax", "cross_entropy"],
  ["softmax", "mse"],
  ["relu", "mse"],
];

/** A random small network and batch: layer sizes 1–6, 1–3 hidden layers, batch 1–5 (softmax gets ≥ 2 outputs). */
function networkCase(outputActivation: ActivationName) {
  return fc.record({
    input: fc.integer({ min: 1, max: 6 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    output: fc.integer({ min: outputActivation === "softmax" ? 2 : 1, max: 6 }),
    batch: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

Deno.test("Network gradients() match central finite differences for every activation × loss pair", async (t) => {
  for (const hidden of HIDDEN_ACTIVATIONS) {
    for (const [output, loss] of OUTPUT_LOSS_PAIRS) {
      await t.step(`hidden ${hidden}, output ${output} + ${loss}`, () => {
        fc.assert(
          fc.property(networkCase(output), (c) => {
            const net = new Network({
              input: c.input,
              hidden: c.hidden,
              output: c.output,
              activation: hidden,
              outputActivation: output,
              seed: c.seed,
            });
            const rng = new Rng(c.seed);
            // Biases start at zero; give them values so that their gradients are exercised away from 0 too.
            for (const layer of net.layers) {
              for (let i = 0; i < layer.biases.length; i++) layer.biases[i] = rng.uniform(-0.5, 0.5);
            }
            const x = randomMatrix(rng, c.batch, c.input);
            const y = randomTargets(rng, loss, c.batch, c.output);
            const { worst, where, crossedKink } = checkNetwork(net, x, y, loss);
            fc.pre(!crossedKink);
            assert.ok(worst < TOLERANCE, `relative error ${worst} at ${where}`);
          }),
          { numRuns: 30 },
        );
      });
    }
  }
});

Deno.test("Network gradients() of the tutorial's 2-3-1 sigmoid network with mse match finite differences", () => {
  const net = new Network({ input: 2, hidden: [3], output: 1, activation: "sigmoid", seed: 1 });
  const x = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = Matrix.from([[0], [1], [1], [0]]);
  const { worst, where, crossedKink } = checkNetwork(net, x, y, "mse");
  assert.ok(!crossedKink);
  assert.ok(worst < TOLERANCE, `relative error ${worst} at ${where}`);
  // and the gradients are copies: the parameters and a second call are unaffected
  const first = net.gradients(x, y, "mse");
  first.weights[0].data.fill(0);
  assert.notDeepStrictEqual(net.gradients(x, y, "mse").weights[0], first.weights[0]);
});

Deno.test("Network gradients() leave the weights unchanged", () => {
  const net = new Network({ input: 3, hidden: [4], output: 2, outputActivation: "softmax", seed: 2 });
  const before = net.layers.map((layer) => [layer.weights.clone(), layer.biases.slice()]);
  net.gradients([[1, 2, 3]], [[0, 1]], "cross_entropy");
  assert.deepStrictEqual(net.layers.map((layer) => [layer.weights, layer.biases]), before);
});

Deno.test("Dense backward() gives dW, dB and dA_prev that match finite differences", async (t) => {
  for (const name of HIDDEN_ACTIVATIONS) {
    await t.step(name, () => {
      const rng = new Rng(21);
      let skipped = 0;
      for (let trial = 0; trial < 10; trial++) {
        const inputs = 1 + rng.int(5), units = 1 + rng.int(5), rows = 1 + rng.int(4);
        const layer = new Dense({ inputs, units, activation: activations[name], backend: jsBackend });
        layer.weights.data.set(randomMatrix(rng, units, inputs).data);
        layer.biases.set(randomMatrix(rng, 1, units).data);
        const aPrev = randomMatrix(rng, rows, inputs);
        // L = Σ G ⊙ a for a fixed random G, so ∂L/∂a = G
        const G = randomMatrix(rng, rows, units);
        const hasKink = name === "relu" || name === "leaky_relu";
        const sides = (z: AnyMatrix) => Array.from(z.data, (value) => value > 0 ? "+" : "-").join("");
        let crossedKink = false, baseSides = "";
        const objective = () => {
          const a = layer.forward(aPrev);
          if (hasKink && sides(layer.buffers(rows).z) !== baseSides) crossedKink = true;
          let sum = 0;
          for (let i = 0; i < a.data.length; i++) sum += G.data[i] * a.data[i];
          return sum;
        };
        layer.forward(aPrev);
        baseSides = sides(layer.buffers(rows).z);
        layer.buffers(rows).dA.data.set(G.data);
        layer.activationBackward(rows);
        const dAPrev = new Matrix(rows, inputs);
        layer.backward(aPrev, dAPrev);
        const dW = layer.dW.data.slice(), dB = layer.dB.slice();
        const checks: [string, FloatArray, FloatArray][] = [
          ["dW", layer.weights.data, dW],
          ["dB", layer.biases, dB],
          ["dA_prev", aPrev.data, dAPrev.data],
        ];
        for (const [what, values, gradient] of checks) {
          for (let i = 0; i < values.length; i++) {
            const numeric = centralDifference(values, i, objective);
            if (crossedKink) break;
            const error = relativeError(gradient[i], numeric);
            assert.ok(error < TOLERANCE, `${name} ${what}[${i}]: relative error ${error} on trial ${trial}`);
          }
        }
        if (crossedKink) skipped++;
      }
      assert.ok(skipped < 3, `${skipped} of 10 trials crossed a kink`);
    });
  }
});

Deno.test("Dense backward() without dA_prev fills only dW and dB", () => {
  const layer = new Dense({ inputs: 2, units: 3, activation: activations.tanh, backend: jsBackend });
  layer.weights.data.set([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
  const aPrev = Matrix.from([[1, 2]]);
  layer.forward(aPrev);
  layer.buffers(1).dA.data.set([1, 1, 1]);
  layer.activationBackward(1);
  layer.backward(aPrev, undefined);
  assert.ok(layer.dW.data.every((v) => v !== 0));
  assert.deepStrictEqual(Array.from(layer.dB), Array.from(layer.buffers(1).dZ.data));
  assert.strictEqual(layer.parameterCount, 9);
});
