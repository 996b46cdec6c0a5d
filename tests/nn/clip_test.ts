// Tests of gradient clipping by global norm: the formula on random gradients and one clipped training step.

import assert from "node:assert/strict";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { FitSession, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { clipGradientNorm, type Parameter } from "../../src/nn/optimizers.ts";

function randomParameters(seed: number, scale: number): Parameter[] {
  const rng = new Rng(seed);
  return [7, 3, 12].map((n) => ({
    value: new Float64Array(n),
    gradient: Float64Array.from({ length: n }, () => rng.normal() * scale),
    decay: true,
  }));
}

Deno.test("clipGradientNorm() scales every gradient by c/‖g‖ when the global norm ‖g‖ exceeds c", async (t) => {
  for (const [clip, scale] of [[1, 3], [0.01, 1], [100, 1]]) {
    await t.step(`clip ${clip}, gradients of scale ${scale}`, () => {
      const parameters = randomParameters(clip * 1000 + scale, scale);
      const before = parameters.map((p) => Array.from(p.gradient));
      // ‖g‖ over all the parameters together, written out
      const norm = Math.sqrt(before.flat().reduce((sum, g) => sum + g * g, 0));
      const returned = clipGradientNorm(parameters, clip);
      assert.ok(Math.abs(returned - norm) <= 1e-12 * norm);
      const factor = norm > clip ? clip / norm : 1;
      parameters.forEach((p, k) => {
        p.gradient.forEach((g, i) =>
          assert.ok(Math.abs(g - before[k][i] * factor) <= 1e-15 * Math.abs(before[k][i]))
        );
      });
      const after = Math.sqrt(
        parameters.flatMap((p) => Array.from(p.gradient)).reduce((s, g) => s + g * g, 0),
      );
      assert.ok(Math.abs(after - Math.min(norm, clip)) < 1e-12 * norm, `norm after ${after}`);
    });
  }
});

Deno.test("FitSession with clipNorm: one SGD step moves the weights by −η · g · c/‖g‖ and counts the clipped batch", () => {
  const rng = new Rng(4);
  const x = new Matrix(8, 5), y = new Matrix(8, 2);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal() * 3;
  for (let r = 0; r < 8; r++) y.set(r, r % 2, 1);
  const net = new Network({
    input: 5,
    hidden: [6],
    output: 2,
    outputActivation: "softmax",
    seed: 3,
    backend: "js",
  });
  const g = net.gradients(x, y, "cross_entropy");
  const flat = [...g.weights.flatMap((w, l) => [Array.from(w.data), Array.from(g.biases[l])])];
  const norm = Math.sqrt(flat.flat().reduce((s, v) => s + v * v, 0));
  const clip = norm / 4, rate = 0.1;
  const before = net.parameters.map((p) => Array.from(p.value));
  const session = new FitSession(net, matrixSource(x, y), {
    batchSize: 8,
    learningRate: rate,
    optimizer: "sgd",
    shuffle: false,
    clipNorm: clip,
  });
  const record = session.runEpochSync();
  assert.equal(record.clippedBatches, 1);
  net.parameters.forEach((p, k) => {
    p.value.forEach((w, i) => {
      const expected = before[k][i] - rate * flat[k][i] * (clip / norm);
      assert.ok(Math.abs(w - expected) < 1e-14, `parameter ${k}[${i}]: ${w} vs ${expected}`);
    });
  });
  assert.throws(() => new FitSession(net, matrixSource(x, y), { clipNorm: 0 }), {
    name: "RangeError",
    message: "Invalid clip norm: expected a positive number, got 0",
  });
});
