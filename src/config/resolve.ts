// resolveNetworkShape: the network's sizes, output activation, loss and target encoding, inferred from the data.

import { ConfigError } from "../errors.ts";
import { configLocation } from "./parse_config.ts";
import type {
  HiddenActivationName,
  InitName,
  LossName,
  NetworkConfig,
  OutputActivationName,
  TaskName,
} from "./schema.ts";

/** What the network needs to know about the data (a `Dataset` satisfies it). */
export interface DataInfo {
  /** Input columns. */
  readonly inputSize: number;
  /** Classification or regression. */
  readonly task: TaskName;
  /** Number of classes (classification). */
  readonly classCount?: number;
  /** Target columns (regression). */
  readonly targetSize: number;
}

/** One dense layer of the resolved network. */
export interface ResolvedLayer {
  /** Units. */
  readonly units: number;
  /** Activation. */
  readonly activation: OutputActivationName;
}

/** The network as it will be built: every inferred value decided. */
export interface ResolvedNetwork {
  /** Input size. */
  readonly input: number;
  /** Every dense layer, the output layer last. */
  readonly layers: readonly ResolvedLayer[];
  /** Output units (the last layer's). */
  readonly output: number;
  /** Output activation (the last layer's). */
  readonly outputActivation: OutputActivationName;
  /** The loss. */
  readonly loss: LossName;
  /** Weight initialiser. */
  readonly init: InitName;
  /** How class labels must be encoded to match the output (`dataset.withTargetEncoding(...)`). */
  readonly targetEncoding?: "one-hot" | "binary";
}

/** Options for {@linkcode resolveNetworkShape}. */
export interface ResolveNetworkOptions {
  /** `config.train.loss`; inferred when omitted. */
  loss?: LossName;
}

function fail(network: NetworkConfig, path: string, detail: string): never {
  throw new ConfigError(detail, configLocation(network, path));
}

/**
 * Decides the network's shape from the config and the data. Inference rules:
 *
 * - `input`: the data's input size (an explicit value must agree).
 * - classification with K classes: K > 2 → K softmax units; K = 2 → 1 sigmoid unit (or 2 softmax units with
 *   `output: 2` or `output_activation: softmax`); the target encoding follows (`binary` for one unit).
 * - regression: the target count, linear output.
 * - loss: cross_entropy after softmax, binary_cross_entropy after sigmoid on classes, mse otherwise.
 *
 * Errors are `ConfigError`s located at the offending key (e.g. `network.input: the data has 4 inputs, got "2"`).
 *
 * @example
 * ```ts
 * import { parseConfig } from "./parse_config.ts";
 * import { resolveNetworkShape } from "./resolve.ts";
 * const config = parseConfig({ data: { source: "csv", path: "iris.csv", target: "species" } });
 * const shape = resolveNetworkShape(config.network, { inputSize: 4, task: "classification", classCount: 3, targetSize: 3 });
 * console.assert(shape.output === 3 && shape.loss === "cross_entropy");
 * ```
 */
export function resolveNetworkShape(
  network: NetworkConfig,
  data: DataInfo,
  options: ResolveNetworkOptions = {},
): ResolvedNetwork {
  if (network.input !== undefined && network.input !== data.inputSize) {
    fail(network, "network.input", `the data has ${data.inputSize} inputs, got "${network.input}"`);
  }
  const loss = options.loss;
  let output: number, outputActivation: OutputActivationName;
  let targetEncoding: "one-hot" | "binary" | undefined;
  if (data.task === "classification") {
    const classes = data.classCount ?? data.targetSize;
    const wantsSoftmax = network.outputActivation === "softmax" ||
      (network.outputActivation === undefined && loss === "cross_entropy");
    if (network.output !== undefined) {
      output = network.output;
      const fits = output === classes || (output === 1 && classes === 2);
      if (!fits) {
        const expected = classes === 2 ? `1 or 2` : `${classes}`;
        fail(
          network,
          "network.output",
          `the data has ${classes} classes, expected ${expected} units, got "${output}"`,
        );
      }
    } else {
      output = classes === 2 && !wantsSoftmax ? 1 : classes;
    }
    outputActivation = network.outputActivation ??
      (output === 1
        ? "sigmoid"
        : wantsSoftmax || loss === undefined
        ? "softmax"
        : loss === "binary_cross_entropy"
        ? "sigmoid"
        : "softmax");
    if (outputActivation === "softmax" && output === 1) {
      fail(network, "network.output", `softmax needs at least 2 output units, got "1"`);
    }
    targetEncoding = output === 1 ? "binary" : "one-hot";
  } else {
    if (network.outputActivation === "softmax") {
      fail(
        network,
        "network.output_activation",
        `softmax needs class labels, but the data is a regression target`,
      );
    }
    if (loss === "cross_entropy" || loss === "binary_cross_entropy") {
      fail(network, "train.loss", `${loss} needs class labels, but the data is a regression target`);
    }
    output = data.targetSize;
    if (network.output !== undefined && network.output !== output) {
      fail(network, "network.output", `the data has ${output} targets, got "${network.output}"`);
    }
    outputActivation = network.outputActivation ?? "linear";
  }
  const resolvedLoss: LossName = loss ??
    (outputActivation === "softmax"
      ? "cross_entropy"
      : outputActivation === "sigmoid" && data.task === "classification"
      ? "binary_cross_entropy"
      : "mse");
  if (resolvedLoss === "cross_entropy" && outputActivation !== "softmax") {
    fail(
      network,
      "train.loss",
      `cross_entropy needs output_activation: softmax, got output_activation: ${outputActivation}`,
    );
  }
  if (resolvedLoss === "binary_cross_entropy" && outputActivation !== "sigmoid") {
    fail(
      network,
      "train.loss",
      `binary_cross_entropy needs output_activation: sigmoid, got output_activation: ${outputActivation}`,
    );
  }
  const layers: ResolvedLayer[] = network.hidden.map((layer) => ({
    units: layer.units,
    activation: layer.activation as HiddenActivationName,
  }));
  layers.push({ units: output, activation: outputActivation });
  return {
    input: data.inputSize,
    layers,
    output,
    outputActivation,
    loss: resolvedLoss,
    init: network.init,
    ...(targetEncoding !== undefined ? { targetEncoding } : {}),
  };
}
