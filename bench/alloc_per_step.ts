// Measures bytes allocated per training step once warmed up (target 0), and GFLOP/s of the three matrix products.
//
//   deno run --no-prompt --v8-flags=--expose-gc,--min-semi-space-size=64 bench/alloc_per_step.ts [--case=N]
//
// A step should allocate nothing: layers, optimizers and the fit loop allocate their buffers once. We warm up,
// collect garbage, then run many steps and read the growth of the V8 heap. The large young generation
// (--min-semi-space-size, in MB) keeps the collector from running during a measured round; a round during which it
// ran anyway (the heap shrank) is discarded.
//
// "Warmed up" means V8 has compiled the kernels with its optimizing tier (TurboFan). Before that, the mid tier
// (Maglev) boxes floating-point loop values and allocates about 16 bytes per element; that is a property of the
// JIT, not of the code. Run each case in a fresh process:
//
//   for i in 0 1 2 3; do deno run --no-prompt --v8-flags=--expose-gc,--min-semi-space-size=64 \
//     bench/alloc_per_step.ts --case=$i; done
//
// --backend=js (default), wasm (WebAssembly SIMD, one thread) or wasm2 (two threads) picks where the network lives.

import { getLoss, type LossName } from "../src/math/losses.ts";
import {
  matmulTransposeAUnchecked,
  matmulTransposeBUnchecked,
  matmulUnchecked,
  Matrix,
} from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { type Backend, jsBackend } from "../src/math/backend.ts";
import { createWasmBackend } from "../src/math/wasm/backend_wasm.ts";
import { FitSession, matrixSource } from "../src/nn/fit.ts";
import { trainingRun } from "../src/nn/training_run.ts";
import { Network, type NetworkOptions } from "../src/nn/network.ts";
import { createOptimizer, type OptimizerName } from "../src/nn/optimizers.ts";
import { FASHION_MLP } from "./_workload.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("Run with --v8-flags=--expose-gc (see the comment at the top of this file)");
  Deno.exit(2);
}

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

/** Median heap growth per round of `calls` calls, over rounds in which no collection ran (NaN if each had one). */
function growthPerRound(step: () => void, calls: number, rounds: number): number {
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    gc!();
    // The first Deno.memoryUsage() after a collection allocates ~2–3 KB of its own; this one takes that.
    Deno.memoryUsage();
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) step();
    const after = Deno.memoryUsage().heapUsed;
    if (after >= before) results.push(after - before);
  }
  results.sort((a, b) => a - b);
  return results.length > 0 ? results[results.length >> 1] : NaN;
}

function nothing(): void {}

/**
 * Bytes allocated per call of `step`: the median growth of a round, less that of a round of empty calls (the
 * object `Deno.memoryUsage()` returns, ~200 bytes per round, which would be ~10 bytes per call at 20 calls).
 */
function bytesPerCall(step: () => void, calls: number, rounds = 5): { bytes: number; overhead: number } {
  const overhead = growthPerRound(nothing, calls, rounds);
  return { bytes: (growthPerRound(step, calls, rounds) - overhead) / calls, overhead };
}

interface Case {
  name: string;
  network: NetworkOptions;
  samples: number;
  batchSize: number;
  optimizer: OptimizerName;
  loss: LossName;
  /** Calls per measured round. */
  calls: number;
  /** Calls before measuring. */
  warmup: number;
  /**
   * A smaller network of the same kinds of layers to warm the same functions on first, when a step of the real one
   * is too slow to call ten thousand times. Its arrays must all be larger than 64 bytes, like the real network's:
   * V8 keeps smaller typed arrays inside the heap, and code optimized for one kind is thrown away for the other.
   */
  warmupNetwork?: NetworkOptions;
}

/** A network and data set for a case, with one-hot targets (used as plain numbers by mse). */
function build(c: Case, network: NetworkOptions) {
  const rng = new Rng(3);
  const net = new Network({ ...network, backend });
  const x = randomMatrix(rng, c.samples, network.input);
  const y = new Matrix(c.samples, net.output);
  for (let r = 0; r < c.samples; r++) y.set(r, rng.int(net.output), 1);
  const session = new FitSession(net, matrixSource(x, y), {
    batchSize: c.batchSize,
    optimizer: c.optimizer,
    loss: c.loss,
    learningRate: 0.01,
  });
  const batch = net.inputBuffer(c.batchSize);
  batch.data.set(x.data.subarray(0, c.batchSize * network.input));
  const target = backend.allocate(c.batchSize, net.output);
  target.data.set(y.data.subarray(0, c.batchSize * net.output));
  const optimizer = createOptimizer(c.optimizer, { learningRate: 0.01 });
  const loss = getLoss(c.loss);
  return {
    trainBatch: () => void net.trainBatch(batch, target, loss, optimizer),
    epoch: () => void session.runEpochSync(),
  };
}

/**
 * Heap growth per epoch of `trainingRun` (the loop net.fit and the CLI run) over `rows` random rows in batches of
 * one, measured over 100 epochs after 200 of warm-up (the optimizing tier): whatever it allocates per batch shows up `rows` times.
 */
async function trainingRunBytes(network: NetworkOptions, rows: number): Promise<number> {
  const rng = new Rng(3);
  const net = new Network({ ...network, backend });
  const x = randomMatrix(rng, rows, network.input), y = randomMatrix(rng, rows, net.output);
  const warm = 200, epochs = 300;
  let before = 0, after = 0;
  const options = { epochs, batchSize: 1, learningRate: 0.01, loss: "mse" as const, yieldEveryMs: 1e9 };
  for await (const record of trainingRun(net, matrixSource(x, y), options)) {
    if (record.type !== "epoch") continue;
    if (record.record.epoch === warm) {
      gc!();
      Deno.memoryUsage();
      before = Deno.memoryUsage().heapUsed;
    }
    if (record.record.epoch === epochs) after = Deno.memoryUsage().heapUsed;
  }
  return (after - before) / (epochs - warm);
}

const FASHION = FASHION_MLP;

const CASES: Case[] = [
  {
    name: "XOR 2-3-3-1 sigmoid + mse, batch 4, sgd",
    network: { input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 },
    samples: 4,
    batchSize: 4,
    optimizer: "sgd",
    loss: "mse",
    calls: 20_000,
    warmup: 30_000,
  },
  ...(["sgd", "momentum", "adam"] as const).map((optimizer) => ({
    name: `784-128-64-10 relu/softmax + cross_entropy, batch 64, ${optimizer}`,
    network: FASHION,
    samples: 256,
    batchSize: 64,
    optimizer,
    loss: "cross_entropy" as const,
    calls: 100,
    warmup: 100,
    warmupNetwork: { ...FASHION, input: 16, hidden: [16, 16] },
  })),
];

// One case per process (`--case=N`, default 0): once V8 has seen a second network of other sizes, some optimized
// code is thrown away and the mid tier, which allocates, runs again for a while.
const caseIndex = Number((Deno.args.find((arg) => arg.startsWith("--case=")) ?? "--case=0").slice(7));
const c = CASES[caseIndex];
if (c === undefined) {
  console.error(`No case ${caseIndex}: choose 0 to ${CASES.length - 1}`);
  Deno.exit(2);
}
const backendName = (Deno.args.find((arg) => arg.startsWith("--backend=")) ?? "--backend=js").slice(10);
if (!["js", "wasm", "wasm2"].includes(backendName)) {
  console.error(`Unknown backend "${backendName}": choose js, wasm or wasm2`);
  Deno.exit(2);
}
const backend: Backend = backendName === "js"
  ? jsBackend
  : await createWasmBackend({ threads: backendName === "wasm2" ? 2 : 1 });
console.log(
  `Bytes allocated per training step, warmed up (target 0): case ${caseIndex} of 0–${CASES.length - 1}, ` +
    `backend ${backend.name}`,
);
const small = c.warmupNetwork && build({ ...c, samples: 32, batchSize: 16 }, c.warmupNetwork);
for (let i = 0; small && i < 30_000; i++) small.trainBatch();
const real = build(c, c.network);
for (let i = 0; i < c.warmup; i++) real.trainBatch();
const step = bytesPerCall(real.trainBatch, c.calls);
for (let i = 0; small && i < 10_000; i++) small.epoch();
for (let i = 0; i < c.warmup; i++) real.epoch();
const epoch = bytesPerCall(real.epoch, c.calls);
const stepsPerEpoch = Math.ceil(c.samples / c.batchSize);
const loop = caseIndex === 0 ? await trainingRunBytes(c.network, 1024) : undefined;
backend.dispose();
console.log(`  ${c.name}`);
console.log(`    Network.trainBatch       ${step.bytes.toFixed(1).padStart(8)} bytes/step`);
console.log(
  `    FitSession.runEpochSync  ${(epoch.bytes / stepsPerEpoch).toFixed(1).padStart(8)} bytes/step ` +
    `(${epoch.bytes.toFixed(1)} bytes per epoch of ${stepsPerEpoch} step${stepsPerEpoch > 1 ? "s" : ""})`,
);
if (loop !== undefined) {
  console.log(
    `    trainingRun              ${(loop / 1024).toFixed(1).padStart(8)} bytes/step ` +
      `(${loop.toFixed(0)} bytes per epoch of 1024 steps of one row: the epoch's records and promises)`,
  );
}

// ---- GFLOP/s of the reference kernels: 2·m·k·n floating-point operations per product ----

const SHAPES: [number, number, number][] = [[64, 784, 128], [64, 128, 10], [512, 512, 512]];

function gflops(fn: () => void, flops: number): number {
  for (let i = 0; i < 3; i++) fn();
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < 500 || calls < 3) {
    fn();
    calls++;
    elapsed = performance.now() - started;
  }
  return (flops * calls) / (elapsed / 1000) / 1e9;
}

console.log("\nGFLOP/s of the reference JS kernels (matrix.ts), out = m×n, inner size k");
const rng = new Rng(1);
for (const [m, k, n] of SHAPES) {
  const flops = 2 * m * k * n;
  const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
  const bT = randomMatrix(rng, n, k), aT = randomMatrix(rng, k, m), out = new Matrix(m, n);
  const rates = [
    gflops(() => matmulUnchecked(out, a, b), flops),
    gflops(() => matmulTransposeBUnchecked(out, a, bT), flops),
    gflops(() => matmulTransposeAUnchecked(out, aT, b), flops),
  ];
  console.log(
    `  ${m}×${k}·${k}×${n}`.padEnd(22) +
      `a·b ${rates[0].toFixed(2)}   a·bᵀ ${rates[1].toFixed(2)}   aᵀ·b ${rates[2].toFixed(2)}`,
  );
}
