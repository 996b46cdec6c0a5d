// Tests of Network: learning XOR, determinism, forward's z and a, summary, the two option forms and their errors,
// and the backend it picks by default.

import assert from "node:assert/strict";
import { type ActivationName, activations } from "../../src/math/activations.ts";
import { jsBackend } from "../../src/math/backend.ts";
import { defaultBackend } from "../../src/math/create_backend.ts";
import type { LossName } from "../../src/math/losses.ts";
import { type FloatArray, Matrix } from "../../src/math/matrix.ts";
import { FitSession, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { Sgd } from "../../src/nn/optimizers.ts";
import { networkFromJson } from "../../src/nn/serialize.ts";
import type { WasmBackend } from "../../src/math/wasm/backend_wasm.ts";
import forwardBackward from "../fixtures/reference/forward_backward.json" with { type: "json" };

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

function tutorialNetwork(seed = 1): Network {
  return new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed });
}

function weightsOf(net: Network): FloatArray[] {
  return net.layers.flatMap((layer) => [layer.weights.data.slice(), layer.biases.slice()]);
}

Deno.test("Network fit() learns XOR with the tutorial's 2-[3,3]-1 sigmoid network and mse", async () => {
  const net = tutorialNetwork();
  const history = await net.fit(XOR_X, XOR_Y, { epochs: 10000, batchSize: 4, learningRate: 2, loss: "mse" });
  assert.strictEqual(history.length, 10000);
  assert.deepStrictEqual(history.map((record) => record.epoch).slice(0, 3), [1, 2, 3]);
  assert.ok(history[9999].loss < history[0].loss / 10, `loss ${history[0].loss} → ${history[9999].loss}`);
  const predictions = net.predict(XOR_X).toArray().map(([p]) => p);
  const expected = XOR_Y.map(([y]) => y);
  predictions.forEach((p, i) => {
    assert.ok(expected[i] === 1 ? p > 0.5 : p < 0.5, `XOR${XOR_X[i]} → ${p}, expected ${expected[i]}`);
  });
});

Deno.test("Network with the same seed gives bit-identical weights, before and after fit()", async () => {
  const a = tutorialNetwork(7), b = tutorialNetwork(7);
  assert.deepStrictEqual(weightsOf(a), weightsOf(b));
  const options = { epochs: 500, batchSize: 2, learningRate: 1, optimizer: "adam" as const };
  await a.fit(XOR_X, XOR_Y, options);
  await b.fit(XOR_X, XOR_Y, options);
  assert.deepStrictEqual(weightsOf(a), weightsOf(b));
  assert.notDeepStrictEqual(weightsOf(a), weightsOf(tutorialNetwork(7)));
});

Deno.test("Network with different seeds gives different weights", () => {
  assert.notDeepStrictEqual(weightsOf(tutorialNetwork(1)), weightsOf(tutorialNetwork(2)));
});

Deno.test("Network reinitialize() draws the initial weights again and zeroes the biases", async () => {
  const net = tutorialNetwork(3);
  const initial = weightsOf(net);
  assert.ok(net.layers.every((layer) => layer.biases.every((b) => b === 0)));
  await net.fit(XOR_X, XOR_Y, { epochs: 20, learningRate: 1 });
  assert.notDeepStrictEqual(weightsOf(net), initial);
  net.reinitialize();
  assert.deepStrictEqual(weightsOf(net), initial);
});

Deno.test("Network forward() exposes every layer's z and a with a = f(z) and z = a_prev · Wᵀ + b", () => {
  const net = new Network({
    input: 3,
    layers: [{ units: 4, activation: "tanh" }, { units: 2, activation: "relu" }, {
      units: 3,
      activation: "softmax",
    }],
    seed: 5,
  });
  net.layers[0].biases.set([0.1, -0.2, 0.3, -0.4]);
  const x = Matrix.from([[1, 2, 3], [-1, 0.5, 0], [0, 0, 0], [2, -2, 1], [0.3, 0.1, -0.7]]);
  const { z, a, output } = net.forward(x);
  assert.deepStrictEqual(z.map((m) => m.shapeString()), ["5×4", "5×2", "5×3"]);
  assert.deepStrictEqual(a.map((m) => m.shapeString()), ["5×4", "5×2", "5×3"]);
  assert.strictEqual(output, a[2]);
  net.layers.forEach((layer, l) => {
    const aPrev = l === 0 ? x : a[l - 1];
    for (let r = 0; r < x.rows; r++) {
      for (let i = 0; i < layer.units; i++) {
        let sum = layer.biases[i];
        for (let j = 0; j < layer.inputs; j++) sum += aPrev.get(r, j) * layer.weights.get(i, j);
        assert.ok(Math.abs(z[l].get(r, i) - sum) < 1e-12, `z[${l}](${r}, ${i})`);
      }
    }
    const expected = new Matrix(z[l].rows, z[l].cols);
    activations[layer.activation.name].forward(expected, z[l]);
    assert.deepStrictEqual(a[l], expected);
  });
  assert.deepStrictEqual(output, net.predict(x));
});

Deno.test("Network forward() returns copies that later calls do not overwrite", () => {
  const net = tutorialNetwork();
  const first = net.forward([[0, 1]]);
  const kept = first.a.map((m) => m.clone());
  net.forward([[5, -5]]);
  assert.deepStrictEqual(first.a, kept);
});

Deno.test("Network summary() is a Keras-like table with the parameter counts", async (t) => {
  await t.step("the tutorial network", () => {
    assert.strictEqual(
      tutorialNetwork().summary(),
      [
        "───────────────────────────────────────────────────",
        "Layer           Output shape   Param #   Activation",
        "───────────────────────────────────────────────────",
        "input           (batch, 2)     0",
        "dense_1 (2→3)   (batch, 3)     9         sigmoid",
        "dense_2 (3→3)   (batch, 3)     12        sigmoid",
        "dense_3 (3→1)   (batch, 1)     4         sigmoid",
        "───────────────────────────────────────────────────",
        "Total params: 25",
        "───────────────────────────────────────────────────",
      ].join("\n"),
    );
  });
  await t.step("a Fashion-MNIST-sized network, with thousands separators", () => {
    const net = new Network({
      input: 784,
      hidden: [128, 64],
      output: 10,
      activation: "relu",
      outputActivation: "softmax",
    });
    const text = net.summary();
    // 784·128 + 128 = 100,480; 128·64 + 64 = 8,256; 64·10 + 10 = 650
    assert.match(text, /dense_1 \(784→128\)\s+\(batch, 128\)\s+100,480\s+relu/);
    assert.match(text, /dense_2 \(128→64\)\s+\(batch, 64\)\s+8,256\s+relu/);
    assert.match(text, /dense_3 \(64→10\)\s+\(batch, 10\)\s+650\s+softmax/);
    assert.ok(text.includes("Total params: 109,386"));
    assert.strictEqual(net.parameterCount, 109386);
  });
});

Deno.test("Network options in the layers form give each layer its own activation", async (t) => {
  await t.step("layers", () => {
    const net = new Network({
      input: 4,
      layers: [{ units: 5, activation: "relu" }, { units: 6 }, { units: 3, activation: "softmax" }],
      activation: "tanh",
    });
    assert.deepStrictEqual(
      net.layers.map((layer) => [layer.inputs, layer.units, layer.activation.name]),
      [[4, 5, "relu"], [5, 6, "tanh"], [6, 3, "softmax"]],
    );
    assert.strictEqual(net.output, 3);
    assert.strictEqual(net.parameterCount, 4 * 5 + 5 + 5 * 6 + 6 + 6 * 3 + 3);
  });
  await t.step("hidden specs mixed with sizes", () => {
    const net = new Network({ input: 2, hidden: [3, { units: 4, activation: "leaky_relu" }], output: 1 });
    assert.deepStrictEqual(net.layers.map((layer) => layer.activation.name), [
      "sigmoid",
      "leaky_relu",
      "sigmoid",
    ]);
  });
  await t.step("defaults: sigmoid everywhere, xavier init, seed 42", () => {
    const net = new Network({ input: 2, output: 1 });
    assert.deepStrictEqual([net.layers.length, net.layers[0].activation.name, net.init, net.seed], [
      1,
      "sigmoid",
      "xavier",
      42,
    ]);
  });
  await t.step("outputActivation only changes the last layer", () => {
    const net = new Network({
      input: 2,
      hidden: [3],
      output: 2,
      activation: "relu",
      outputActivation: "softmax",
    });
    assert.deepStrictEqual(net.layers.map((layer) => layer.activation.name), ["relu", "softmax"]);
  });
});

Deno.test("Network constructor rejects bad options with exact messages", async (t) => {
  const cases: [string, unknown, string, string][] = [
    ["missing options", null, "TypeError", "Invalid network: options missing"],
    [
      "input 0",
      { input: 0, output: 1 },
      "RangeError",
      "Invalid network: input must be a positive integer, got 0",
    ],
    [
      "fractional hidden size",
      { input: 2, hidden: [2.5], output: 1 },
      "RangeError",
      "Invalid network: layers[0].units must be a positive integer, got 2.5",
    ],
    [
      "string output size",
      { input: 2, hidden: [3], output: "1" },
      "RangeError",
      'Invalid network: layers[1].units must be a positive integer, got "1"',
    ],
    ["missing output", { input: 2, hidden: [3] }, "TypeError", "Invalid network: output size is missing"],
    [
      "both forms",
      { input: 2, hidden: [3], layers: [{ units: 1 }] },
      "TypeError",
      "Invalid network: give either layers or hidden and output, not both",
    ],
    ["no layers", { input: 2, layers: [] }, "RangeError", "Invalid network: it needs at least one layer"],
    [
      "softmax on a hidden layer",
      { input: 2, hidden: [{ units: 3, activation: "softmax" }], output: 2 },
      "RangeError",
      "Invalid network: layers[0]: softmax is for the output layer only",
    ],
    [
      "softmax with 1 unit",
      { input: 2, hidden: [3], output: 1, outputActivation: "softmax" },
      "RangeError",
      "Invalid network: layers[1]: softmax needs at least 2 units, got 1",
    ],
    [
      "unknown activation",
      { input: 2, output: 1, activation: "swish" },
      "RangeError",
      'Unknown activation "swish": expected one of sigmoid, tanh, relu, leaky_relu, linear, softmax',
    ],
    [
      "unknown init",
      { input: 2, output: 1, init: "orthogonal" },
      "RangeError",
      'Invalid network: unknown init "orthogonal": expected one of uniform, xavier, he',
    ],
  ];
  for (const [name, options, errorName, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => new Network(options as never), { name: errorName, message });
    });
  }
});

Deno.test("Network predict() accepts a Matrix or nested arrays and gives the same answer", () => {
  const net = tutorialNetwork();
  const fromArrays = net.predict(XOR_X);
  const fromMatrix = net.predict(Matrix.from(XOR_X));
  assert.deepStrictEqual(fromArrays, fromMatrix);
  assert.deepStrictEqual([fromArrays.rows, fromArrays.cols], [4, 1]);
  // a fresh Matrix every call, not a live buffer
  assert.notStrictEqual(net.predict(XOR_X), fromArrays);
});

Deno.test("Network predict() over more rows than one chunk equals predicting row by row", () => {
  const net = new Network({ input: 3, hidden: [4], output: 2, outputActivation: "softmax", seed: 9 });
  const rows = Array.from({ length: 600 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 7) / 7]);
  const all = net.predict(rows);
  assert.deepStrictEqual([all.rows, all.cols], [600, 2]);
  for (const i of [0, 255, 256, 511, 512, 599]) {
    assert.deepStrictEqual(Array.from(all.row(i)), Array.from(net.predict([rows[i]]).row(0)));
  }
});

Deno.test("Network rejects inputs and targets of the wrong width with exact messages", async (t) => {
  const net = tutorialNetwork();
  await t.step("predict", () => {
    assert.throws(() => net.predict([[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 0, 0]]), {
      name: "TypeError",
      message: "Invalid input: the network takes 2 features per row, got 4×3",
    });
  });
  await t.step("forward", () => {
    assert.throws(() => net.forward([[1]]), {
      name: "TypeError",
      message: "Invalid input: the network takes 2 features per row, got 1×1",
    });
  });
  await t.step("gradients with a wrong target", () => {
    assert.throws(() => net.gradients(XOR_X, [[0, 1], [1, 0], [1, 0], [0, 1]], "mse"), {
      name: "TypeError",
      message: "Invalid target: expected 4×1 (one row per input row), got 4×2",
    });
  });
  await t.step("fit with too few targets", () => {
    return assert.rejects(net.fit(XOR_X, [[0], [1]]), {
      name: "TypeError",
      message: "Invalid target: expected 4×1 (one row per input row), got 2×1",
    });
  });
  await t.step("ragged rows", () => {
    assert.throws(() => net.predict([[1, 2], [3]]), {
      name: "TypeError",
      message: "Matrix.from: row 1 has 1 values, expected 2",
    });
  });
});

Deno.test("Network fit() rejects bad training options with exact messages", async (t) => {
  const net = tutorialNetwork();
  await t.step("epochs", () =>
    assert.rejects(net.fit(XOR_X, XOR_Y, { epochs: 0 }), {
      name: "RangeError",
      message: "Invalid epochs: expected a positive integer, got 0",
    }));
  await t.step("batch size", () =>
    assert.rejects(net.fit(XOR_X, XOR_Y, { batchSize: 1.5 }), {
      name: "RangeError",
      message: "Invalid batch size: expected a positive integer, got 1.5",
    }));
  await t.step("learning rate", () =>
    assert.rejects(net.fit(XOR_X, XOR_Y, { learningRate: -1 }), {
      name: "RangeError",
      message: "Invalid learning rate: expected a positive number, got -1",
    }));
  await t.step(
    "cross_entropy without softmax",
    () =>
      assert.rejects(net.fit(XOR_X, XOR_Y, { loss: "cross_entropy" }), {
        name: "RangeError",
        message: "Invalid loss: cross_entropy needs a softmax output layer, got sigmoid",
      }),
  );
});

Deno.test("Network fit() stops when onEpoch returns false and reports every epoch", async () => {
  const net = tutorialNetwork();
  const seen: number[] = [];
  const history = await net.fit(XOR_X, XOR_Y, {
    epochs: 100,
    onEpoch: (record) => {
      seen.push(record.epoch);
      return record.epoch < 5;
    },
  });
  assert.deepStrictEqual(seen, [1, 2, 3, 4, 5]);
  assert.strictEqual(history.length, 5);
  assert.ok(history.every((record) => record.samples === 4 && record.learningRate === 0.01));
});

Deno.test("Network trainBatch() equals gradients() followed by a plain SGD step", () => {
  const a = tutorialNetwork(4), b = tutorialNetwork(4);
  const x = Matrix.from(XOR_X), y = Matrix.from(XOR_Y);
  // a: gradients, then w ← w − η·g by hand
  const g = a.gradients(x, y, "mse");
  a.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.weights.data.length; i++) layer.weights.data[i] -= 0.5 * g.weights[l].data[i];
    for (let i = 0; i < layer.biases.length; i++) layer.biases[i] -= 0.5 * g.biases[l][i];
  });
  // b: one training step through the hot path
  const batch = b.inputBuffer(4);
  batch.data.set(x.data);
  const session = new FitSession(b, matrixSource(x, y), { loss: "mse" });
  const lossValue = b.trainBatch(batch, y, session.loss, new Sgd({ learningRate: 0.5 }));
  assert.strictEqual(lossValue, g.loss);
  assert.deepStrictEqual(weightsOf(b), weightsOf(a));
});

/** Relative tolerance against the NumPy reference (float64 on both sides). */
const REFERENCE_TOLERANCE = 1e-12;

function assertCloseTo(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.strictEqual(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(
      error <= REFERENCE_TOLERANCE * Math.abs(expected[i]),
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

Deno.test("Network forward() and gradients() match the NumPy reference (scripts/reference/forward_backward.py)", async (t) => {
  assert.strictEqual(forwardBackward.cases.length, 2);
  for (const c of forwardBackward.cases) {
    await t.step(c.name, () => {
      const net = new Network({
        input: c.input,
        layers: c.layers.map((layer) => ({
          units: layer.units,
          activation: layer.activation as ActivationName,
        })),
      });
      c.layers.forEach((layer, l) => {
        net.layers[l].weights.data.set(layer.weights.flat());
        net.layers[l].biases.set(layer.biases);
      });
      const { z, a } = net.forward(c.x);
      c.expected.z.forEach((expected, l) => assertCloseTo(z[l].data, expected.flat(), `z[${l}]`));
      c.expected.a.forEach((expected, l) => assertCloseTo(a[l].data, expected.flat(), `a[${l}]`));
      const gradients = net.gradients(c.x, c.y, c.loss as LossName);
      assertCloseTo([gradients.loss], [c.expected.loss], "loss");
      c.expected.dW.forEach((expected, l) =>
        assertCloseTo(gradients.weights[l].data, expected.flat(), `dW[${l}]`)
      );
      c.expected.dB.forEach((expected, l) => assertCloseTo(gradients.biases[l], expected, `dB[${l}]`));
    });
  }
});

Deno.test("Network uses the WebAssembly backend by default where the runtime has it", async (t) => {
  const fashionShaped = { input: 784, hidden: [128, 64], output: 10, activation: "relu", seed: 3 } as const;
  await t.step("new Network(...)", () => {
    const net = new Network(fashionShaped);
    assert.equal(net.backend, defaultBackend());
    assert.equal(net.backend.name, "wasm-simd");
  });
  await t.step("Network.fromJSON() and networkFromJson()", () => {
    const json = new Network({ input: 20, hidden: [16], output: 4, seed: 3 }).toJSON();
    assert.equal(Network.fromJSON(json).backend.name, "wasm-simd");
    assert.equal(networkFromJson(json).backend.name, "wasm-simd");
    assert.equal(networkFromJson(json, { backend: "js" }).backend, jsBackend);
  });
  await t.step("tiny networks (every layer under 16 weights) keep the plain kernels", () => {
    assert.equal(tutorialNetwork().backend, jsBackend);
    assert.equal(
      new Network({ input: 2, hidden: [3, 3], output: 1, backend: "wasm" }).backend.name,
      "wasm-simd",
    );
  });
  await t.step('backend: "js" forces the plain kernels', () => {
    assert.equal(new Network({ ...fashionShaped, backend: "js" }).backend, jsBackend);
  });
  await t.step("TERMNET_BACKEND=js forces the plain kernels unless a kind is given", () => {
    const previous = Deno.env.get("TERMNET_BACKEND");
    Deno.env.set("TERMNET_BACKEND", "js");
    try {
      assert.equal(new Network(fashionShaped).backend, jsBackend);
      assert.equal(new Network({ ...fashionShaped, threads: 2 }).backend, jsBackend);
      assert.equal(new Network({ ...fashionShaped, backend: "wasm" }).backend.name, "wasm-simd");
    } finally {
      if (previous === undefined) Deno.env.delete("TERMNET_BACKEND");
      else Deno.env.set("TERMNET_BACKEND", previous);
    }
  });
  await t.step("every network on the default backend shares one memory", () => {
    const a = new Network(fashionShaped), b = new Network({ ...fashionShaped, threads: 2 });
    assert.equal(b.backend.name, "wasm-simd×2");
    assert.equal((a.backend as WasmBackend).memory, (b.backend as WasmBackend).memory);
    b.dispose();
  });
});

Deno.test("Network rejects threads with a backend object and threads on the js backend", () => {
  assert.throws(() => new Network({ input: 2, output: 1, backend: jsBackend, threads: 2 }), {
    name: "TypeError",
    message: "Invalid network: give threads or a backend object, not both (it has its threads)",
  });
  assert.throws(() => new Network({ input: 2, output: 1, backend: "js", threads: 2 }), {
    name: "RangeError",
    message: "Cannot use 2 threads on the js backend: threads need the wasm backend",
  });
});

Deno.test("Network fit() on two default threads gives bit-identical weights to one thread", async () => {
  const x = new Matrix(256, 40), y = new Matrix(256, 4);
  for (let i = 0; i < x.data.length; i++) x.data[i] = Math.sin(i * 0.37);
  for (let r = 0; r < 256; r++) y.set(r, r % 4, 1);
  const options = { input: 40, hidden: [96, 48], output: 4, activation: "relu", seed: 11 } as const;
  const one = new Network(options), two = new Network({ ...options, threads: 2 });
  try {
    for (const net of [one, two]) await net.fit(x, y, { epochs: 2, batchSize: 64, optimizer: "adam" });
    assert.deepStrictEqual(weightsOf(two), weightsOf(one));
  } finally {
    two.dispose();
  }
});
