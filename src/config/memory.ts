// Memory estimate of a run from its config, checked against train.memory_limit before anything large is allocated.

import { formatBytes } from "../_read_capped.ts";
import { ConfigError } from "../errors.ts";
import { configLocation } from "./parse_config.ts";
import { DEFAULT_MEMORY_LIMIT, GENERATED_SOURCES, type TrainConfig } from "./schema.ts";

/** The memory a run needs, by part, in bytes. */
export interface MemoryEstimate {
  /** Weights, their gradients, the optimizer's state, the copies kept (last epoch, best epoch, checkpoint) and the model file's text. */
  parameters: number;
  /** One batch's inputs and its activations through every layer, forward and backward, plus a cost per layer. */
  activations: number;
  /** The data set: raw and preprocessed features and targets. */
  data: number;
  /** The sum. */
  total: number;
}

/** The shape a run trains, as far as memory goes. */
export interface MemoryShape {
  /** Input features. */
  input: number;
  /** Units of every layer, the output layer last. */
  layers: readonly number[];
  /** Training samples. */
  trainSize: number;
  /** Held-out samples. */
  testSize: number;
  /** Target columns. */
  targetSize: number;
}

// Measured: a one-unit layer costs about 80 KB while training (objects, buffers, statistics and events per layer).
const BYTES_PER_LAYER = 80 * 1024;
// A number in a model file's JSON text and the arrays that build it.
const BYTES_PER_SAVED_VALUE = 32;
// Values per activation unit and sample: z, a, dZ and dA.
const VALUES_PER_UNIT = 4;
// Copies of the data: raw features, preprocessed features, targets (one-hot) and the shuffled batch buffers.
const DATA_COPIES = 3;

/** Estimates the memory a run of `config` on data of `shape` needs. */
export function estimateMemory(config: TrainConfig, shape: MemoryShape): MemoryEstimate {
  const bytes = config.train.dtype === "float32" ? 4 : 8;
  let parameters = 0, units = 0;
  let inputs = shape.input;
  for (const layer of shape.layers) {
    parameters += (inputs + 1) * layer;
    units += layer;
    inputs = layer;
  }
  const optimizerSlots = config.train.optimizer === "adam"
    ? 2
    : config.train.optimizer === "momentum"
    ? 1
    : 0;
  // weights, gradients, the epoch-start snapshot, the best epoch, the checkpoint (weights and optimizer slots)
  const copies = 4 + 2 * optimizerSlots + (config.train.earlyStop !== undefined ? 1 : 0);
  const parameterBytes = parameters * (bytes * copies + BYTES_PER_SAVED_VALUE);
  const batch = Math.min(config.train.batchSize ?? shape.trainSize, Math.max(shape.trainSize, 1));
  // evaluation runs the held-out set (or the training set) through the network as one batch too
  const rows = Math.max(batch, shape.testSize);
  // the input batch once, every layer's z, a, dZ and dA
  const activations = rows * (shape.input + units * VALUES_PER_UNIT) * bytes +
    shape.layers.length * BYTES_PER_LAYER;
  const data = (shape.trainSize + shape.testSize) * (shape.input + shape.targetSize) * 8 * DATA_COPIES;
  return { parameters: parameterBytes, activations, data, total: parameterBytes + activations + data };
}

/** Features of each generated source (the targets are one column, or two one-hot classes). */
const GENERATED_INPUTS: Record<string, number> = {
  xor: 2,
  circle: 2,
  spiral: 2,
  gaussian: 2,
  moons: 2,
  sine: 1,
};

/**
 * The data's shape as the config alone tells it, for generated sources (before generating them), or undefined
 * for data read from files (their size is capped when read, and checked once loaded).
 */
export function generatedShape(config: TrainConfig): MemoryShape | undefined {
  const { data } = config;
  if (!GENERATED_SOURCES.includes(data.source)) return undefined;
  const samples = data.samples ?? (data.source === "xor" ? 4 : 400);
  return {
    input: GENERATED_INPUTS[data.source] ?? 2,
    layers: [],
    trainSize: samples,
    testSize: 0,
    targetSize: 2,
  };
}

/**
 * Throws a ConfigError naming `train.memory_limit` when `estimate` exceeds the config's limit: one line with the
 * estimate by part and how to raise the limit.
 */
export function checkMemory(config: TrainConfig, estimate: MemoryEstimate): void {
  const limit = config.train.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (estimate.total <= limit) return;
  const parts = [
    ["parameters", estimate.parameters],
    ["activations", estimate.activations],
    ["data", estimate.data],
  ].filter(([, value]) => (value as number) > 0).map(([name, value]) =>
    `${name} ${formatBytes(value as number)}`
  );
  const where = configLocation(config.train, "train.memory_limit");
  throw new ConfigError(
    `Cannot train: the run needs about ${formatBytes(estimate.total)} (${parts.join(", ")}), more than ` +
      `train.memory_limit ${
        formatBytes(limit)
      }; make the data, network or batch smaller, or raise it, e.g. ` +
      `--set train.memory_limit=${Math.ceil(estimate.total / 1024 ** 3) + 1}GiB`,
    { file: where.file },
  );
}
