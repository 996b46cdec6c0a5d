// Prints training throughput (samples/s) of the Fashion-MNIST-shaped 784-128-64-10 MLP (ReLU, softmax +
// cross-entropy, batch 64, SGD) per backend, and how much of a step the matrix products take.
//
//   deno run --no-prompt bench/mlp_step_throughput.ts [--trials=9] [--best]

import { type Backend, jsBackend } from "../src/math/backend.ts";
import { getLoss } from "../src/math/losses.ts";
import { type AnyMatrix, Matrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { createWasmBackend, createWasmBackendSync } from "../src/math/wasm/backend_wasm.ts";
import { Network } from "../src/nn/network.ts";
import { FASHION_MLP } from "./_workload.ts";
import { Sgd } from "../src/nn/optimizers.ts";

const BATCH = 64;

/** Delegates to `inner` and adds up the time spent in the three products. */
class TimedBackend implements Backend {
  readonly name: string;
  readonly dtype?: Backend["dtype"];
  productMilliseconds = 0;
  #inner: Backend;

  constructor(inner: Backend) {
    this.#inner = inner;
    this.dtype = inner.dtype;
    this.name = inner.name;
  }

  allocate(rows: number, cols: number): AnyMatrix {
    return this.#inner.allocate(rows, cols);
  }

  matmul(out: Matrix, a: Matrix, b: Matrix): void {
    const start = performance.now();
    this.#inner.matmul(out, a, b);
    this.productMilliseconds += performance.now() - start;
  }

  matmulTransposeB(out: Matrix, a: Matrix, b: Matrix): void {
    const start = performance.now();
    this.#inner.matmulTransposeB(out, a, b);
    this.productMilliseconds += performance.now() - start;
  }

  matmulTransposeA(out: Matrix, a: Matrix, b: Matrix): void {
    const start = performance.now();
    this.#inner.matmulTransposeA(out, a, b);
    this.productMilliseconds += performance.now() - start;
  }

  dispose(): void {
    this.#inner.dispose();
  }

  // The optional elementwise fast paths, forwarded untimed (they count as "other").
  biasActivation?: Backend["biasActivation"];
  activationBackwardSum?: Backend["activationBackwardSum"];
  columnSum?: Backend["columnSum"];
  optimizerStep?: Backend["optimizerStep"];

  static wrap(inner: Backend): TimedBackend {
    const timed = new TimedBackend(inner);
    if (inner.biasActivation) timed.biasActivation = inner.biasActivation.bind(inner);
    if (inner.activationBackwardSum) timed.activationBackwardSum = inner.activationBackwardSum.bind(inner);
    if (inner.columnSum) timed.columnSum = inner.columnSum.bind(inner);
    if (inner.optimizerStep) timed.optimizerStep = inner.optimizerStep.bind(inner);
    return timed;
  }
}

interface Subject {
  backend: TimedBackend;
  step(): void;
  samplesPerSecond: number[];
  productShare: number[];
}

function subject(inner: Backend): Subject {
  const backend = TimedBackend.wrap(inner);
  const net = new Network({ ...FASHION_MLP, backend });
  const rng = new Rng(2);
  const x = net.inputBuffer(BATCH);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  const y = new Matrix(BATCH, 10);
  for (let r = 0; r < BATCH; r++) y.set(r, rng.int(10), 1);
  const loss = getLoss("cross_entropy"), optimizer = new Sgd({ learningRate: 0.01 });
  return {
    backend,
    step: () => void net.trainBatch(x, y, loss, optimizer),
    samplesPerSecond: [],
    productShare: [],
  };
}

const args = Deno.args;
const trials = Number(args.find((a) => a.startsWith("--trials="))?.slice(9) ?? 9);
const best = args.includes("--best");
const wasmOne = createWasmBackendSync();
const wasmTwo = await createWasmBackend({ threads: 2 });
const wasmOne32 = createWasmBackendSync({ dtype: "float32" });
const wasmTwo32 = await createWasmBackend({ threads: 2, dtype: "float32" });
const subjects = [
  subject(jsBackend),
  subject(wasmOne),
  subject(wasmTwo),
  subject(wasmOne32),
  subject(wasmTwo32),
];
try {
  for (const s of subjects) {
    const end = performance.now() + 300;
    while (performance.now() < end) s.step();
  }
  for (let t = 0; t < trials; t++) {
    for (const s of subjects) {
      const steps = s.backend.name === "js" ? 20 : 200;
      s.backend.productMilliseconds = 0;
      const start = performance.now();
      for (let i = 0; i < steps; i++) s.step();
      const milliseconds = performance.now() - start;
      s.samplesPerSecond.push((steps * BATCH) / (milliseconds / 1000));
      s.productShare.push(s.backend.productMilliseconds / milliseconds);
    }
  }
  const pick = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return best ? sorted[sorted.length - 1] : sorted[Math.floor(sorted.length / 2)];
  };
  console.log(
    `784-128-64-10 MLP, batch ${BATCH}, SGD: ${best ? "best" : "median"} of ${trials} interleaved trials`,
  );
  for (const s of subjects) {
    const rate = pick(s.samplesPerSecond);
    const share = s.productShare[s.samplesPerSecond.indexOf(rate)];
    const stepMicroseconds = (BATCH / rate) * 1e6;
    console.log(
      `${s.backend.name.padEnd(14)} ${rate.toFixed(0).padStart(8)} samples/s  ` +
        `step ${stepMicroseconds.toFixed(0).padStart(6)} µs  products ${(share * 100).toFixed(0)}%, ` +
        `other ${((1 - share) * stepMicroseconds).toFixed(0)} µs`,
    );
  }
} finally {
  wasmOne.dispose();
  wasmTwo.dispose();
  wasmOne32.dispose();
  wasmTwo32.dispose();
}
