// Benchmarks of training throughput per backend (plain JS, WebAssembly SIMD on one and on two threads): one
// Fashion-MNIST-shaped step (Network.trainBatch) and one epoch through the real training path (FitSession over a
// matrixSource, which gathers each batch into the input buffer). Names give the samples per iteration, so
// samples/s = samples × iter/s; bench/mlp_step_throughput.ts prints samples/s directly.
//
//   deno bench --no-prompt bench/training_bench.ts

import { type Backend, jsBackend } from "../src/math/backend.ts";
import { getLoss } from "../src/math/losses.ts";
import { Matrix } from "../src/math/matrix.ts";
import { Rng } from "../src/math/random.ts";
import { createWasmBackend, createWasmBackendSync } from "../src/math/wasm/backend_wasm.ts";
import { FitSession, matrixSource } from "../src/nn/fit.ts";
import { Network } from "../src/nn/network.ts";
import { FASHION_MLP } from "./_workload.ts";
import { Sgd } from "../src/nn/optimizers.ts";

const BATCH = 64;
// 32 batches of 64: long enough for the epoch's own overhead (shuffle, record) to be small, short enough to repeat.
const EPOCH_SAMPLES = 2048;

const one = createWasmBackendSync();
const two = await createWasmBackend({ threads: 2 });
// The workers would keep the process alive: stop them when the benchmarks are done.
globalThis.addEventListener("unload", () => {
  one.dispose();
  two.dispose();
});

function fashionShaped(backend: Backend): Network {
  return new Network({ ...FASHION_MLP, backend });
}

const rng = new Rng(7);
const images = new Matrix(EPOCH_SAMPLES, 784), labels = new Matrix(EPOCH_SAMPLES, 10);
for (let i = 0; i < images.data.length; i++) images.data[i] = rng.next();
for (let r = 0; r < EPOCH_SAMPLES; r++) labels.set(r, rng.int(10), 1);

for (const backend of [jsBackend, one, two]) {
  const net = fashionShaped(backend);
  const x = net.inputBuffer(BATCH), y = backend.allocate(BATCH, 10);
  x.data.set(images.data.subarray(0, BATCH * 784));
  y.data.set(labels.data.subarray(0, BATCH * 10));
  const loss = getLoss("cross_entropy"), optimizer = new Sgd({ learningRate: 0.01 });
  Deno.bench({
    name: `step ${backend.name} (${BATCH} samples)`,
    group: "784-128-64-10 relu/softmax + cross_entropy, batch 64, sgd: one step (Network.trainBatch)",
    baseline: backend === jsBackend,
    fn: () => void net.trainBatch(x, y, loss, optimizer),
  });
}

for (const backend of [jsBackend, one, two]) {
  const net = fashionShaped(backend);
  const session = new FitSession(net, matrixSource(images, labels), { batchSize: BATCH, learningRate: 0.01 });
  Deno.bench({
    name: `epoch ${backend.name} (${EPOCH_SAMPLES} samples)`,
    group:
      `784-128-64-10, batch 64, sgd: one shuffled epoch of ${EPOCH_SAMPLES} samples (FitSession.runEpochSync)`,
    baseline: backend === jsBackend,
    // The plain backend takes ~0.4 s per epoch: a fixed, small number of runs.
    ...(backend === jsBackend ? { n: 5, warmup: 1 } : {}),
    fn: () => void session.runEpochSync(),
  });
}
