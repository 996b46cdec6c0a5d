// Models for the export tests: every activation, random weights and biases, preprocessing, and their reference
// outputs computed by termnet's own predict on the plain TypeScript backend.

import { applyPreprocessing, type Preprocessing } from "../../src/data/dataset.ts";
import type { ActivationName } from "../../src/math/activations.ts";
import { jsBackend } from "../../src/math/backend.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { type ModelJson, networkFromJson } from "../../src/nn/serialize.ts";

/** One case per hidden activation; softmax, which is for outputs only, as the output of a tanh network. */
export const CASES: readonly { name: string; hidden: ActivationName; output: ActivationName }[] = [
  { name: "sigmoid", hidden: "sigmoid", output: "sigmoid" },
  { name: "tanh", hidden: "tanh", output: "tanh" },
  { name: "relu", hidden: "relu", output: "relu" },
  { name: "leaky_relu", hidden: "leaky_relu", output: "leaky_relu" },
  { name: "linear", hidden: "linear", output: "linear" },
  { name: "softmax output", hidden: "tanh", output: "softmax" },
];

/**
 * A 5-7-6-outputs model with weights and biases drawn from `seed` (uniform in ±1, so that ReLU units are both on
 * and off), z-score-like preprocessing (shift in ±3, factor in 0.5–2), feature names and, for softmax, labels.
 */
export function randomModel(
  hidden: ActivationName,
  output: ActivationName,
  seed: number,
): ModelJson {
  const rng = new Rng(seed);
  const sizes = [5, 7, 6, output === "softmax" ? 4 : 3];
  const layers = sizes.slice(1).map((units, l) => ({
    units,
    activation: l === sizes.length - 2 ? output : hidden,
    weights: Array.from({ length: units }, () => Array.from({ length: sizes[l] }, () => rng.uniform(-1, 1))),
    bias: Array.from({ length: units }, () => rng.uniform(-0.5, 0.5)),
  }));
  const model: ModelJson = {
    format: "termnet-model",
    version: 1,
    input: sizes[0],
    layers,
    preprocessing: {
      kind: "zscore",
      shift: Array.from({ length: sizes[0] }, () => rng.uniform(-3, 3)),
      factor: Array.from({ length: sizes[0] }, () => rng.uniform(0.5, 2)),
    },
    features: ["a", "b", "c", "d", "e"],
  };
  if (output === "softmax") model.labels = ["north", "east", "south", "west"];
  return model;
}

/** `rows` raw inputs in ±5, each value a float32 number (so that a float32 runtime sees exactly the same input). */
export function randomInputs(rows: number, columns: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from(
    { length: rows },
    () => Array.from({ length: columns }, () => Math.fround(rng.uniform(-5, 5))),
  );
}

/** termnet's predict on raw inputs: the model's preprocessing, then the network, on the plain backend. */
export function referencePredict(model: ModelJson, inputs: readonly (readonly number[])[]): number[][] {
  const network = networkFromJson(model, { backend: jsBackend });
  const x = Matrix.from(inputs.map((row) => [...row]));
  if (model.preprocessing) applyPreprocessing(x, model.preprocessing as Preprocessing);
  return network.predict(x).toArray();
}
