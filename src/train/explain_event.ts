// The explain event: explainSample's numbers for one input or training sample, copied with names and sizes.

import type { Dataset } from "../data/dataset.ts";
import type { LossName } from "../math/losses.ts";
import { Matrix } from "../math/matrix.ts";
import { explainSample } from "../nn/explain.ts";
import { defaultLoss } from "../nn/fit.ts";
import type { Network } from "../nn/network.ts";
import { predictedClass } from "./evaluate.ts";
import type { ExplainEvent } from "./events.ts";

/** Layers with more weights than this carry no `dW` list in the event (the views show norms for them). */
export const MAX_LISTED_WEIGHTS = 4096;

/** Options of {@linkcode explainEvent}. */
export interface ExplainEventOptions {
  /** y, as the network's outputs should be; without it only the forward pass. */
  target?: readonly number[];
  /** The training loss (default: the one matching the output activation). */
  loss?: LossName;
  /** The raw features before preprocessing, shown beside x. */
  rawInput?: readonly number[];
  /** Class names of a classifier, in output order. */
  classNames?: readonly string[];
  /** The training sample's index and the number of samples. */
  sample?: number;
  /** Number of training samples. */
  samples?: number;
  /** The epoch whose weights these are. */
  epoch?: number;
  /** Where a pause in the middle of an epoch stopped (see `ExplainEvent.pausedAt`). */
  pausedAt?: { epoch: number; batch: number; batches: number };
  /** List ∂W only for layers of at most this many weights (default {@linkcode MAX_LISTED_WEIGHTS}). */
  maxListedWeights?: number;
}

/** The class a classifier's output row (or one-hot / 0-1 target row) stands for: argmax, or p ≥ 0.5 for one unit. */
export function classOf(row: readonly number[]): number {
  return predictedClass(row, 0, row.length);
}

/**
 * The forward (and with a target, backward) pass of `input` through `network` as an {@linkcode ExplainEvent}.
 *
 * @param input x, after preprocessing   (inputs).
 */
export function explainEvent(
  network: Network,
  input: readonly number[],
  options: ExplainEventOptions = {},
): ExplainEvent {
  const explained = explainSample(network, input, { target: options.target, loss: options.loss });
  const limit = options.maxListedWeights ?? MAX_LISTED_WEIGHTS;
  const lastActivation = network.layers[network.layers.length - 1].activation.name;
  const event: ExplainEvent = {
    type: "explain",
    input: explained.input,
    layers: explained.layers.map((layer, l) => {
      const dense = network.layers[l];
      const copy = {
        units: dense.units,
        inputs: dense.inputs,
        activation: dense.activation.name as string,
        z: layer.z,
        a: layer.a,
        ...(layer.delta ? { delta: layer.delta, db: layer.db } : {}),
      };
      return layer.dW && dense.units * dense.inputs <= limit ? { ...copy, dW: layer.dW } : copy;
    }),
    output: explained.output,
  };
  if (options.sample !== undefined) event.sample = options.sample;
  if (options.samples !== undefined) event.samples = options.samples;
  if (options.epoch !== undefined) event.epoch = options.epoch;
  if (options.pausedAt !== undefined) event.pausedAt = { ...options.pausedAt };
  if (options.rawInput !== undefined) event.rawInput = [...options.rawInput];
  const names = options.classNames;
  if (names !== undefined) {
    event.classNames = [...names];
    event.predicted = names[classOf(explained.output)];
  }
  if (options.target !== undefined) {
    event.target = [...options.target];
    if (names !== undefined) event.label = names[classOf(options.target)];
    event.lossName = options.loss ?? defaultLoss(lastActivation);
    event.loss = explained.loss;
  }
  return event;
}

/** Options of {@linkcode explainTrainingSample}. */
export interface ExplainTrainingSampleOptions {
  /** The training set. */
  data: Dataset;
  /** 0-based index of the sample (taken modulo the set's size, so −1 is the last). */
  sample: number;
  /** The training loss. */
  loss?: LossName;
  /** The epoch whose weights these are. */
  epoch?: number;
  /** Where a pause in the middle of an epoch stopped (see `ExplainEvent.pausedAt`). */
  pausedAt?: { epoch: number; batch: number; batches: number };
}

/**
 * The explain event of one training sample, with its target and the dataset's preprocessing, class names and raw
 * features.
 */
export function explainTrainingSample(network: Network, options: ExplainTrainingSampleOptions): ExplainEvent {
  const { data, sample } = options;
  const index = ((Math.trunc(sample) % data.size) + data.size) % data.size;
  const x = new Matrix(1, data.inputSize), y = new Matrix(1, data.targetSize);
  data.gather(x, y, Uint32Array.of(index), 0);
  const raw = data.rawFeatureData.subarray(index * data.inputSize, (index + 1) * data.inputSize);
  return explainEvent(network, Array.from(x.data), {
    target: Array.from(y.data),
    loss: options.loss,
    rawInput: Array.from(raw),
    classNames: data.classNames,
    sample: index,
    samples: data.size,
    epoch: options.epoch,
    pausedAt: options.pausedAt,
  });
}
