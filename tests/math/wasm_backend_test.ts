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
import { type Backend, jsBackend } from "../../src/math/backend.ts";
import {
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
  type WasmBackend,
} from "../../src/math/wasm/backend_wasm.ts";

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
function magnitudes(form: Form, a: Matrix, b: Matrix, m: number, n: number): Matrix {
  const abs = (x: Matrix) => new Matrix(x.rows, x.cols, x.data.map(Math.abs));
  const out = new Matrix(m, n);
  REFERENCE[form](out, abs(a), abs(b));
  return out;
}

function fill(matrix: Matrix, rng: Rng): Matrix {
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
): Matrix {
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
