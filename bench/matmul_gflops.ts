// Prints GFLOP/s (median of several trials) of the three matrix products per shape and backend, and the
// two-thread / one-thread ratio; with --threshold, also the sizes where two threads start to pay.
//
//   deno run --no-prompt bench/matmul_gflops.ts [--trials=9] [--threshold]

import { type Backend, jsBackend } from "../src/math/backend.ts";
import type { Matrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { createWasmBackend, createWasmBackendSync } from "../src/math/wasm/backend_wasm.ts";

type Form = "matmul" | "matmulTransposeB" | "matmulTransposeA";

interface Case {
  label: string;
  form: Form;
  /** Result m×n, inner size k. */
  m: number;
  k: number;
  n: number;
}

const CASES: Case[] = [
  { label: "forward z = a·Wᵀ, layer 1", form: "matmulTransposeB", m: 64, k: 784, n: 128 },
  { label: "backward dW = dZᵀ·a, layer 1", form: "matmulTransposeA", m: 128, k: 64, n: 784 },
  { label: "backward dA = dZ·W, layer 1", form: "matmul", m: 64, k: 128, n: 784 },
  { label: "A·B 64×784·784×128", form: "matmul", m: 64, k: 784, n: 128 },
  { label: "forward z = a·Wᵀ, layer 3", form: "matmulTransposeB", m: 64, k: 64, n: 10 },
  { label: "A·B 64×128·128×10", form: "matmul", m: 64, k: 128, n: 10 },
  { label: "backward dW, layer 2", form: "matmulTransposeA", m: 64, k: 64, n: 128 },
  { label: "A·B 512³", form: "matmul", m: 512, k: 512, n: 512 },
  { label: "A·Bᵀ 512³", form: "matmulTransposeB", m: 512, k: 512, n: 512 },
  { label: "Aᵀ·B 512³", form: "matmulTransposeA", m: 512, k: 512, n: 512 },
];

function operands(backend: Backend, c: Case, rng: Rng): [Matrix, Matrix, Matrix] {
  const shapes = {
    matmul: [[c.m, c.k], [c.k, c.n]],
    matmulTransposeB: [[c.m, c.k], [c.n, c.k]],
    matmulTransposeA: [[c.k, c.m], [c.k, c.n]],
  }[c.form];
  const [a, b] = shapes.map(([rows, cols]) => {
    const x = backend.allocate(rows, cols);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next() - 0.5;
    return x;
  });
  return [backend.allocate(c.m, c.n), a, b];
}

/** Median GFLOP/s of `trials` trials of about `milliseconds` each, after a warm-up. */
function measure(backend: Backend, c: Case, trials: number, milliseconds = 40): number {
  const [out, a, b] = operands(backend, c, new Rng(1));
  const run = backend[c.form].bind(backend);
  const flops = 2 * c.m * c.k * c.n;
  // Warm up (WebAssembly tiers up from the baseline compiler) and size the repetitions.
  let reps = 1;
  const warmEnd = performance.now() + 150;
  while (performance.now() < warmEnd) run(out, a, b);
  while (true) {
    const start = performance.now();
    for (let r = 0; r < reps; r++) run(out, a, b);
    if (performance.now() - start > milliseconds / 4) break;
    reps *= 2;
  }
  reps *= 4;
  const results: number[] = [];
  for (let t = 0; t < trials; t++) {
    const start = performance.now();
    for (let r = 0; r < reps; r++) run(out, a, b);
    const seconds = (performance.now() - start) / 1000;
    results.push((flops * reps) / seconds / 1e9);
  }
  results.sort((x, y) => x - y);
  return results[Math.floor(trials / 2)];
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

const args = Deno.args;
const trials = Number(args.find((a) => a.startsWith("--trials="))?.slice(9) ?? 9);
const one = createWasmBackendSync();
const two = await createWasmBackend({ threads: 2 });
const backends: Backend[] = [jsBackend, one, two];
try {
  console.log(
    `GFLOP/s, median of ${trials} trials (${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})`,
  );
  const header = [pad("product", 32), pad("m×k×n", 14), ...backends.map((b) => pad(b.name, 12)), "2t/1t"];
  console.log(header.join(" "));
  for (const c of CASES) {
    const speeds = backends.map((backend) =>
      backend === jsBackend && c.m * c.k * c.n > 1e7 ? NaN : measure(backend, c, trials)
    );
    const cells = speeds.map((s) => pad(Number.isNaN(s) ? "-" : s.toFixed(1), 12));
    const row = [
      pad(c.label, 32),
      pad(`${c.m}×${c.k}×${c.n}`, 14),
      ...cells,
      (speeds[2] / speeds[1]).toFixed(2),
    ];
    console.log(row.join(" "));
  }
  if (args.includes("--threshold")) {
    const forced = await createWasmBackend({ threads: 2, parallelThreshold: 0 });
    try {
      console.log("\nThreshold: one thread vs always two threads, cubes s×s×s (GFLOP/s)");
      for (const s of [8, 12, 16, 20, 24, 28, 32, 40, 48, 64, 96]) {
        const c: Case = { label: "", form: "matmul", m: s, k: s, n: s };
        const single = measure(one, c, trials, 20), double = measure(forced, c, trials, 20);
        console.log(
          `${pad(String(s), 4)} m·n·k=${pad(String(s ** 3), 8)} 1t ${single.toFixed(1)}  2t ${
            double.toFixed(1)
          }`,
        );
      }
    } finally {
      forced.dispose();
    }
  }
} finally {
  one.dispose();
  two.dispose();
}
