// Model files, format version 1: the network's shape and weights as JSON that reads back bit-exactly.

import { writeTextFileAtomic } from "../_atomic_write.ts";
import { readFileCapped } from "../_read_capped.ts";
import { ModelFileError } from "../errors.ts";
import { ACTIVATION_NAMES, type ActivationName } from "../math/activations.ts";
import type { Backend } from "../math/backend.ts";
import type { BackendKind } from "../math/create_backend.ts";
import { type DType, DTYPES } from "../math/matrix.ts";
import { Network } from "./network.ts";

/** The `format` field of every model file. */
export const MODEL_FORMAT = "termnet-model";
/** The model-file version this build writes and reads. */
export const MODEL_VERSION = 1;
/** Largest model file read, in bytes (256 MiB: about 10 million parameters as JSON text). */
export const MAX_MODEL_BYTES = 256 * 2 ** 20;

/** One layer in a model file; `weights[i][j]` is the weight from input j to unit i (units × inputs). */
export interface ModelLayerJson {
  /** Number of units. */
  units: number;
  /** Activation name. */
  activation: ActivationName;
  /** units × inputs weights. */
  weights: number[][];
  /** One bias per unit. */
  bias: number[];
}

/** Per-feature preprocessing stored with a model: x = (raw − shift) · factor. */
export interface PreprocessingJson {
  /** How the statistics were chosen: `none`, `minmax`, `zscore` or `scale`. */
  kind: string;
  /** Subtracted from each raw feature. */
  shift: number[];
  /** Then multiplied into each feature. */
  factor: number[];
}

/** A model file, version 1. Optional fields are written by the CLI's trainer. */
export interface ModelJson {
  /** Always `"termnet-model"`. */
  format: typeof MODEL_FORMAT;
  /** Always 1. */
  version: typeof MODEL_VERSION;
  /** Number of input features. */
  input: number;
  /** The layers, the output layer last. */
  layers: ModelLayerJson[];
  /** Preprocessing of raw inputs, applied by `predict`. */
  preprocessing?: PreprocessingJson;
  /** Class names of a classifier, in output order. */
  labels?: string[];
  /** Names of the input features. */
  features?: string[];
  /** The resolved training configuration. */
  config?: unknown;
  /** Final metrics (loss, accuracy, ...). */
  metrics?: Record<string, number | null>;
  /**
   * The dropout rate after each hidden layer, used in training only (written when one is above 0; files without
   * it have none).
   */
  dropout?: number[];
  /**
   * `"float32"` for a float32 network, whose weights are float32 values written exactly (shortest decimals);
   * files without it are float64. A float32 model loads as float32.
   */
  dtype?: DType;
}

const TOP_LEVEL_KEYS = [
  "format",
  "version",
  "input",
  "layers",
  "preprocessing",
  "labels",
  "features",
  "config",
  "metrics",
  "dropout",
  "dtype",
];
const LAYER_KEYS = ["units", "activation", "weights", "bias"];
const PREPROCESSING_KEYS = ["kind", "shift", "factor"];
/** The `preprocessing.kind` values the trainer writes (the `normalize` choices of a config). */
const PREPROCESSING_KINDS = ["none", "minmax", "zscore", "scale"];
/** Metric names are plain identifiers (`loss`, `test_accuracy`, ...). */
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return String(value);
}

function fail(path: string, detail: string, file?: string): never {
  throw new ModelFileError(detail, { file, path });
}

function checkKeys(value: Record<string, unknown>, allowed: string[], path: string, file?: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(
        path === "" ? key : `${path}.${key}`,
        `unknown field (expected one of ${allowed.join(", ")})`,
        file,
      );
    }
  }
}

function checkVector(value: unknown, length: number, path: string, file?: string): number[] {
  if (!Array.isArray(value)) {
    fail(path, `expected an array of ${length} numbers, got ${describe(value)}`, file);
  }
  if (value.length !== length) fail(path, `expected ${length} numbers, got ${value.length}`, file);
  for (let i = 0; i < length; i++) {
    if (typeof value[i] !== "number" || !Number.isFinite(value[i])) {
      fail(`${path}[${i}]`, `expected a finite number, got ${describe(value[i])}`, file);
    }
  }
  return value as number[];
}

function checkWeights(
  value: unknown,
  units: number,
  inputs: number,
  path: string,
  file?: string,
): number[][] {
  const expected = `expected ${units} rows of ${inputs}`;
  if (!Array.isArray(value)) fail(path, `${expected}, got ${describe(value)}`, file);
  if (value.length !== units) fail(path, `${expected}, got ${value.length} rows`, file);
  for (let i = 0; i < units; i++) {
    const row = value[i];
    if (!Array.isArray(row) || row.length !== inputs) {
      fail(path, `${expected}, row ${i} has ${Array.isArray(row) ? row.length : describe(row)} values`, file);
    }
    checkVector(row, inputs, `${path}[${i}]`, file);
  }
  return value as number[][];
}

function checkPositiveInteger(value: unknown, path: string, file?: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    fail(path, `expected a positive integer, got ${describe(value)}`, file);
  }
  return value;
}

/**
 * Checks that `value` is a valid version-1 model file and returns it typed. Every problem is a `ModelFileError`
 * naming the field, e.g. `layers[1].weights: expected 3 rows of 3, got 2 rows`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelFileError, Network, networkToJson, validateModelJson } from "../../mod.ts";
 *
 * const model = networkToJson(new Network({ input: 2, hidden: [3], output: 1, seed: 1 }));
 * assert.equal(validateModelJson(JSON.parse(JSON.stringify(model))).layers.length, 2);
 * assert.throws(() => validateModelJson({ ...model, version: 99 }, { file: "m.json" }), ModelFileError);
 * ```
 */
export function validateModelJson(value: unknown, options: { file?: string } = {}): ModelJson {
  const { file } = options;
  if (!isRecord(value)) {
    fail("", `Cannot read the model: expected a JSON object, got ${describe(value)}`, file);
  }
  if (value.format !== MODEL_FORMAT) {
    fail("format", `expected "${MODEL_FORMAT}", got ${describe(value.format)}`, file);
  }
  if (value.version !== MODEL_VERSION) {
    fail(
      "version",
      `unsupported model file version ${describe(value.version)} (this build reads version ${MODEL_VERSION})`,
      file,
    );
  }
  checkKeys(value, TOP_LEVEL_KEYS, "", file);
  const input = checkPositiveInteger(value.input, "input", file);
  if (!Array.isArray(value.layers) || value.layers.length === 0) {
    fail("layers", `expected a non-empty array of layers, got ${describe(value.layers)}`, file);
  }
  let inputs = input;
  const layerCount = value.layers.length;
  value.layers.forEach((layer: unknown, i: number) => {
    const path = `layers[${i}]`;
    if (!isRecord(layer)) fail(path, `expected an object, got ${describe(layer)}`, file);
    checkKeys(layer, LAYER_KEYS, path, file);
    const units = checkPositiveInteger(layer.units, `${path}.units`, file);
    if (
      typeof layer.activation !== "string" || !ACTIVATION_NAMES.includes(layer.activation as ActivationName)
    ) {
      fail(
        `${path}.activation`,
        `expected one of ${ACTIVATION_NAMES.join(", ")}, got ${describe(layer.activation)}`,
        file,
      );
    }
    // the network's own rules, checked here so the error names the file (a hidden softmax cannot be built)
    if (layer.activation === "softmax" && i !== layerCount - 1) {
      fail(`${path}.activation`, "softmax is for the output layer only", file);
    }
    if (layer.activation === "softmax" && units < 2) {
      fail(`${path}.activation`, `softmax needs at least 2 units, got ${units}`, file);
    }
    checkWeights(layer.weights, units, inputs, `${path}.weights`, file);
    checkVector(layer.bias, units, `${path}.bias`, file);
    inputs = units;
  });
  if (value.preprocessing !== undefined) {
    const p = value.preprocessing;
    if (!isRecord(p)) fail("preprocessing", `expected { kind, shift, factor }, got ${describe(p)}`, file);
    checkKeys(p, PREPROCESSING_KEYS, "preprocessing", file);
    if (typeof p.kind !== "string" || !PREPROCESSING_KINDS.includes(p.kind)) {
      fail(
        "preprocessing.kind",
        `expected one of ${PREPROCESSING_KINDS.join(", ")}, got ${describe(p.kind)}`,
        file,
      );
    }
    checkVector(p.shift, input, "preprocessing.shift", file);
    checkVector(p.factor, input, "preprocessing.factor", file);
  }
  if (value.dropout !== undefined) {
    const hidden = layerCount - 1;
    checkVector(value.dropout, hidden, "dropout", file);
    (value.dropout as number[]).forEach((rate, i) => {
      if (rate < 0 || rate >= 1) {
        fail(`dropout[${i}]`, `expected a rate from 0 up to (not including) 1, got ${rate}`, file);
      }
    });
  }
  if (value.dtype !== undefined && !DTYPES.includes(value.dtype as DType)) {
    fail("dtype", `expected one of ${DTYPES.join(", ")}, got ${describe(value.dtype)}`, file);
  }
  const outputs = inputs;
  if (value.labels !== undefined) {
    checkNames(value.labels, "labels", "class names", file);
    const expected = outputs === 1 ? 2 : outputs;
    if (value.labels.length !== expected) {
      fail(
        "labels",
        `expected ${expected} class names for ${outputs} outputs, got ${value.labels.length}`,
        file,
      );
    }
  }
  if (value.features !== undefined) {
    if (!Array.isArray(value.features) || value.features.length !== input) {
      fail("features", `expected ${input} feature names, got ${describe(value.features)}`, file);
    }
    checkNames(value.features, "features", "feature names", file);
  }
  if (value.config !== undefined && !isRecord(value.config)) {
    fail("config", `expected an object (the resolved training config), got ${describe(value.config)}`, file);
  }
  if (value.metrics !== undefined) {
    const metrics = value.metrics;
    if (!isRecord(metrics)) {
      fail("metrics", `expected an object of names to numbers, got ${describe(metrics)}`, file);
    }
    for (const [key, metric] of Object.entries(metrics)) {
      if (!METRIC_NAME.test(key)) {
        fail(`metrics.${describe(key)}`, "expected a name of letters, digits and underscores", file);
      }
      if (metric !== null && (typeof metric !== "number" || !Number.isFinite(metric))) {
        fail(`metrics.${key}`, `expected a finite number or null, got ${describe(metric)}`, file);
      }
    }
  }
  return value as unknown as ModelJson;
}

/** Checks an array of distinct names (class labels, feature names). */
function checkNames(value: unknown, path: string, what: string, file?: string): asserts value is string[] {
  if (!Array.isArray(value)) fail(path, `expected an array of ${what}, got ${describe(value)}`, file);
  const seen = new Set<string>();
  value.forEach((name: unknown, i: number) => {
    if (typeof name !== "string") fail(`${path}[${i}]`, `expected a string, got ${describe(name)}`, file);
    if (seen.has(name)) fail(`${path}[${i}]`, `duplicate name ${describe(name)}`, file);
    seen.add(name);
  });
}

/**
 * The network as a version-1 model file object (numbers as JSON numbers, which read back bit-exactly).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Network, networkToJson } from "../../mod.ts";
 *
 * const model = networkToJson(new Network({ input: 2, hidden: [3], output: 1, seed: 1 }));
 * assert.equal(model.input, 2);
 * assert.deepEqual(model.layers.map((layer) => [layer.units, layer.weights.length, layer.weights[0].length]), [[3, 3, 2], [1, 1, 3]]);
 * ```
 */
export function networkToJson(network: Network): ModelJson {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    input: network.input,
    layers: network.layers.map((layer) => ({
      units: layer.units,
      activation: layer.activation.name,
      weights: layer.weights.toArray(),
      bias: Array.from(layer.biases),
    })),
    ...(network.preprocessing !== undefined
      ? {
        preprocessing: {
          kind: network.preprocessing.kind,
          shift: [...network.preprocessing.shift],
          factor: [...network.preprocessing.factor],
        },
      }
      : {}),
    ...(network.classNames !== undefined ? { labels: [...network.classNames] } : {}),
    ...(network.dropout.some((rate) => rate > 0) ? { dropout: [...network.dropout] } : {}),
    ...(network.dtype !== "float64" ? { dtype: network.dtype } : {}),
  };
}

/**
 * Builds a network from a model file object, after validating it (throws `ModelFileError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Network, networkFromJson, networkToJson } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
 * const copy = networkFromJson(JSON.parse(JSON.stringify(networkToJson(net))));
 * assert.deepEqual(copy.predict([[1, 0]]).toArray(), net.predict([[1, 0]]).toArray()); // bit for bit
 * ```
 */
export function networkFromJson(
  value: unknown,
  options: { file?: string; backend?: Backend | BackendKind; threads?: number } = {},
): Network {
  const model = validateModelJson(value, options);
  const network = new Network({
    input: model.input,
    layers: model.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    backend: options.backend,
    threads: options.threads,
    dropout: model.dropout,
    dtype: model.dtype,
  });
  model.layers.forEach((layer, i) => {
    const target = network.layers[i];
    layer.weights.forEach((row, r) => target.weights.data.set(row, r * target.inputs));
    target.biases.set(layer.bias);
  });
  return network;
}

/**
 * Serialises a model file object as JSON text; refuses non-finite weights, which JSON cannot hold, and any model
 * the loader would refuse: the text is validated exactly as `loadModel` will read it (JSON turns NaN and infinity
 * into null), so a file written from this text always loads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelFileError, Network, networkToJson, parseModel, stringifyModel } from "../../mod.ts";
 *
 * const model = networkToJson(new Network({ input: 2, hidden: [3], output: 1, seed: 1 }));
 * assert.deepEqual(parseModel(stringifyModel(model)), model);
 * model.layers[0].bias[0] = NaN;
 * assert.throws(() => stringifyModel(model), ModelFileError);
 * ```
 */
export function stringifyModel(model: ModelJson): string {
  for (const [i, layer] of model.layers.entries()) {
    if (!layer.bias.every(Number.isFinite) || !layer.weights.every((row) => row.every(Number.isFinite))) {
      throw new ModelFileError(
        `Cannot save the model: layers[${i}] holds a non-finite value (NaN or infinity)`,
      );
    }
  }
  const text = JSON.stringify(model) + "\n";
  try {
    validateModelJson(JSON.parse(text));
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    throw new ModelFileError(`Cannot save the model: ${error.detail}`, { path: error.path });
  }
  return text;
}

/**
 * Parses model-file text. Invalid JSON, a wrong format or version, or mismatched shapes throw `ModelFileError`
 * naming the file and the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelFileError, parseModel } from "../../mod.ts";
 *
 * assert.throws(
 *   () => parseModel("{ not json", { file: "model.json" }),
 *   (error) => error instanceof ModelFileError && error.message.startsWith("model.json: Cannot read the model: invalid JSON"),
 * );
 * ```
 */
export function parseModel(text: string, options: { file?: string } = {}): ModelJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(`Cannot read the model: invalid JSON (${(error as Error).message})`, {
      file: options.file,
    });
  }
  return validateModelJson(value, options);
}

/**
 * Writes a model file atomically (temporary file, then rename), so an earlier file is never half-overwritten; a
 * model the loader would refuse is a `ModelFileError` and nothing is written (see `stringifyModel`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModel, Network, networkFromJson, saveModel } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await saveModel(path, net);
 * const loaded = networkFromJson(await loadModel(path));
 * assert.deepEqual(loaded.predict([[0, 1]]).toArray(), net.predict([[0, 1]]).toArray());
 * await Deno.remove(path);
 * ```
 */
export async function saveModel(path: string, model: Network | ModelJson): Promise<void> {
  const json = model instanceof Network ? networkToJson(model) : model;
  await writeTextFileAtomic(path, stringifyModel(json));
}

/**
 * Reads and validates a model file; a missing or corrupt file throws `ModelFileError` naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModel, ModelFileError } from "../../mod.ts";
 *
 * await assert.rejects(loadModel("no/such/model.json"), ModelFileError);
 * ```
 */
export async function loadModel(path: string): Promise<ModelJson> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readFileCapped(path, MAX_MODEL_BYTES));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "not found" : (error as Error).message;
    throw new ModelFileError(`Cannot read the model: ${reason}`, { file: path });
  }
  return parseModel(text, { file: path });
}

/**
 * Reads a model file into a network that carries the file's preprocessing and class names, so its `predict`
 * and `classify` take raw inputs: one call from raw input to answer, as the CLI's `predict` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Network } from "./network.ts";
 * import { loadNetwork, saveModel } from "./serialize.ts";
 *
 * const net = new Network({ input: 1, output: 2, outputActivation: "softmax" });
 * net.preprocessing = { kind: "scale", shift: [0], factor: [1 / 255] };
 * net.classNames = ["dark", "light"];
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await saveModel(path, net);
 * const loaded = await loadNetwork(path);
 * assert.deepEqual(loaded.predict([200]), net.predict([200]));
 * assert.equal(loaded.classify([200]).name, net.classify([200]).name);
 * await Deno.remove(path);
 * ```
 */
export async function loadNetwork(
  path: string,
  options: { backend?: Backend | BackendKind; threads?: number } = {},
): Promise<Network> {
  const model = await loadModel(path);
  const network = networkFromJson(model, { ...options, file: path });
  if (model.preprocessing !== undefined) network.preprocessing = model.preprocessing;
  if (model.labels !== undefined) network.classNames = model.labels;
  return network;
}
