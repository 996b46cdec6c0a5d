// Tests of the WebAssembly backend: each product on one and two threads against the reference kernels.
//
// Tolerance: the fast kernels round differently from the reference (a fused multiply-add rounds once where
// the reference rounds twice, and A·Bᵀ sums even and odd terms separately), so results are compared to
// the reference per element relative to the size of the sum, Σₚ |aᵢₚ·bₚⱼ|: |fast − reference| ≤ 1e-12 ·
// Σₚ |aᵢₚ·bₚⱼ|. Rounding error of a k-term sum is bounded by about k·2⁻⁵³ of that quantity (1e-13 at
// k = 784), so 1e-12 holds for every shape tested, while a wrong index or a missing term breaks it at once.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { type ActivationName, getActivation } from "../../src/math/activations.ts";
import { type Backend, jsBackend } from "../../src/math/backend.ts";
import {
  type AnyMatrix,
  type FloatArray,
  matmulTransposeAUnchecked,
  matmulTransposeBUnchecked,
  matmulUnchecked,
  Matrix,
} from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import {
  BACKEND_ENV_VARIABLE,
  createBackend,
  createWasmBackend,
  createWasmBackendSync,
  defaultBackend,
  type WasmBackend,
} from "../../src/math/wasm/backend_wasm.ts";
import { FitSession, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { Adam, Momentum, type Optimizer, Sgd } from "../../src/nn/optimizers.ts";

const TOLERANCE = 1e-12;

type Form = "matmul" | "matmulTransposeB" | "matmulTransposeA";
const FORMS: readonly Form[] = ["matmul", "matmulTransposeB", "matmulTransposeA"];

const REFERENCE = {
  matmul: matmulUnchecked,
  matmulTransposeB: matmulTransposeBUnchecked,
  matmulTransposeA: matmulTransposeAUnchecked,
};

/** Operand shapes of `form` for an m×n result with inner size k. */
function operandShapes(form: Form, m: number, k: number, n: number): [[number, number], [number, number]] {
  if (form === "matmul") return [[m, k], [k, n]];
  if (form === "matmulTransposeB") return [[m, k], [n, k]];
  return [[k, m], [k, n]];
}

/** Σₚ |a(i, p)·b(p, j)| for every (i, j): the scale the rounding error is measured against. */
function magnitudes(form: Form, a: AnyMatrix, b: AnyMatrix, m: number, n: number): Matrix {
  const abs = (x: AnyMatrix) => new Matrix(x.rows, x.cols, Float64Array.from(x.data, Math.abs));
  const out = new Matrix(m, n);
  REFERENCE[form](out, abs(a), abs(b));
  return out;
}

function fill<M extends AnyMatrix>(matrix: M, rng: Rng): M {
  for (let i = 0; i < matrix.data.length; i++) matrix.data[i] = rng.next() * 2 - 1;
  return matrix;
}

interface CheckOptions {
  /** Allocate the operands and the result in the backend (zero copy) rather than as plain matrices. */
  inBackend: boolean;
  seed?: number;
}

/** Runs `form` on `backend` and on the reference for an m×n result with inner size k; returns the result. */
function checkProduct(
  backend: Backend,
  form: Form,
  [m, k, n]: [number, number, number],
  options: CheckOptions,
): AnyMatrix {
  const rng = new Rng(options.seed ?? m * 1_000_003 + k * 1009 + n);
  const [[aRows, aCols], [bRows, bCols]] = operandShapes(form, m, k, n);
  const make = (rows: number, cols: number) =>
    options.inBackend ? backend.allocate(rows, cols) : new Matrix(rows, cols);
  const a = fill(make(aRows, aCols), rng);
  const b = fill(make(bRows, bCols), rng);
  const out = fill(make(m, n), rng); // garbage in the output must be overwritten
  backend[form](out, a, b);
  const expected = new Matrix(m, n);
  REFERENCE[form](expected, a, b);
  const scale = magnitudes(form, a, b, m, n);
  for (let i = 0; i < expected.data.length; i++) {
    const error = Math.abs(out.data[i] - expected.data[i]);
    if (!(error <= TOLERANCE * scale.data[i])) {
      assert.fail(
        `${backend.name} ${form} ${m}×${k}×${n}: element ${i} is ${out.data[i]}, expected ${
          expected.data[i]
        }` +
          ` (error ${error}, scale ${scale.data[i]})`,
      );
    }
  }
  return out;
}

// Shapes [m, k, n] of the result (m×n) and the inner size k.
const EDGE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 0, 1],
  [3, 0, 5],
  [1, 7, 1],
  [2, 1, 3],
  [3, 5, 7],
  [7, 3, 5],
  [5, 6, 3],
  [6, 4, 4],
  [7, 9, 4],
  [11, 13, 17],
  [12, 8, 8],
  [13, 2, 9],
  [17, 31, 19],
  [1, 64, 129],
  [129, 33, 1],
  // Inner sizes over one pass (256 values of p): equal passes with a shorter last one.
  [7, 263, 5],
  [13, 517, 6],
];

// The 784-128-64-10 network at batch 64: forward z = a·Wᵀ, backward dW = dZᵀ·a and dA = dZ·W.
const NETWORK_SHAPES: Record<Form, [number, number, number][]> = {
  matmulTransposeB: [[64, 784, 128], [64, 128, 64], [64, 64, 10]],
  matmulTransposeA: [[128, 64, 784], [64, 64, 128], [10, 64, 64]],
  matmul: [[64, 128, 784], [64, 64, 128], [64, 10, 64]],
};

// Around the default parallel threshold (2^15 multiply-adds) and a large square product.
const THRESHOLD_SHAPES: [number, number, number][] = [[31, 32, 33], [32, 32, 32], [33, 32, 31], [
  97,
  101,
  103,
]];

async function withBackends(fn: (backends: WasmBackend[]) => void | Promise<void>): Promise<void> {
  const backends = [
    createWasmBackendSync(),
    await createWasmBackend({ threads: 2 }),
    await createWasmBackend({ threads: 2, parallelThreshold: 0 }),
  ];
  try {
    await fn(backends);
  } finally {
    for (const backend of backends) backend.dispose();
  }
}

for (const form of FORMS) {
  Deno.test(`${form}() on wasm-simd equals the reference for edge and odd shapes`, async (t) => {
    await withBackends(async (backends) => {
      for (const backend of backends) {
        for (const inBackend of [true, false]) {
          await t.step(`${backend.name}, ${inBackend ? "backend" : "plain"} matrices`, () => {
            for (const shape of [...EDGE_SHAPES, ...THRESHOLD_SHAPES]) {
              checkProduct(backend, form, shape, { inBackend });
            }
          });
        }
      }
    });
  });

  Deno.test(`${form}() on wasm-simd equals the reference at the network's shapes`, async () => {
    await withBackends((backends) => {
      for (const backend of backends) {
        for (const shape of NETWORK_SHAPES[form]) {
          checkProduct(backend, form, shape, { inBackend: true });
          checkProduct(backend, form, shape, { inBackend: false });
        }
      }
    });
  });

  Deno.test(`${form}() on wasm-simd equals the reference for random shapes`, async () => {
    await withBackends((backends) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 1, max: 40 }),
          fc.boolean(),
          fc.integer(),
          (m, k, n, inBackend, seed) => {
            for (const backend of backends) checkProduct(backend, form, [m, k, n], { inBackend, seed });
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  Deno.test(`${form}() on wasm-simd gives bit-identical results on one and two threads`, async () => {
    await withBackends(([one, two, twoAlways]) => {
      for (const shape of [[64, 784, 128], [17, 31, 19], [128, 64, 784]] as [number, number, number][]) {
        const single = checkProduct(one, form, shape, { inBackend: true });
        assert.deepEqual(checkProduct(two, form, shape, { inBackend: true }).data, single.data);
        assert.deepEqual(checkProduct(twoAlways, form, shape, { inBackend: false }).data, single.data);
      }
    });
  });

  Deno.test(`${form}() with mul + add kernels (no fma) equals the reference`, async () => {
    const backends = [
      createWasmBackendSync({ fma: false }),
      await createWasmBackend({ threads: 2, fma: false }),
    ];
    try {
      for (const backend of backends) {
        assert.match(backend.name, /nofma/);
        for (const shape of [...EDGE_SHAPES, ...NETWORK_SHAPES[form]]) {
          checkProduct(backend, form, shape, { inBackend: true });
          checkProduct(backend, form, shape, { inBackend: false });
        }
      }
    } finally {
      for (const backend of backends) backend.dispose();
    }
  });
}

Deno.test("allocate() on wasm-simd returns zero-filled views of the shared memory that survive its growth", () => {
  const backend = createWasmBackendSync();
  try {
    const first = backend.allocate(3, 5);
    assert.ok(first.data.buffer instanceof SharedArrayBuffer);
    assert.ok(first.data.every((value) => value === 0));
    first.data.fill(2);
    const before = backend.memory.buffer.byteLength;
    // 8 MiB more than the memory has: the memory grows.
    const big = backend.allocate(1024, 1024 + before / 8192);
    assert.ok(backend.memory.buffer.byteLength > before);
    assert.ok(big.data.every((value) => value === 0));
    assert.ok(first.data.every((value) => value === 2));
    // A matrix made before the growth is still used in place.
    const out = backend.allocate(3, 3);
    backend.matmulTransposeB(out, first, first);
    assert.deepEqual(Array.from(out.data), new Array(9).fill(20));
  } finally {
    backend.dispose();
  }
});

Deno.test("createWasmBackendSync() throws a RangeError when the memory limit is reached", () => {
  const backend = createWasmBackendSync({ maxMemoryBytes: 2 * 65536 });
  try {
    assert.throws(() => backend.allocate(512, 512), RangeError);
  } finally {
    backend.dispose();
  }
});

Deno.test("matmul() on wasm-simd rejects mismatched shapes instead of touching other memory", () => {
  const backend = createWasmBackendSync();
  try {
    const a = backend.allocate(2, 3), b = backend.allocate(4, 2), out = backend.allocate(2, 2);
    assert.throws(() => backend.matmul(out, a, b), /inner sizes 3 and 4 differ/);
    assert.throws(() => backend.matmulTransposeB(out, a, b), /inner sizes 3 and 2 differ/);
    assert.throws(() => backend.matmulTransposeA(out, a, b), /inner sizes 2 and 4 differ/);
    assert.throws(() => backend.matmul(backend.allocate(2, 3), a, backend.allocate(3, 2)), /output is 2×3/);
    assert.throws(() => backend.allocate(-1, 2), RangeError);
    assert.throws(() => backend.allocate(1.5, 2), RangeError);
  } finally {
    backend.dispose();
  }
});

Deno.test("matmul() on a disposed wasm-simd backend throws", () => {
  const backend = createWasmBackendSync();
  backend.dispose();
  const a = new Matrix(1, 1);
  assert.throws(() => backend.matmul(a, a, a), /disposed/);
});

Deno.test("createBackend() picks wasm-simd by default and the plain backend when forced", async (t) => {
  const auto = await createBackend({ threads: 2 });
  try {
    assert.equal(auto.name, "wasm-simd×2");
  } finally {
    auto.dispose();
  }
  await t.step("kind: js", async () => {
    const backend = await createBackend({ kind: "js", threads: 2 });
    assert.equal(backend, jsBackend);
    for (const form of FORMS) {
      for (const shape of [...EDGE_SHAPES, ...NETWORK_SHAPES[form]]) {
        checkProduct(backend, form, shape, { inBackend: true });
      }
    }
    backend.dispose();
  });
  const envGranted = (await Deno.permissions.query({ name: "env", variable: BACKEND_ENV_VARIABLE }))
    .state === "granted";
  await t.step({
    name: `${BACKEND_ENV_VARIABLE}=js`,
    ignore: !envGranted,
    fn: async () => {
      const previous = Deno.env.get(BACKEND_ENV_VARIABLE);
      Deno.env.set(BACKEND_ENV_VARIABLE, "js");
      try {
        assert.equal(await createBackend(), jsBackend);
        assert.equal(await createBackend({ kind: "auto" }), jsBackend);
        const wasm = await createBackend({ kind: "wasm" });
        assert.equal(wasm.name, "wasm-simd");
        wasm.dispose();
        Deno.env.set(BACKEND_ENV_VARIABLE, "fast");
        await assert.rejects(() => createBackend(), RangeError);
      } finally {
        if (previous === undefined) Deno.env.delete(BACKEND_ENV_VARIABLE);
        else Deno.env.set(BACKEND_ENV_VARIABLE, previous);
      }
    },
  });
});

// ---- Elementwise fast paths: bit-identical to the reference code of activations.ts, dense.ts, optimizers.ts ----

/** Values that exercise every branch and rounding case: signs, zeros of both signs, tiny, huge, NaN, ±∞. */
const SPECIAL = [0, -0, 1e-310, -1e-310, 0.5, -0.5, 3.7, -3.7, 1e300, -1e300, NaN, Infinity, -Infinity];

function fillSpecial(data: Float64Array, rng: Rng): Float64Array {
  for (let i = 0; i < data.length; i++) {
    data[i] = rng.next() < 0.2 ? SPECIAL[rng.int(SPECIAL.length)] : rng.next() * 4 - 2;
  }
  return data;
}

/**
 * Asserts that two arrays hold the same bits (0 differs from −0), except that any NaN equals any NaN:
 * WebAssembly leaves the sign and payload of a NaN result unspecified.
 */
function assertSameBits(actual: FloatArray, expected: FloatArray, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  const a = new BigUint64Array(Float64Array.from(actual).buffer);
  const e = new BigUint64Array(Float64Array.from(expected).buffer);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, the reference gives ${expected[i]}`);
    }
  }
}

const ELEMENTWISE_SHAPES: [number, number][] = [[0, 3], [1, 1], [1, 2], [3, 1], [4, 3], [5, 10], [7, 33], [
  64,
  128,
]];
const ALL_ACTIVATIONS: ActivationName[] = ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"];

Deno.test("biasActivation() on wasm-simd is bit-identical to z += b then f(z), or declines", () => {
  const backend = createWasmBackendSync();
  try {
    const rng = new Rng(11);
    for (const name of ALL_ACTIVATIONS) {
      for (const [rows, cols] of ELEMENTWISE_SHAPES) {
        const z = backend.allocate(rows, cols), a = backend.allocate(rows, cols);
        const biases = backend.allocate(1, cols).data;
        fillSpecial(z.data, rng);
        fillSpecial(biases, rng);
        fillSpecial(a.data, rng);
        const zRef = z.clone(), aRef = a.clone();
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < cols; j++) zRef.data[r * cols + j] += biases[j];
        }
        getActivation(name).forward(aRef, zRef);
        const zBefore = z.clone(), aBefore = a.clone();
        if (backend.biasActivation(a, z, biases, name)) {
          assertSameBits(z.data, zRef.data, `${name} ${rows}×${cols} z`);
          assertSameBits(a.data, aRef.data, `${name} ${rows}×${cols} a`);
        } else {
          assert.ok(name === "sigmoid" || name === "tanh" || name === "softmax", `${name} declined`);
          assertSameBits(z.data, zBefore.data, `${name} declined but changed z`);
          assertSameBits(a.data, aBefore.data, `${name} declined but changed a`);
        }
      }
    }
    const plain = new Matrix(2, 2);
    assert.equal(backend.biasActivation(plain, plain.clone(), new Float64Array(2), "relu"), false);
    assert.throws(
      () =>
        backend.biasActivation(backend.allocate(2, 3), backend.allocate(2, 3), new Float64Array(2), "relu"),
      TypeError,
    );
  } finally {
    backend.dispose();
  }
});

Deno.test("activationBackwardSum() and columnSum() on wasm-simd are bit-identical to the reference", () => {
  const backend = createWasmBackendSync();
  try {
    const rng = new Rng(12);
    for (const name of ALL_ACTIVATIONS) {
      for (const [rows, cols] of ELEMENTWISE_SHAPES) {
        for (const inPlace of [false, true]) {
          const z = backend.allocate(rows, cols), a = backend.allocate(rows, cols);
          const dA = backend.allocate(rows, cols);
          const dZ = inPlace ? dA : backend.allocate(rows, cols);
          const dB = backend.allocate(1, cols).data;
          for (const m of [z, a, dA, dZ]) fillSpecial(m.data, rng);
          fillSpecial(dB, rng);
          const dZRef = inPlace ? dA.clone() : dZ.clone(), dARef = inPlace ? dZRef : dA.clone();
          getActivation(name).backward(dZRef, dARef, z, a);
          const dBRef = new Float64Array(cols);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < cols; j++) dBRef[j] += dZRef.data[r * cols + j];
          }
          const label = `${name} ${rows}×${cols}${inPlace ? " in place" : ""}`;
          if (backend.activationBackwardSum(dZ, dA, z, a, dB, name)) {
            assertSameBits(dZ.data, dZRef.data, `${label} dZ`);
            assertSameBits(dB, dBRef, `${label} dB`);
          } else {
            assert.equal(name, "softmax", `${name} declined`);
          }
          // dB from dZ alone
          fillSpecial(dB, rng);
          assert.equal(backend.columnSum(dB, dZ), true);
          const sum = new Float64Array(cols);
          for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) sum[j] += dZ.data[r * cols + j];
          assertSameBits(dB, sum, `${label} columnSum`);
        }
      }
    }
  } finally {
    backend.dispose();
  }
});

Deno.test("optimizer steps through wasm-simd are bit-identical to the reference on one and two threads", async (t) => {
  const backends = [
    createWasmBackendSync(),
    await createWasmBackend({ threads: 2, elementwiseParallelThreshold: 1 }),
    await createWasmBackend({ threads: 2 }),
  ];
  const optimizers: [string, () => Optimizer][] = [
    ["sgd", () => new Sgd({ learningRate: 0.1 })],
    ["sgd + l2", () => new Sgd({ learningRate: 0.1, l2: 0.01 })],
    ["momentum", () => new Momentum({ learningRate: 0.05, momentum: 0.9 })],
    ["momentum + l2", () => new Momentum({ learningRate: 0.05, momentum: 0.8, l2: 0.02 })],
    ["nesterov", () => new Momentum({ learningRate: 0.05, nesterov: true })],
    ["nesterov + l2", () => new Momentum({ learningRate: 0.05, nesterov: true, l2: 0.001 })],
    ["adam", () => new Adam({ learningRate: 0.01 })],
    ["adam + l2", () => new Adam({ learningRate: 0.01, l2: 0.01 })],
  ];
  try {
    for (const backend of backends) {
      for (const [label, make] of optimizers) {
        await t.step(`${label} on ${backend.name}`, () => {
          const rng = new Rng(13);
          const lengths = [1, 2, 3, 17, 640, 40_001];
          const fast = lengths.map((length, i) => ({
            value: fillSpecial(backend.allocate(1, length).data, rng),
            gradient: fillSpecial(backend.allocate(1, length).data, rng),
            decay: i % 2 === 0,
          }));
          const reference = fast.map((p) => ({
            value: p.value.slice(),
            gradient: p.gradient,
            decay: p.decay,
          }));
          const fastOptimizer = make(), referenceOptimizer = make();
          for (let step = 0; step < 3; step++) {
            fastOptimizer.step(fast, backend);
            referenceOptimizer.step(reference);
          }
          fast.forEach((p, i) =>
            assertSameBits(p.value, reference[i].value, `${label}, length ${p.value.length}`)
          );
          // After reset, the same again from the zeroed state.
          fastOptimizer.reset();
          referenceOptimizer.reset();
          fastOptimizer.step(fast, backend);
          referenceOptimizer.step(reference);
          fast.forEach((p, i) => assertSameBits(p.value, reference[i].value, `${label} after reset`));
        });
      }
    }
  } finally {
    for (const backend of backends) backend.dispose();
  }
});

Deno.test("training on wasm-simd gives bit-identical weights and losses on one and two threads, and matches js closely", async () => {
  const backends: Backend[] = [
    jsBackend,
    createWasmBackendSync(),
    await createWasmBackend({ threads: 2, parallelThreshold: 0, elementwiseParallelThreshold: 1 }),
  ];
  try {
    const rng = new Rng(14);
    const x = fill(new Matrix(96, 20), rng), y = new Matrix(96, 4);
    for (let r = 0; r < 96; r++) y.set(r, rng.int(4), 1);
    const losses: number[][] = [];
    const weights = backends.map((backend) => {
      const net = new Network({
        input: 20,
        hidden: [16, { units: 9, activation: "leaky_relu" }, { units: 5, activation: "tanh" }],
        output: 4,
        activation: "relu",
        outputActivation: "softmax",
        seed: 5,
        backend,
      });
      const session = new FitSession(net, matrixSource(x, y), { batchSize: 32, optimizer: "adam", l2: 1e-3 });
      const epochLosses: number[] = [];
      for (let e = 0; e < 3; e++) epochLosses.push(session.runEpochSync().loss);
      losses.push(epochLosses);
      return net.layers.map((layer) => [layer.weights.data.slice(), layer.biases.slice()]);
    });
    // the epoch losses: bit-identical between one and two threads, within 1e-12 relative of the plain path
    assert.deepEqual(losses[2], losses[1]);
    losses[1].forEach((loss, e) => {
      assert.ok(Math.abs(loss - losses[0][e]) <= 1e-12 * Math.abs(losses[0][e]), `epoch ${e + 1} loss vs js`);
    });
    weights[1].forEach(([w, b], l) => {
      assertSameBits(weights[2][l][0], w, `layer ${l} weights, one vs two threads`);
      assertSameBits(weights[2][l][1], b, `layer ${l} biases, one vs two threads`);
      for (let i = 0; i < w.length; i++) {
        assert.ok(Math.abs(w[i] - weights[0][l][0][i]) <= 1e-9 * (1 + Math.abs(w[i])), `layer ${l} vs js`);
      }
    });
  } finally {
    for (const backend of backends) backend.dispose();
  }
});

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `seconds`. */
async function until(condition: () => boolean, what: string, seconds = 20): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("wasm-simd worker threads start on a large product, stop when idle and start again", async () => {
  const backend = createWasmBackendSync({ threads: 2, parallelThreshold: 0, idleMilliseconds: 20 });
  try {
    assert.equal(backend.workersRunning, false);
    checkProduct(backend, "matmul", [64, 96, 40], { inBackend: true });
    assert.equal(backend.workersRunning, true);
    await until(() => !backend.workersRunning, "the idle workers stop");
    checkProduct(backend, "matmulTransposeA", [64, 96, 40], { inBackend: true });
    assert.equal(backend.workersRunning, true);
  } finally {
    backend.dispose();
  }
  assert.equal(backend.workersRunning, false);
});

Deno.test("defaultBackend() is one backend per thread count over one memory, or the plain one", async (t) => {
  const one = defaultBackend() as WasmBackend, two = defaultBackend({ threads: 2 }) as WasmBackend;
  assert.equal(defaultBackend(), one);
  assert.equal(defaultBackend({ kind: "wasm" }), one);
  assert.equal(one.name, "wasm-simd");
  assert.equal(two.name, "wasm-simd×2");
  assert.equal(two.memory, one.memory);
  await t.step("products below 16 multiply-adds per row run the plain kernels (and stay exact)", () => {
    for (const form of FORMS) {
      for (const shape of [...EDGE_SHAPES, ...NETWORK_SHAPES[form]]) {
        checkProduct(one, form, shape, { inBackend: true });
      }
    }
  });
  await t.step("dispose() stops its workers but leaves it usable", () => {
    checkProduct(two, "matmul", [64, 128, 64], { inBackend: true });
    two.dispose();
    assert.equal(two.workersRunning, false);
    checkProduct(two, "matmul", [64, 128, 64], { inBackend: true });
    two.dispose();
  });
  await t.step("the plain backend for kind js, and for tiny networks under auto", () => {
    assert.equal(defaultBackend({ kind: "js" }), jsBackend);
    assert.equal(defaultBackend({ largestLayerWeights: 9 }), jsBackend);
    assert.equal(defaultBackend({ largestLayerWeights: 16 }), one);
    assert.equal(defaultBackend({ kind: "wasm", largestLayerWeights: 9 }), one);
  });
});
