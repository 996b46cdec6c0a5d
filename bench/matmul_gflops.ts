// Prints GFLOP/s (median of several trials) of the three matrix products per shape and backend, and the
// two-thread / one-thread ratio; with --threshold, also the sizes where two threads start to pay.
//
//   deno run --no-prompt bench/matmul_gflops.ts [--trials=9] [--best] [--threshold]

import { type Backend, jsBackend } from "../src/math/backend.ts";
import type { AnyMatrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { createWasmBackend, createWasmBackendSync } from "../src/math/wasm/backend_wasm.ts";
import { fmaCeiling } from "./_fma_ceiling.ts";

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

function operands(backend: Backend, c: Case, rng: Rng): [AnyMatrix, AnyMatrix, AnyMatrix] {
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

/** A product ready to time: `run()` computes it `reps` times; `flops` per repetition. */
interface Timed {
  run(): void;
  flops: number;
}

/** Prepares `c` on `backend`: operands allocated, warmed up (WebAssembly tiers up), repetitions sized. */
function prepare(backend: Backend, c: Case, milliseconds: number): Timed {
  const [out, a, b] = operands(backend, c, new Rng(1));
  const product = backend[c.form].bind(backend);
  const warmEnd = performance.now() + 100;
  while (performance.now() < warmEnd) product(out, a, b);
  let reps = 1;
  while (true) {
    const start = performance.now();
    for (let r = 0; r < reps; r++) product(out, a, b);
    if (performance.now() - start > milliseconds / 4) break;
    reps *= 2;
  }
  reps *= 4;
  return {
    run: () => {
      for (let r = 0; r < reps; r++) product(out, a, b);
    },
    flops: 2 * c.m * c.k * c.n * reps,
  };
}

/**
 * GFLOP/s of `c` on each backend: trials interleaved across the backends (so that load from other
 * processes hits them alike), then the median, or the best trial with `best`.
 */
function measure(
  backends: Backend[],
  c: Case,
  options: { trials: number; best: boolean; milliseconds: number },
): number[] {
  const timed = backends.map((backend) => prepare(backend, c, options.milliseconds));
  const results: number[][] = backends.map(() => []);
  for (let t = 0; t < options.trials; t++) {
    timed.forEach((x, i) => {
      const start = performance.now();
      x.run();
      results[i].push(x.flops / ((performance.now() - start) / 1000) / 1e9);
    });
  }
  return results.map((r) => {
    r.sort((x, y) => x - y);
    return options.best ? r[r.length - 1] : r[Math.floor(r.length / 2)];
  });
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

const args = Deno.args;
const trials = Number(args.find((a) => a.startsWith("--trials="))?.slice(9) ?? 9);
const best = args.includes("--best");
const one = createWasmBackendSync();
const two = await createWasmBackend({ threads: 2 });
// The float32 products (f32x4) beside the float64 ones, on one and two threads.
const one32 = createWasmBackendSync({ dtype: "float32" });
const two32 = await createWasmBackend({ threads: 2, dtype: "float32" });
try {
  const statistic = best ? "best" : "median";
  console.log(
    `GFLOP/s, ${statistic} of ${trials} interleaved trials (${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})`,
  );
  const names = [jsBackend.name, one.name, two.name, one32.name, two32.name];
  console.log(
    [pad("product", 32), pad("m×k×n", 14), ...names.map((name) => pad(name, 12)), pad("2t/1t", 5), "f32/f64"]
      .join(" "),
  );
  for (const c of CASES) {
    const big = c.m * c.k * c.n > 1e7;
    const wasm = measure([one, two, one32, two32], c, { trials, best, milliseconds: 40 });
    const js = big ? NaN : measure([jsBackend], c, { trials: 3, best, milliseconds: 40 })[0];
    const cells = [js, ...wasm].map((s) => pad(Number.isNaN(s) ? "-" : s.toFixed(1), 12));
    console.log(
      [
        pad(c.label, 32),
        pad(`${c.m}×${c.k}×${c.n}`, 14),
        ...cells,
        pad((wasm[1] / wasm[0]).toFixed(2), 5),
        (wasm[2] / wasm[0]).toFixed(2),
      ].join(" "),
    );
  }
  const ceiling64 = fmaCeiling("float64"), ceiling32 = fmaCeiling("float32");
  if (ceiling64 !== undefined && ceiling32 !== undefined) {
    console.log(
      `Ceiling, one core (a loop of nothing but relaxed fused multiply-adds in registers): ` +
        `f64x2 ${ceiling64.toFixed(1)}, f32x4 ${ceiling32.toFixed(1)} GFLOP/s; two cores at most twice that`,
    );
  }
  if (args.includes("--threshold")) {
    const forced = await createWasmBackend({ threads: 2, parallelThreshold: 0 });
    try {
      console.log(`\nThreshold: one thread vs always two threads, s×s×s (GFLOP/s, ${statistic})`);
      for (const s of [8, 12, 16, 20, 24, 28, 32, 40, 48, 64, 96]) {
        const c: Case = { label: "", form: "matmul", m: s, k: s, n: s };
        const [single, double] = measure([one, forced], c, { trials, best, milliseconds: 20 });
        console.log(
          `${pad(String(s), 4)} m·n·k=${pad(String(s ** 3), 8)} 1t ${pad(single.toFixed(1), 6)} 2t ${
            pad(double.toFixed(1), 6)
          } ratio ${(double / single).toFixed(2)}`,
        );
      }
    } finally {
      forced.dispose();
    }
  }
} finally {
  one.dispose();
  two.dispose();
  one32.dispose();
  two32.dispose();
}
