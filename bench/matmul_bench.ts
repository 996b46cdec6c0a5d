// Benchmarks of the three matrix products on the plain JS backend, WebAssembly SIMD on one thread and on
// two threads, at the MLP's shapes and at 512³. Names give the MFLOP per call: GFLOP/s = MFLOP / (time per
// call in ms) / 1000; bench/matmul_gflops.ts prints the GFLOP/s table directly.
//
//   deno bench --no-prompt bench/matmul_bench.ts

import { type Backend, jsBackend } from "../src/math/backend.ts";
import type { AnyMatrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { createWasmBackend, createWasmBackendSync } from "../src/math/wasm/backend_wasm.ts";

type Form = "matmul" | "matmulTransposeB" | "matmulTransposeA";

const one = createWasmBackendSync();
const two = await createWasmBackend({ threads: 2 });
// The workers would keep the process alive: stop them when the benchmarks are done.
globalThis.addEventListener("unload", () => {
  one.dispose();
  two.dispose();
});

const rng = new Rng(1);

function operand(backend: Backend, rows: number, cols: number): AnyMatrix {
  const m = backend.allocate(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

// [form, result rows m, inner size k, result columns n, what it is in the network]
const CASES: [Form, number, number, number, string][] = [
  ["matmulTransposeB", 64, 784, 128, "forward z = a·Wᵀ, 64×784·(128×784)ᵀ"],
  ["matmulTransposeA", 128, 64, 784, "backward dW = dZᵀ·a, (64×128)ᵀ·64×784"],
  ["matmul", 64, 128, 784, "backward dA = dZ·W, 64×128·128×784"],
  ["matmul", 64, 784, 128, "a·b 64×784·784×128"],
  ["matmul", 64, 128, 10, "a·b 64×128·128×10"],
  ["matmulTransposeB", 64, 128, 10, "forward z = a·Wᵀ, 64×128·(10×128)ᵀ"],
  ["matmulTransposeA", 128, 64, 10, "backward dW = dZᵀ·a, (64×128)ᵀ·64×10"],
  ["matmul", 512, 512, 512, "a·b 512×512·512×512"],
  ["matmulTransposeB", 512, 512, 512, "a·bᵀ 512×512·(512×512)ᵀ"],
  ["matmulTransposeA", 512, 512, 512, "aᵀ·b (512×512)ᵀ·512×512"],
];

for (const [form, m, k, n, label] of CASES) {
  const group = `${label} (${((2 * m * k * n) / 1e6).toFixed(2)} MFLOP)`;
  const large = m * k * n > 1e7;
  for (const backend of [jsBackend, one, two]) {
    const [aRows, aCols] = form === "matmulTransposeA" ? [k, m] : [m, k];
    const [bRows, bCols] = form === "matmulTransposeB" ? [n, k] : [k, n];
    const a = operand(backend, aRows, aCols), b = operand(backend, bRows, bCols);
    const out = backend.allocate(m, n);
    const product = backend[form].bind(backend);
    Deno.bench({
      name: `${form} ${backend.name}`,
      group,
      baseline: backend === jsBackend,
      // The 512³ product takes a few hundred milliseconds in plain JS: a fixed, small number of runs.
      ...(large && backend === jsBackend ? { n: 5, warmup: 1 } : {}),
      fn: () => product(out, a, b),
    });
  }
}
