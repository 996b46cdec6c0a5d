// Benchmarks of the engine core: the three matrix products (reference JS kernels), XOR epochs, and one
// Fashion-MNIST-shaped training step. Each product does 2·m·k·n floating-point operations; the names give the
// MFLOP per call, so GFLOP/s = MFLOP / (time per call in ms) / 1000 (bench/alloc_per_step.ts prints them).

import { getLoss } from "../src/math/losses.ts";
import {
  matmulTransposeAUnchecked,
  matmulTransposeBUnchecked,
  matmulUnchecked,
  Matrix,
} from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { FitSession, matrixSource } from "../src/nn/fit.ts";
import { Network } from "../src/nn/network.ts";
import { FASHION_MLP } from "./_workload.ts";
import { Sgd } from "../src/nn/optimizers.ts";

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

const rng = new Rng(1);

for (const [m, k, n] of [[64, 784, 128], [64, 128, 10], [512, 512, 512]]) {
  const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
  const aT = randomMatrix(rng, k, m), bT = randomMatrix(rng, n, k), out = new Matrix(m, n);
  const group = `${m}×${k}·${k}×${n} (${(2 * m * k * n / 1e6).toFixed(2)} MFLOP)`;
  const large = m * k * n > 1e7;
  // The 512³ product takes a few hundred milliseconds in plain JS: a fixed, small number of runs.
  const runs = large ? { n: 10, warmup: 2 } : {};
  Deno.bench({
    name: `matmul a·b ${m}×${k}·${k}×${n}`,
    group,
    baseline: true,
    ...runs,
    fn: () => matmulUnchecked(out, a, b),
  });
  Deno.bench({
    name: `matmulTransposeB a·bᵀ ${m}×${k}·(${n}×${k})ᵀ`,
    group,
    ...runs,
    fn: () => matmulTransposeBUnchecked(out, a, bT),
  });
  Deno.bench({
    name: `matmulTransposeA aᵀ·b (${k}×${m})ᵀ·${k}×${n}`,
    group,
    ...runs,
    fn: () => matmulTransposeAUnchecked(out, aT, b),
  });
}

{
  const net = new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });
  const x = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Matrix.from([[0], [1], [1], [0]]);
  const session = new FitSession(net, matrixSource(x, y), { batchSize: 4, learningRate: 2, loss: "mse" });
  Deno.bench({
    name: "XOR epoch, 2-3-3-1 sigmoid + mse, batch 4 (FitSession.runEpochSync)",
    group: "training",
    fn: () => void session.runEpochSync(),
  });
}

{
  const net = new Network(FASHION_MLP);
  const x = net.inputBuffer(64);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  const y = new Matrix(64, 10);
  for (let r = 0; r < 64; r++) y.set(r, rng.int(10), 1);
  const loss = getLoss("cross_entropy"), optimizer = new Sgd({ learningRate: 0.01 });
  // forward 2·64·(784·128 + 128·64 + 64·10) FLOP, backward about twice that
  Deno.bench({
    name: "Fashion-MNIST-shaped step, 784-128-64-10 relu/softmax + cross_entropy, batch 64, sgd",
    group: "training",
    fn: () => void net.trainBatch(x, y, loss, optimizer),
  });
}
