// Peak memory of a Fashion-MNIST training run: the process's resident set, sampled while one epoch trains.
//
//   deno run --no-prompt --allow-read --allow-env=LOG_TOKENS,LOG_STREAM bench/peak_memory.ts [--epochs=1]
//
// Loads configs/fashion-mnist.yaml the way `deno task train` does (images kept as bytes, converted per batch),
// builds its network on its backend and trains with the trainer's loop, sampling Deno.memoryUsage().rss every
// 10 ms (the loop yields to the event loop every 20 ms). The budget is 400 MB.

import { loadConfig } from "../src/config/load_config.ts";
import { resolveNetworkShape } from "../src/config/resolve.ts";
import { loadDataset } from "../src/data/load.ts";
import { Rng } from "../src/math/random.ts";
import { createBackend } from "../src/math/create_backend.ts";
import { FitSession } from "../src/nn/fit.ts";
import { Network } from "../src/nn/network.ts";

const epochs = Number((Deno.args.find((arg) => arg.startsWith("--epochs=")) ?? "--epochs=1").slice(9));
const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
let peak = Deno.memoryUsage().rss;
const sample = () => peak = Math.max(peak, Deno.memoryUsage().rss);
const timer = setInterval(sample, 10);

const { config, baseDir } = await loadConfig("configs/fashion-mnist.yaml");
const data = await loadDataset(config.data, { baseDir, rng: new Rng(config.seed) });
sample();
const afterLoad = peak;
const shape = resolveNetworkShape(config.network, {
  inputSize: data.train.inputSize,
  task: data.train.task,
  classCount: data.train.classNames?.length,
  targetSize: data.train.targetSize,
}, { loss: config.train.loss });
const train = shape.targetEncoding ? data.train.withTargetEncoding(shape.targetEncoding) : data.train;
const backend = await createBackend({ kind: config.train.backend, threads: config.train.threads });
const network = new Network({
  input: shape.input,
  layers: shape.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
  init: shape.init,
  seed: config.seed,
  backend,
});
const session = new FitSession(network, train, {
  batchSize: config.train.batchSize,
  learningRate: config.train.learningRate,
  optimizer: config.train.optimizer,
  loss: shape.loss,
});
for (let e = 0; e < epochs; e++) await session.runEpoch({ yieldEveryMs: 20 });
sample();
clearInterval(timer);
backend.dispose();
console.log(
  `Peak memory, configs/fashion-mnist.yaml (${train.size} training images as bytes, ${backend.name}): ` +
    `${megabytes(afterLoad)} after loading, ${megabytes(peak)} peak over ${epochs} epoch(s) (budget 400 MB)`,
);
