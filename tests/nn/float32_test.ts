// float32 networks: gradients against float64, model files, the config key and a Fashion-MNIST slice.

import assert from "node:assert/strict";
import { parseConfig, parseConfigYaml } from "../../src/config/parse_config.ts";
import { ConfigError, ModelFileError } from "../../src/errors.ts";
import { parseIdx } from "../../src/data/idx.ts";
import type { ActivationName } from "../../src/math/activations.ts";
import { jsBackend, jsBackend32 } from "../../src/math/backend.ts";
import type { LossName } from "../../src/math/losses.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { Network } from "../../src/nn/network.ts";
import { networkFromJson, stringifyModel } from "../../src/nn/serialize.ts";

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

/** max |actual − expected| over max |expected|: the error relative to the gradient's scale. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? difference : difference / scale;
}

// The networks of the gradient checks (tests/nn/gradcheck_test.ts): 2-3-1 and deeper, every output pairing.
const CASES: [ActivationName, ActivationName, LossName, number[]][] = [
  ["sigmoid", "sigmoid", "mse", [2, 3, 1]],
  ["tanh", "sigmoid", "binary_cross_entropy", [2, 3, 1]],
  ["relu", "softmax", "cross_entropy", [4, 6, 5, 3]],
  ["leaky_relu", "linear", "mse", [5, 6, 6, 2]],
  ["tanh", "softmax", "mse", [3, 4, 4]],
];

Deno.test("Network dtype float32: gradients() match float64 within 1e-3 relative on the gradcheck networks", async (t) => {
  for (const [hidden, output, loss, sizes] of CASES) {
    await t.step(`${sizes.join("-")} ${hidden}/${output} + ${loss}`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const options = {
          input: sizes[0],
          hidden: sizes.slice(1, -1),
          output: sizes[sizes.length - 1],
          activation: hidden,
          outputActivation: output,
          seed,
        };
        const net64 = new Network({ ...options, backend: "js" });
        const net32 = new Network({ ...options, dtype: "float32" });
        assert.equal(net32.dtype, "float32");
        assert.ok(net32.layers[0].weights.data instanceof Float32Array);
        const rng = new Rng(seed);
        // the same float32-representable parameters in both, biases away from zero
        net32.layers.forEach((layer, l) => {
          for (let i = 0; i < layer.biases.length; i++) layer.biases[i] = rng.uniform(-0.5, 0.5);
          net64.layers[l].weights.data.set(layer.weights.data);
          net64.layers[l].biases.set(layer.biases);
        });
        const x = randomMatrix(rng, 6, sizes[0]);
        const y = new Matrix(6, options.output);
        for (let r = 0; r < 6; r++) {
          if (loss === "cross_entropy") y.set(r, rng.int(options.output), 1);
          else for (let j = 0; j < options.output; j++) y.set(r, j, rng.next());
        }
        const g64 = net64.gradients(x, y, loss), g32 = net32.gradients(x, y, loss);
        assert.ok(g32.weights[0].data instanceof Float64Array, "gradients() answers float64 matrices");
        assert.ok(Math.abs(g32.loss - g64.loss) <= 1e-5 * Math.abs(g64.loss) + 1e-7, "loss");
        g64.weights.forEach((w, l) => {
          const errorW = relativeError(g32.weights[l].data, w.data);
          const errorB = relativeError(g32.biases[l], g64.biases[l]);
          assert.ok(errorW <= 1e-3, `seed ${seed}, layer ${l} dW: relative error ${errorW}`);
          assert.ok(errorB <= 1e-3, `seed ${seed}, layer ${l} dB: relative error ${errorB}`);
        });
      }
    });
  }
});

Deno.test("Network dtype float32: the same seed gives the float64 initial weights rounded to float32", () => {
  const options = { input: 5, hidden: [7], output: 3, seed: 9 };
  const net64 = new Network({ ...options, backend: "js" }),
    net32 = new Network({ ...options, dtype: "float32" });
  net32.layers.forEach((layer, l) => {
    const w64 = net64.layers[l].weights.data;
    layer.weights.data.forEach((w, i) => assert.equal(w, Math.fround(w64[i])));
  });
});

Deno.test("Network dtype float32: predict() and forward() take and answer float64 matrices", () => {
  const net = new Network({ input: 3, hidden: [4], output: 2, seed: 2, dtype: "float32" });
  const x = [[0.1, 0.2, 0.3], [1, -1, 0.5]];
  const p = net.predict(x);
  assert.ok(p.data instanceof Float64Array);
  const f = net.forward(x);
  assert.ok(f.output.data instanceof Float64Array && f.z[0].data instanceof Float64Array);
  assert.deepEqual(Array.from(f.output.data), Array.from(p.data));
  // every value is a float32 value
  for (const v of p.data) assert.equal(v, Math.fround(v));
});

Deno.test("Network dtype: unknown names and a backend of the other dtype are refused", () => {
  assert.throws(
    () => new Network({ input: 2, output: 1, dtype: "float16" as never }),
    /dtype must be one of "float64", "float32", got "float16"/,
  );
  assert.throws(
    () => new Network({ input: 2, output: 1, dtype: "float32", backend: jsBackend }),
    /dtype "float32" differs from the backend's "float64"/,
  );
  assert.equal(new Network({ input: 2, output: 1, backend: jsBackend32 }).dtype, "float32");
});

Deno.test("Model files: a float32 network saves its float32 values exactly and loads as float32", async () => {
  const net = new Network({
    input: 4,
    hidden: [5],
    output: 3,
    seed: 4,
    dtype: "float32",
    activation: "tanh",
  });
  const x = [[0.5, -0.25, 1, 2], [0.1, 0.2, 0.3, 0.4]];
  await net.fit(x, [[1, 0, 0], [0, 0, 1]], { epochs: 3, learningRate: 0.1, loss: "mse" });
  const text = stringifyModel(net.toJSON());
  const json = JSON.parse(text);
  assert.equal(json.dtype, "float32");
  // shortest decimals of the float32 values, which read back to the same float32 value
  for (const v of json.layers[0].weights.flat()) assert.equal(v, Math.fround(v));
  const loaded = networkFromJson(json);
  assert.equal(loaded.dtype, "float32");
  assert.ok(loaded.layers[0].weights.data instanceof Float32Array);
  assert.deepEqual(Array.from(loaded.layers[0].weights.data), Array.from(net.layers[0].weights.data));
  assert.deepEqual(Array.from(loaded.predict(x).data), Array.from(net.predict(x).data));
  // float64 networks write no dtype, and files without one load as float64
  const plain = new Network({ input: 2, output: 1 }).toJSON();
  assert.equal("dtype" in plain, false);
  assert.equal(networkFromJson(plain).dtype, "float64");
  assert.throws(
    () => networkFromJson({ ...plain, dtype: "half" }),
    (error: unknown) =>
      error instanceof ModelFileError &&
      /dtype.*expected one of float64, float32, got "half"/.test(error.message),
  );
});

Deno.test("parseConfig(): train.dtype is float64 by default, float32 on request, and misspellings are caught", () => {
  const base = "data: { source: xor }\nnetwork: { hidden: [3] }\n";
  assert.equal(parseConfig(parseConfigYaml(base)).train.dtype, "float64");
  assert.equal(parseConfig(parseConfigYaml(base + "train: { dtype: float32 }\n")).train.dtype, "float32");
  assert.throws(
    () => parseConfig(parseConfigYaml(base + "train: { dtype: flaot32 }\n")),
    (error: unknown) =>
      error instanceof ConfigError && /train\.dtype/.test(error.message) &&
      /float32/.test(error.message),
  );
});

async function readIdx(path: string): Promise<{ dims: number[]; data: Uint8Array }> {
  return await parseIdx(
    await Deno.readFile(new URL(`../../data/fashion-mnist-sample/${path}`, import.meta.url)),
  );
}

function imagesAndTargets(images: Uint8Array, labels: Uint8Array, from: number, to: number) {
  const rows = to - from;
  const x = new Matrix(rows, 784), y = new Matrix(rows, 10);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < 784; j++) x.data[r * 784 + j] = images[(from + r) * 784 + j] / 255;
    y.set(r, labels[from + r], 1);
  }
  return { x, y };
}

function accuracy(net: Network, x: Matrix, y: Matrix): number {
  const p = net.predict(x);
  let correct = 0;
  for (let r = 0; r < x.rows; r++) {
    let best = 0, label = 0;
    for (let j = 1; j < 10; j++) {
      if (p.get(r, j) > p.get(r, best)) best = j;
      if (y.get(r, j) > y.get(r, label)) label = j;
    }
    if (best === label) correct++;
  }
  return correct / x.rows;
}

Deno.test("Network dtype float32: a Fashion-MNIST slice trains to within 0.5 points of float64", async () => {
  const trainImages = await readIdx("train-images-idx3-ubyte.gz");
  const trainLabels = await readIdx("train-labels-idx1-ubyte.gz");
  const testImages = await readIdx("t10k-images-idx3-ubyte.gz");
  const testLabels = await readIdx("t10k-labels-idx1-ubyte.gz");
  const train = imagesAndTargets(trainImages.data, trainLabels.data, 0, 1000);
  const test = imagesAndTargets(testImages.data, testLabels.data, 0, 200);
  const results: Record<string, number> = {};
  for (const dtype of ["float64", "float32"] as const) {
    const net = new Network({
      input: 784,
      hidden: [64],
      output: 10,
      activation: "relu",
      outputActivation: "softmax",
      init: "he",
      seed: 7,
      dtype,
    });
    await net.fit(train.x, train.y, {
      epochs: 8,
      batchSize: 32,
      learningRate: 0.05,
      optimizer: "sgd",
      loss: "cross_entropy",
      seed: 7,
    });
    results[dtype] = accuracy(net, test.x, test.y);
  }
  assert.ok(results.float64 > 0.7, `float64 accuracy ${results.float64}`);
  assert.ok(
    Math.abs(results.float32 - results.float64) <= 0.005,
    `float32 ${results.float32} vs float64 ${results.float64}`,
  );
});

Deno.test("float32 WebAssembly products match the float32 TypeScript kernels (relative bound)", async () => {
  const { createWasmBackendSync } = await import("../../src/math/wasm/backend_wasm.ts");
  for (const fma of [true, false]) {
    const backend = createWasmBackendSync({ dtype: "float32", fma });
    assert.equal(backend.dtype, "float32");
    const rng = new Rng(11);
    for (const [m, k, n] of [[1, 1, 1], [7, 5, 13], [64, 784, 128], [13, 9, 8], [6, 0, 9], [64, 128, 10]]) {
      const shapes = {
        matmul: [[m, k], [k, n]],
        matmulTransposeB: [[m, k], [n, k]],
        matmulTransposeA: [[k, m], [k, n]],
      } as const;
      for (const form of ["matmul", "matmulTransposeB", "matmulTransposeA"] as const) {
        const [[ar, ac], [br, bc]] = shapes[form];
        const a = backend.allocate(ar, ac), b = backend.allocate(br, bc), out = backend.allocate(m, n);
        assert.ok(a.data instanceof Float32Array);
        for (const x of [a, b]) for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform(-1, 1);
        out.data.fill(NaN);
        backend[form](out, a, b);
        const expected = jsBackend32.allocate(m, n);
        jsBackend32[form](expected, a, b);
        // each entry is a sum of k products of values below 1: float32 rounding is bounded by k·2⁻²³ of it
        for (let i = 0; i < m * n; i++) {
          const error = Math.abs(out.data[i] - expected.data[i]);
          assert.ok(error <= 1e-6 * (k + 1), `${form} ${m}×${k}×${n} fma ${fma} [${i}]: error ${error}`);
        }
      }
    }
    backend.dispose();
  }
});

Deno.test("Network dtype float32: the default backend is the float32 WebAssembly one, 1 and 2 threads bit-identical", async () => {
  const rng = new Rng(5);
  const x = randomMatrix(rng, 96, 40), y = new Matrix(96, 4);
  for (let r = 0; r < 96; r++) y.set(r, rng.int(4), 1);
  const weights: Float32Array[][] = [];
  for (const threads of [1, 2]) {
    const net = new Network({
      input: 40,
      hidden: [64, 48],
      output: 4,
      activation: "relu",
      outputActivation: "softmax",
      seed: 3,
      dtype: "float32",
      threads,
    });
    assert.match(net.backend.name, /f32/);
    await net.fit(x, y, { epochs: 3, batchSize: 32, learningRate: 0.1, loss: "cross_entropy", seed: 1 });
    weights.push(net.layers.map((layer) => layer.weights.data.slice() as Float32Array));
    net.dispose();
  }
  weights[0].forEach((w, l) => assert.deepEqual(Array.from(weights[1][l]), Array.from(w), `layer ${l}`));
});

/** Asserts |actual − expected| ≤ bound · (|expected| + 1) elementwise: for values of order 1, a few float32 ulps at 1e-6. */
function assertNear(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(error <= bound * (Math.abs(expected[i]) + 1), `${what} [${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

Deno.test("float32 WebAssembly elementwise kernels match the float32 TypeScript reference (relative bound)", async () => {
  const { createWasmBackendSync } = await import("../../src/math/wasm/backend_wasm.ts");
  const { getActivation } = await import("../../src/math/activations.ts");
  const backend = createWasmBackendSync({ dtype: "float32" });
  const rng = new Rng(21);
  const fill = (data: Float32Array) => {
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-2, 2);
  };
  try {
    for (const [rows, cols] of [[1, 1], [3, 2], [2, 3], [5, 7], [4, 9], [64, 10], [17, 128]]) {
      for (const name of ["linear", "relu", "leaky_relu", "sigmoid", "tanh"] as const) {
        const label = `${name} ${rows}×${cols}`;
        const z = backend.allocate(rows, cols),
          a = backend.allocate(rows, cols),
          b = backend.allocate(1, cols);
        fill(z.data);
        fill(b.data);
        // forward: z += b, a = f(z), against the reference on copies
        const zRef = jsBackend32.allocate(rows, cols), aRef = jsBackend32.allocate(rows, cols);
        zRef.data.set(z.data);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) zRef.data[r * cols + j] += b.data[j];
        getActivation(name).forward(aRef, zRef);
        if (backend.biasActivation(a, z, b.data, name)) {
          assertNear(z.data, zRef.data, 1e-6, `${label} z`);
          assertNear(a.data, aRef.data, 1e-6, `${label} a`);
        } else {
          assert.ok(name === "sigmoid" || name === "tanh", `${label} declined`);
          z.data.set(zRef.data);
          a.data.set(aRef.data);
        }
        // backward: dZ = dA ⊙ f'(z), dB = Σ_rows dZ
        const dA = backend.allocate(rows, cols),
          dZ = backend.allocate(rows, cols),
          dB = backend.allocate(1, cols);
        fill(dA.data);
        const dZRef = jsBackend32.allocate(rows, cols);
        getActivation(name).backward(dZRef, dA, z, a);
        const dBRef = new Float64Array(cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) dBRef[j] += dZRef.data[r * cols + j];
        assert.equal(backend.activationBackwardSum(dZ, dA, z, a, dB.data, name), true, label);
        assertNear(dZ.data, dZRef.data, 1e-6, `${label} dZ`);
        assertNear(dB.data, dBRef, 1e-5 * rows, `${label} dB`);
        dB.data.fill(NaN);
        assert.equal(backend.columnSum(dB.data, dZ), true);
        assertNear(dB.data, dBRef, 1e-5 * rows, `${label} columnSum`);
      }
    }
  } finally {
    backend.dispose();
  }
});

Deno.test("float32 WebAssembly optimizer updates match the float32 TypeScript reference (relative bound)", async () => {
  const { createWasmBackendSync } = await import("../../src/math/wasm/backend_wasm.ts");
  const { createOptimizer } = await import("../../src/nn/optimizers.ts");
  const backend = createWasmBackendSync({ dtype: "float32", threads: 2, elementwiseParallelThreshold: 64 });
  try {
    for (
      const [name, extra] of [["sgd", {}], ["momentum", {}], ["momentum", { nesterov: true }], [
        "adam",
        {},
      ]] as const
    ) {
      for (const l2 of [0, 0.01]) {
        for (const length of [1, 3, 7, 200, 1001]) {
          const label = `${name}${"nesterov" in extra ? " nesterov" : ""} l2 ${l2} × ${length}`;
          const rng = new Rng(length);
          const fast = {
            value: backend.allocate(1, length).data,
            gradient: backend.allocate(1, length).data,
          };
          const plain = { value: new Float32Array(length), gradient: new Float32Array(length) };
          for (let i = 0; i < length; i++) fast.value[i] = plain.value[i] = Math.fround(rng.uniform(-1, 1));
          const options = { learningRate: 0.05, l2, ...extra };
          const optimizerFast = createOptimizer(name, options),
            optimizerPlain = createOptimizer(name, options);
          for (let step = 0; step < 5; step++) {
            for (let i = 0; i < length; i++) {
              fast.gradient[i] = plain.gradient[i] = Math.fround(rng.uniform(-1, 1));
            }
            optimizerFast.step([{ ...fast, decay: true }], backend);
            optimizerPlain.step([{ ...plain, decay: true }]);
          }
          assertNear(fast.value, plain.value, 1e-5, label);
        }
      }
    }
  } finally {
    backend.dispose();
  }
});
