// The network the benchmarks train: the Fashion-MNIST-shaped MLP, 784-128-64-10, ReLU, softmax.

import type { NetworkOptions } from "../src/nn/network.ts";

/** Options of the 784-128-64-10 ReLU/softmax network (He initialisation, seed 1); add a `backend` to place it. */
export const FASHION_MLP: NetworkOptions = {
  input: 784,
  hidden: [128, 64],
  output: 10,
  activation: "relu",
  outputActivation: "softmax",
  init: "he",
  seed: 1,
};
