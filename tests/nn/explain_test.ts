// Tests of explainSample: against a plain-loop reference, against finite differences, on the WebAssembly backend.

import assert from "node:assert/strict";
import type { ActivationName } from "../../src/math/activations.ts";
import type { LossName } from "../../src/math/losses.ts";
import { createBackend } from "../../src/math/create_backend.ts";
import { explainSample } from "../../src/nn/explain.ts";
import { Network } from "../../src/nn/network.ts";

interface PlainLayer {
  weights: number[][];
  bias: number[];
  activation: ActivationName;
}

function layersOf(network: Network): PlainLayer[] {
  return network.layers.map((layer) => ({
    weights: layer.weights.toArray(),
    bias: Array.from(layer.biases),
    activation: layer.activation.name,
  }));
}

function f(activation: ActivationName, z: number[]): number[] {
  switch (activation) {
    case "sigmoid":
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case "tanh":
      return z.map(Math.tanh);
    case "relu":
      return z.map((v) => Math.max(0, v));
    case "linear":
      return [...z];
    case "softmax": {
      const max = Math.max(...z), e = z.map((v) => Math.exp(v - max)), sum = e.reduce((s, v) => s + v, 0);
      return e.map((v) => v / sum);
    }
    default:
      throw new Error(`no reference for ${activation}`);
  }
}

/** f'(z) from z and a, elementwise activations only. */
function derivative(activation: ActivationName, z: number, a: number): number {
  if (activation === "sigmoid") return a * (1 - a);
  if (activation === "tanh") return 1 - a * a;
  if (activation === "relu") return z > 0 ? 1 : 0;
  if (activation === "linear") return 1;
  throw new Error(`no derivative for ${activation}`);
}

/** The textbook forward and backward pass with plain loops, written independently of the library. */
function reference(layers: PlainLayer[], x: number[], y: number[], loss: LossName) {
  const zs: number[][] = [], as: number[][] = [x];
  for (const layer of layers) {
    const aPrev = as[as.length - 1];
    const z = layer.weights.map((row, i) => row.reduce((sum, w, j) => sum + w * aPrev[j], layer.bias[i]));
    zs.push(z);
    as.push(f(layer.activation, z));
  }
  const out = as[as.length - 1], K = out.length, last = layers.length - 1;
  let value: number;
  let delta: number[];
  if (loss === "mse") {
    value = out.reduce((s, p, k) => s + (p - y[k]) ** 2, 0) / K;
    delta = out.map((p, k) => 2 * (p - y[k]) / K * derivative(layers[last].activation, zs[last][k], p));
  } else if (loss === "binary_cross_entropy") {
    value = -out.reduce((s, p, k) => s + y[k] * Math.log(p) + (1 - y[k]) * Math.log(1 - p), 0) / K;
    delta = out.map((p, k) => (p - y[k]) / K); // sigmoid output
  } else {
    value = -out.reduce((s, p, k) => s + y[k] * Math.log(p), 0);
    delta = out.map((p, k) => p - y[k]); // softmax output
  }
  const deltas: number[][] = [];
  deltas[last] = delta;
  for (let l = last - 1; l >= 0; l--) {
    const above = layers[l + 1];
    deltas[l] = zs[l].map((z, i) => {
      let back = 0;
      for (let k = 0; k < above.weights.length; k++) back += above.weights[k][i] * deltas[l + 1][k];
      return back * derivative(layers[l].activation, z, as[l + 1][i]);
    });
  }
  const dW = deltas.map((d, l) => d.map((di) => as[l].map((aj) => di * aj)));
  return { z: zs, a: as.slice(1), delta: deltas, dW, loss: value };
}

function assertClose(actual: number[] | number[][], expected: number[] | number[][], what: string) {
  const a = actual.flat(), e = expected.flat();
  assert.strictEqual(a.length, e.length, `${what}: length`);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= 1e-12, `${what}[${i}]: ${v} vs ${e[i]}`));
}

const CASES: {
  name: string;
  options: ConstructorParameters<typeof Network>[0];
  loss: LossName;
  y: number[];
}[] = [
  {
    name: "2-3-3-1 sigmoid, mse",
    options: { input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 5 },
    loss: "mse",
    y: [1],
  },
  {
    name: "3-4-3 tanh, softmax, cross_entropy",
    options: { input: 3, hidden: [4], output: 3, activation: "tanh", outputActivation: "softmax", seed: 2 },
    loss: "cross_entropy",
    y: [0, 0, 1],
  },
  {
    name: "2-5-2 relu, sigmoid, binary_cross_entropy",
    options: { input: 2, hidden: [5], output: 2, activation: "relu", outputActivation: "sigmoid", seed: 9 },
    loss: "binary_cross_entropy",
    y: [1, 0],
  },
  {
    name: "4-3-2 sigmoid, linear, mse",
    options: { input: 4, hidden: [3], output: 2, activation: "sigmoid", outputActivation: "linear", seed: 4 },
    loss: "mse",
    y: [0.3, -1.2],
  },
];

function inputFor(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 0.7 - 0.45 * i + 0.1 * i * i);
}

Deno.test("explainSample() equals a plain-loop forward and backward pass", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, () => {
      const net = new Network(c.options);
      // move the biases off zero so that they matter
      net.layers.forEach((layer, l) => layer.biases.forEach((_, i) => layer.biases[i] = 0.1 * (i - l)));
      const x = inputFor(c.options.input);
      const got = explainSample(net, x, { target: c.y, loss: c.loss });
      const want = reference(layersOf(net), x, c.y, c.loss);
      assert.deepStrictEqual(got.input, x);
      got.layers.forEach((layer, l) => {
        assertClose(layer.z, want.z[l], `z${l + 1}`);
        assertClose(layer.a, want.a[l], `a${l + 1}`);
        assertClose(layer.delta!, want.delta[l], `delta${l + 1}`);
        assertClose(layer.db!, want.delta[l], `db${l + 1}`);
        assertClose(layer.dW!, want.dW[l], `dW${l + 1}`);
        assert.strictEqual(layer.dW!.length, net.layers[l].units);
        assert.strictEqual(layer.dW![0].length, net.layers[l].inputs);
      });
      assertClose(got.output, want.a[want.a.length - 1], "output");
      assert.ok(Math.abs(got.loss! - want.loss) < 1e-12, `loss ${got.loss} vs ${want.loss}`);
    });
  }
});

Deno.test("explainSample() dW and db agree with central finite differences of the one-sample loss", async (t) => {
  const h = 1e-5;
  for (const c of CASES) {
    await t.step(c.name, () => {
      const net = new Network(c.options);
      const x = inputFor(c.options.input);
      const explained = explainSample(net, x, { target: c.y, loss: c.loss });
      const lossAt = () => explainSample(net, x, { target: c.y, loss: c.loss }).loss!;
      let worst = 0;
      net.layers.forEach((layer, l) => {
        const check = (values: ArrayLike<number> & { [i: number]: number }, i: number, analytic: number) => {
          const saved = values[i];
          values[i] = saved + h;
          const up = lossAt();
          values[i] = saved - h;
          const down = lossAt();
          values[i] = saved;
          const numeric = (up - down) / (2 * h);
          const error = Math.abs(analytic - numeric) / Math.max(1e-6, Math.abs(analytic) + Math.abs(numeric));
          worst = Math.max(worst, error);
          assert.ok(error < 1e-6, `layer ${l + 1} parameter ${i}: ${analytic} vs ${numeric}`);
        };
        for (let i = 0; i < layer.units; i++) {
          for (let j = 0; j < layer.inputs; j++) {
            check(layer.weights.data, i * layer.inputs + j, explained.layers[l].dW![i][j]);
          }
          check(layer.biases, i, explained.layers[l].db![i]);
        }
      });
      assert.ok(worst < 1e-6);
    });
  }
});

Deno.test("explainSample() without a target gives only the forward pass", () => {
  const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
  const e = explainSample(net, [1, 0]);
  assert.deepStrictEqual(Object.keys(e).sort(), ["input", "layers", "output"]);
  for (const layer of e.layers) assert.deepStrictEqual(Object.keys(layer).sort(), ["a", "z"]);
  assert.deepStrictEqual(e.output, e.layers[1].a);
  assert.deepStrictEqual(e.output, Array.from(net.predict([[1, 0]]).data));
});

Deno.test("explainSample() uses the matching loss when none is given", () => {
  const net = new Network({ input: 2, output: 3, outputActivation: "softmax", seed: 3 });
  const e = explainSample(net, [0.5, -1], { target: [0, 1, 0] });
  assert.ok(Math.abs(e.loss! + Math.log(e.output[1])) < 1e-12);
  const binary = new Network({ input: 2, output: 1, outputActivation: "sigmoid", seed: 3 });
  const b = explainSample(binary, [0.5, -1], { target: [1] });
  assert.ok(Math.abs(b.loss! + Math.log(b.output[0])) < 1e-12);
  const linear = new Network({ input: 2, output: 1, outputActivation: "linear", seed: 3 });
  const l = explainSample(linear, [0.5, -1], { target: [1] });
  assert.ok(Math.abs(l.loss! - (l.output[0] - 1) ** 2) < 1e-12);
});

Deno.test("explainSample() leaves the weights as they were", () => {
  const net = new Network({ input: 2, hidden: [3, 3], output: 1, seed: 8 });
  const before = net.layers.map((layer) => [layer.weights.data.slice(), layer.biases.slice()]);
  explainSample(net, [0, 1], { target: [1] });
  assert.deepStrictEqual(net.layers.map((layer) => [layer.weights.data, layer.biases]), before);
});

Deno.test("explainSample() gives the same numbers on the WebAssembly backend", async () => {
  const backend = await createBackend({ kind: "wasm", threads: 1 });
  try {
    const options = { input: 3, hidden: [4], output: 3, activation: "tanh" as const, seed: 2 };
    const wasm = new Network({ ...options, outputActivation: "softmax", backend });
    const js = new Network({ ...options, outputActivation: "softmax" });
    const x = [0.2, -0.4, 1.5], y = [1, 0, 0];
    const a = explainSample(wasm, x, { target: y }), b = explainSample(js, x, { target: y });
    assertClose(a.output, b.output, "output");
    a.layers.forEach((layer, l) => {
      assertClose(layer.z, b.layers[l].z, `z${l + 1}`);
      assertClose(layer.dW!, b.layers[l].dW!, `dW${l + 1}`);
    });
    assert.ok(Math.abs(a.loss! - b.loss!) < 1e-12);
  } finally {
    backend.dispose();
  }
});

Deno.test("explainSample() rejects inputs and targets of the wrong width or with non-numbers", () => {
  const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
  assert.throws(
    () => explainSample(net, [1, 2, 3]),
    new TypeError("Cannot explain the sample: the network takes 2 input values, got 3"),
  );
  assert.throws(
    () => explainSample(net, [1, 2], { target: [1, 0] }),
    new TypeError("Cannot explain the sample: the network takes 1 target values, got 2"),
  );
  assert.throws(
    () => explainSample(net, [1, NaN]),
    new RangeError(`Cannot explain the sample: input[1] must be a finite number, got "NaN"`),
  );
});
