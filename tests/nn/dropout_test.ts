// Tests of inverted dropout: the expected activation is kept, inference is unaffected, masks are reproducible,
// gradients through a fixed mask match finite differences, and model files carry the rates.

import assert from "node:assert/strict";
import { getLoss } from "../../src/math/losses.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { Dropout, DropoutRng, dropoutThreshold } from "../../src/nn/dropout.ts";
import { Network } from "../../src/nn/network.ts";
import { jsBackend } from "../../src/math/backend.ts";
import { networkFromJson, validateModelJson } from "../../src/nn/serialize.ts";
import { ModelFileError } from "../../src/errors.ts";
import { relativeError } from "../math/_finite_differences.ts";

function weightsOf(net: Network): number[][] {
  return net.parameters.map((p) => Array.from(p.value));
}

function problem(rows: number, input: number, classes: number, seed = 3): { x: Matrix; y: Matrix } {
  const rng = new Rng(seed);
  const x = new Matrix(rows, input), y = new Matrix(rows, classes);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  for (let r = 0; r < rows; r++) y.set(r, r % classes, 1);
  return { x, y };
}

Deno.test("dropoutThreshold() keeps a unit with probability T/2¹⁶ and scales by exactly 2¹⁶/T", () => {
  assert.deepEqual(dropoutThreshold(0.5), { threshold: 32768, scale: 2 });
  const { threshold, scale } = dropoutThreshold(0.2);
  assert.equal(threshold, 52429);
  assert.equal(scale, 65536 / 52429);
  assert.throws(() => dropoutThreshold(1), {
    name: "RangeError",
    message: "Invalid dropout rate: expected a number from 0 up to (not including) 1, got 1",
  });
});

Deno.test("Dropout keeps the expected activation: the mean over many masks is the activation", () => {
  const units = 40, rows = 4, draws = 4000, rate = 0.3;
  const dropout = new Dropout({ rate, units, backend: jsBackend });
  const a = new Matrix(rows, units);
  for (let i = 0; i < a.data.length; i++) a.data[i] = 0.5 + Math.sin(i);
  const sum = new Float64Array(a.data.length);
  let zeros = 0;
  const rng = new DropoutRng(11);
  for (let d = 0; d < draws; d++) {
    const out = dropout.forward(a, rng);
    for (let i = 0; i < sum.length; i++) {
      sum[i] += out.data[i];
      if (dropout.mask[i] === 0) zeros++;
    }
  }
  // each unit's mean: a · (kept share) · 1/q; its standard error is a · √(p/q/draws) ≈ 1.1% of a
  let worst = 0;
  for (let i = 0; i < sum.length; i++) {
    worst = Math.max(worst, Math.abs(sum[i] / draws - a.data[i]) / Math.abs(a.data[i]));
  }
  assert.ok(worst < 0.06, `largest relative deviation of a unit's mean ${worst}`);
  let total = 0, expected = 0;
  for (let i = 0; i < sum.length; i++) total += sum[i] / draws, expected += a.data[i];
  assert.ok(Math.abs(total - expected) / Math.abs(expected) < 0.005, `${total} vs ${expected}`);
  const share = zeros / (draws * sum.length);
  assert.ok(Math.abs(share - rate) < 0.005, `dropped share ${share}`);
});

Deno.test("dropout is off in predict, forward and gradients: a network with dropout predicts like one without", async () => {
  const { x, y } = problem(64, 10, 3);
  const options = { input: 10, hidden: [16, 8], output: 3, outputActivation: "softmax", seed: 4 } as const;
  const plain = new Network(options), dropped = new Network({ ...options, dropout: 0.5 });
  assert.deepEqual(dropped.dropout, [0.5, 0.5]);
  assert.deepEqual(weightsOf(dropped), weightsOf(plain));
  assert.deepEqual(dropped.predict(x).data, plain.predict(x).data);
  assert.deepEqual(dropped.forward(x).a[0].data, plain.forward(x).a[0].data);
  assert.deepEqual(dropped.gradients(x, y, "cross_entropy"), plain.gradients(x, y, "cross_entropy"));
  // training uses the masks, so the weights part ways; predictions stay deterministic
  await dropped.fit(x, y, { epochs: 2, batchSize: 16, optimizer: "adam" });
  await plain.fit(x, y, { epochs: 2, batchSize: 16, optimizer: "adam" });
  assert.notDeepStrictEqual(weightsOf(dropped), weightsOf(plain));
  assert.deepEqual(dropped.predict(x).data, dropped.predict(x).data);
});

Deno.test("dropout masks come from the seed: the same seed gives bit-identical weights, another seed others", async () => {
  const { x, y } = problem(96, 12, 4);
  const options = {
    input: 12,
    hidden: [20, 10],
    output: 4,
    outputActivation: "softmax",
    dropout: [0.2, 0.4],
  } as const;
  const run = async (seed: number) => {
    const net = new Network({ ...options, seed: 8 });
    await net.fit(x, y, { epochs: 3, batchSize: 32, optimizer: "adam", seed });
    return weightsOf(net);
  };
  assert.deepStrictEqual(await run(1), await run(1));
  assert.notDeepStrictEqual(await run(1), await run(2));
});

Deno.test("gradients through a fixed dropout mask match central finite differences", () => {
  const { x, y } = problem(6, 3, 2, 9);
  const net = new Network({
    input: 3,
    hidden: [5, 4],
    output: 2,
    activation: "tanh",
    outputActivation: "softmax",
    dropout: [0.3, 0.5],
    backend: "js",
    seed: 6,
  });
  const loss = getLoss("cross_entropy");
  const batch = net.inputBuffer(6);
  batch.data.set(x.data);
  // the same generator state for every evaluation gives the same masks
  const lossWithMask = () => loss.value(net.forwardBatch(batch, new DropoutRng(21)), y);
  net.forwardBatch(batch, new DropoutRng(21));
  net.backpropagate(batch, y, loss);
  const analytic = net.parameters.map((p) => Float64Array.from(p.gradient));
  const h = 1e-6;
  let worst = 0;
  net.parameters.forEach((p, k) => {
    for (let i = 0; i < p.value.length; i++) {
      const keep = p.value[i];
      p.value[i] = keep + h;
      const plus = lossWithMask();
      p.value[i] = keep - h;
      const minus = lossWithMask();
      p.value[i] = keep;
      worst = Math.max(worst, relativeError(analytic[k][i], (plus - minus) / (2 * h)));
    }
  });
  assert.ok(worst < 1e-6, `largest relative error ${worst}`);
  // and the mask mattered: without it the gradient is another one
  const plain = net.gradients(x, y, "cross_entropy");
  assert.notDeepStrictEqual(Array.from(plain.weights[0].data), Array.from(analytic[0]));
});

Deno.test("dropout, clipping and a schedule train bit-identically on one and two wasm threads", async () => {
  const { x, y } = problem(256, 40, 4);
  const options = {
    input: 40,
    hidden: [96, 48],
    output: 4,
    activation: "relu",
    outputActivation: "softmax",
    dropout: 0.25,
    seed: 11,
  } as const;
  const one = new Network(options), two = new Network({ ...options, threads: 2 });
  assert.equal(one.backend.name, "wasm-simd");
  assert.equal(two.backend.name, "wasm-simd×2");
  try {
    for (const net of [one, two]) {
      await net.fit(x, y, {
        epochs: 3,
        batchSize: 64,
        optimizer: "adam",
        schedule: { type: "cosine", warmupEpochs: 1, minLearningRate: 0 },
        clipNorm: 0.5,
      });
    }
    assert.deepStrictEqual(weightsOf(two), weightsOf(one));
    // the js backend trains the same configuration too (to within rounding of the other kernels)
    const js = new Network({ ...options, backend: "js" });
    await js.fit(x, y, {
      epochs: 3,
      batchSize: 64,
      optimizer: "adam",
      schedule: { type: "cosine", warmupEpochs: 1, minLearningRate: 0 },
      clipNorm: 0.5,
    });
    const a = weightsOf(js).flat(), b = weightsOf(one).flat();
    const largest = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(largest < 1e-9, `js and wasm weights differ by ${largest}`);
  } finally {
    two.dispose();
  }
});

Deno.test("model files keep the dropout rates; files without them load with none", async (t) => {
  const net = new Network({ input: 3, hidden: [4, 2], output: 1, dropout: [0.1, 0.3], seed: 1 });
  const json = net.toJSON();
  await t.step("written and read back", () => {
    assert.deepEqual(json.dropout, [0.1, 0.3]);
    assert.deepEqual(networkFromJson(JSON.parse(JSON.stringify(json))).dropout, [0.1, 0.3]);
  });
  await t.step("absent (today's files and networks without dropout)", () => {
    const plain = new Network({ input: 3, hidden: [4, 2], output: 1, seed: 1 }).toJSON();
    assert.equal("dropout" in plain, false);
    assert.deepEqual(networkFromJson(plain).dropout, [0, 0]);
  });
  await t.step("invalid rates are refused with the field named", () => {
    const wrong = (dropout: unknown) => () => validateModelJson({ ...json, dropout }, { file: "m.json" });
    assert.throws(
      wrong([0.1]),
      (e: unknown) => e instanceof ModelFileError && /dropout: expected 2 numbers, got 1/.test(e.message),
    );
    assert.throws(
      wrong([0.1, 1]),
      (e: unknown) =>
        e instanceof ModelFileError &&
        /dropout\[1\]: expected a rate from 0 up to \(not including\) 1, got 1/.test(e.message),
    );
  });
});

Deno.test("exports leave dropout out: the ONNX file and the TypeScript module are those of the same weights without it", async () => {
  const { modelToOnnx } = await import("../../src/export/onnx.ts");
  const { modelToTypeScript } = await import("../../src/export/typescript.ts");
  const json = new Network({
    input: 3,
    hidden: [4, 2],
    output: 2,
    outputActivation: "softmax",
    dropout: 0.5,
    seed: 1,
  })
    .toJSON();
  const { dropout: _dropout, ...without } = json;
  assert.deepEqual(modelToOnnx(json), modelToOnnx(without));
  assert.equal(modelToTypeScript(json), modelToTypeScript(without));
});
