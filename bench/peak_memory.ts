// Peak memory of a Fashion-MNIST training run: the process's resident set, sampled while one epoch trains.
//
//   deno run --no-prompt --allow-read --allow-env=LOG_TOKENS,LOG_STREAM bench/peak_memory.ts [--epochs=1]
//
// Loads configs/fashion-mnist.yaml the way `deno task train` does (images kept as bytes, converted per batch),
// builds its network on its backend and trains with the training loop (trainingRun), sampling Deno.memoryUsage().rss every
// 10 ms (the loop yields to the event loop every 20 ms). The budget is 400 MB.

import { prepare } from "../src/cli.ts";
import { loadConfig } from "../src/config/load_config.ts";
import { getLoss } from "../src/math/losses.ts";
import { trainingRun } from "../src/nn/training_run.ts";

const epochs = Number((Deno.args.find((arg) => arg.startsWith("--epochs=")) ?? "--epochs=1").slice(9));
const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
let peak = Deno.memoryUsage().rss;
const sample = () => peak = Math.max(peak, Deno.memoryUsage().rss);
const timer = setInterval(sample, 10);

const file = "configs/fashion-mnist.yaml";
const { config } = await loadConfig(file);
const { train, network, backend, loss } = await prepare(config, file);
sample();
const afterLoad = peak;
const run = trainingRun(network, train, {
  epochs,
  batchSize: config.train.batchSize,
  learningRate: config.train.learningRate,
  optimizer: config.train.optimizer,
  loss: getLoss(loss).name,
  yieldEveryMs: 20,
});
for await (const _ of run);
sample();
clearInterval(timer);
backend.dispose();
console.log(
  `Peak memory, configs/fashion-mnist.yaml (${train.size} training images as bytes, ${backend.name}): ` +
    `${megabytes(afterLoad)} after loading, ${megabytes(peak)} peak over ${epochs} epoch(s) (budget 400 MB)`,
);
