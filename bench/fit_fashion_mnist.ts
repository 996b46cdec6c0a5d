// Fashion-MNIST through net.fit from a Dataset (uint8 images scaled per batch): the README's library example,
// run as written; prints the test accuracy and the epochs run. Measure its peak memory with /usr/bin/time -v.

import { loadDataset, Network, Rng } from "../mod.ts";

const epochs = Number(Deno.args[0] ?? 10);
const { train, test } = await loadDataset(
  { source: "fashion-mnist", testSplit: 0, normalize: "scale", scale: 255 },
  { rng: new Rng(42) },
);
const net = new Network({
  input: 784,
  hidden: [128],
  output: 10,
  activation: "relu",
  outputActivation: "softmax",
  init: "he",
});
const history = await net.fit(train, {
  epochs,
  batchSize: 64,
  optimizer: "adam",
  learningRate: 0.001,
  validationSplit: 0.1,
  earlyStop: { monitor: "val_loss", patience: 2 },
  callbacks: {
    onEpochEnd: (r) =>
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, val_loss ${r.valLoss!.toFixed(4)}, val_accuracy ${
          r.valAccuracy!.toFixed(4)
        } (${r.seconds.toFixed(1)} s)`,
      ),
  },
});
const result = net.evaluate(test!);
console.log(
  `epochs run: ${history.length}; test loss ${result.loss.toFixed(4)}, test accuracy ${result.accuracy}`,
);
console.log(net.classify(test!.rawFeatures().row(0)), test!.classNames![test!.labels![0]]);
