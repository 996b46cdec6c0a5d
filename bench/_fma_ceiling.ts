// The ceiling of WebAssembly SIMD arithmetic on this machine: GFLOP/s of a loop that does nothing but fused
// multiply-adds on 12 independent vector accumulators held in registers (no loads, no stores, no dependency
// chain shorter than the FMA latency). No matrix kernel can beat it: it is the upper bound the products'
// GFLOP/s are measured against, and what a peer's rate has to be compared with before asking WebAssembly to
// match it.

import { Code, encodeModule, I32, V128 } from "../src/math/wasm/_emitter.ts";

/** Element type of the loop: f32x4 (4 lanes) or f64x2 (2 lanes). */
export type CeilingDtype = "float32" | "float64";

const ACCUMULATORS = 12;
const UNROLL = 4;

/** `run(n)`: n iterations of UNROLL × ACCUMULATORS relaxed multiply-adds; the accumulators stored at the end. */
function fmaLoop(dtype: CeilingDtype): (iterations: number) => void {
  const code = new Code(1);
  const acc = Array.from({ length: ACCUMULATORS }, () => code.local(V128));
  const b0 = code.local(V128), b1 = code.local(V128), a = code.local(V128), i = code.local(I32);
  const madd = (c: Code) => dtype === "float32" ? c.f32x4RelaxedMadd() : c.f64x2RelaxedMadd();
  for (const v of [b0, b1, a, ...acc]) code.v128Zero().set(v);
  code.i32Const(0).set(i);
  code.block().loop();
  code.get(i).get(0).i32GeS().brIf(1);
  for (let u = 0; u < UNROLL; u++) {
    for (let r = 0; r < ACCUMULATORS; r++) {
      code.get(a).get(r % 2 === 0 ? b0 : b1).get(acc[r]).op(madd).set(acc[r]);
    }
  }
  code.get(i).i32Const(1).i32Add().set(i);
  code.br(0).end().end();
  acc.forEach((v, r) => code.i32Const(16 * r).get(v).v128Store());
  const bytes = encodeModule([{ params: [I32], results: [], code, exportName: "run" }], {
    memory: { minimumPages: 1, maximumPages: 1, shared: false },
  });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports.run as (iterations: number) => void;
}

/**
 * Measures the FMA ceiling of one core in GFLOP/s (median of `trials` runs of about 50 ms), or undefined when
 * this runtime has no relaxed SIMD.
 */
export function fmaCeiling(dtype: CeilingDtype, trials = 7): number | undefined {
  let run: (iterations: number) => void;
  try {
    run = fmaLoop(dtype);
  } catch {
    return undefined;
  }
  const lanes = dtype === "float32" ? 4 : 2;
  const flopsPerIteration = UNROLL * ACCUMULATORS * lanes * 2;
  run(10_000);
  // size a run to about 50 ms
  let iterations = 100_000;
  const start = performance.now();
  run(iterations);
  const probe = Math.max(performance.now() - start, 0.1);
  iterations = Math.max(100_000, Math.round(iterations * 50 / probe));
  const rates: number[] = [];
  for (let t = 0; t < trials; t++) {
    const from = performance.now();
    run(iterations);
    rates.push(iterations * flopsPerIteration / ((performance.now() - from) * 1e6));
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)];
}

/**
 * Floating-point operations per sample of one training step of an MLP with these layer sizes, counting the
 * three products only (the forward product of every layer, every weight gradient, and the propagated error of
 * every layer but the first, which has no one to pass it to): 2·in·out each.
 */
export function trainingFlopsPerSample(layerSizes: readonly number[]): number {
  let flops = 0;
  for (let l = 1; l < layerSizes.length; l++) {
    const product = 2 * layerSizes[l - 1] * layerSizes[l];
    flops += l === 1 ? 2 * product : 3 * product;
  }
  return flops;
}
