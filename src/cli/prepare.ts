// Preparing a run: a config's data loaded and its network built, as train, evaluate and gradcheck use it.

import { isAbsolute, normalize } from "node:path";
import { dirnameOf } from "../config/load_config.ts";
import { checkMemory, estimateMemory, generatedShape } from "../config/memory.ts";
import { configLocation } from "../config/parse_config.ts";
import { resolveNetworkShape } from "../config/resolve.ts";
import { DEFAULT_MEMORY_LIMIT, type TrainConfig } from "../config/schema.ts";
import type { Dataset } from "../data/dataset.ts";
import { loadDataset } from "../data/load.ts";
import { DataError } from "../errors.ts";
import type { Backend } from "../math/backend.ts";
import { Rng } from "../math/random.ts";
import { Network } from "../nn/network.ts";
import { badInput } from "./_exit.ts";

/** A run ready to train: the config, its data (targets encoded for the network), the network and its backend. */
export interface Prepared {
  /** The config, with defaults filled in. */
  config: TrainConfig;
  /** The training set, preprocessed. */
  train: Dataset;
  /** The held-out set, when the config has one (`data.test` or `data.test_split`). */
  test?: Dataset;
  /** The network built from `config.network` and the data's shape. */
  network: Network;
  /** The math backend the network runs on. */
  backend: Backend;
  /** The loss name (`train.loss` or the default for the output activation). */
  loss: string;
  /** Hints about how the config was read that the user may not expect (shown before training). */
  notices: string[];
}

/**
 * The hint for file data left unnormalized whose inputs reach far beyond 1 (pixels up to 255, prices): such
 * inputs saturate or blow up most networks (relu on raw Fashion-MNIST pixels with SGD ends at chance).
 */
function unscaledInputNotice(config: TrainConfig, train: Dataset): string | undefined {
  const fromFile = ["csv", "idx", "fashion-mnist", "mnist"].includes(config.data.source);
  if (!fromFile || config.data.normalize !== "none") return;
  const raw = train.rawFeatureData;
  let largest = 0;
  for (let i = 0; i < raw.length; i++) {
    const size = Math.abs(raw[i]);
    if (size > largest) largest = size;
  }
  if (!(largest > 10)) return;
  return `inputs reach ${
    Number(largest.toPrecision(3))
  } unnormalized: set data.normalize (scale, zscore or minmax)`;
}

/**
 * The hint for a CSV target of a few whole numbers (0/1 labels) read as regression, as the rule says (numbers are
 * regression unless `data.task: classification`): undefined for anything else.
 */
function numericLabelNotice(config: TrainConfig, train: Dataset): string | undefined {
  if (config.data.source !== "csv" || config.data.task !== undefined || train.task !== "regression") return;
  if (train.targetSize !== 1) return;
  const values = new Set<number>();
  const { data } = train.targets();
  for (let i = 0; i < data.length && values.size <= 10; i++) {
    if (!Number.isInteger(data[i])) return;
    values.add(data[i]);
  }
  if (values.size > 10) return;
  const shown = [...values].sort((a, b) => a - b).join(", ");
  return `"${config.data.target}" has only ${shown}: trained as regression (set data.task: classification)`;
}

/**
 * A data file's error with the config key that named the file and where that key is written, so the one line
 * says both what is wrong in the data file and how the config led there:
 * `data/x.csv:7: column "a": expected a number, got "abc" (data.path in configs/x.yaml:5:9)`.
 */
function withConfigKey(error: DataError, config: TrainConfig, configPath: string): DataError {
  const baseDir = dirnameOf(configPath);
  const keys: [string, string | undefined][] = [
    ["data.path", config.data.path],
    ["data.images", config.data.images],
    ["data.labels", config.data.labels],
    ["data.test.path", config.data.test?.path],
    ["data.test.images", config.data.test?.images],
    ["data.test.labels", config.data.test?.labels],
  ];
  const shown = (path: string) => normalize(isAbsolute(path) ? path : `${baseDir}/${path}`);
  const key = error.path ?? keys.find(([, path]) => path !== undefined && shown(path) === error.file)?.[0] ??
    "data";
  const where = configLocation(config.data, key);
  if (where.file === error.file) return error; // the error already points into the config
  const place = where.file === undefined
    ? configPath
    : `${where.file}${where.line === undefined ? "" : `:${where.line}:${where.column}`}`;
  const detail = error.path !== undefined
    ? `${error.detail} (set in ${place})`
    : `${error.detail} (${key} in ${place})`;
  return new DataError(detail, {
    file: error.file,
    line: error.line,
    column: error.column,
    path: error.path,
  });
}

/**
 * Loads a config's data and builds its network on its backend, exactly as `train` does (also used by the
 * benchmarks). `backend.dispose()` stops its worker threads early (they also stop by themselves when idle).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../../mod.ts";
 * import { prepare } from "../cli.ts";
 *
 * const { config } = await loadConfig("configs/xor.yaml");
 * const run = await prepare(config, "configs/xor.yaml");
 * assert.equal(run.network.input, 2);
 * assert.equal(run.train.size, 4);
 * ```
 */
export async function prepare(config: TrainConfig, configPath: string): Promise<Prepared> {
  const rng = new Rng(config.seed);
  // sizes under the caps can still need more memory than the machine has: estimated before allocating
  const generated = generatedShape(config);
  if (generated !== undefined) checkMemory(config, estimateMemory(config, generated));
  const data = await loadDataset(config.data, {
    baseDir: dirnameOf(configPath),
    rng,
    maxBytes: config.train.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
  }).catch((error) => {
    throw error instanceof DataError ? badInput(withConfigKey(error, config, configPath)) : error;
  });
  const shape = resolveNetworkShape(config.network, {
    inputSize: data.train.inputSize,
    task: data.train.task,
    classCount: data.train.classNames?.length,
    targetSize: data.train.targetSize,
  }, { loss: config.train.loss });
  checkMemory(
    config,
    estimateMemory(config, {
      input: shape.input,
      layers: shape.layers.map((layer) => layer.units),
      trainSize: data.train.size,
      testSize: data.test?.size ?? 0,
      targetSize: data.train.targetSize,
    }),
  );
  const encode = (d: Dataset) => shape.targetEncoding ? d.withTargetEncoding(shape.targetEncoding) : d;
  // The process-wide default backend of that kind (plain kernels for a tiny network such as XOR's).
  const network = new Network({
    input: shape.input,
    layers: shape.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    init: shape.init,
    seed: config.seed,
    backend: config.train.backend,
    threads: config.train.threads,
    dtype: config.train.dtype,
    dropout: config.network.dropout,
  });
  const backend = network.backend;
  return {
    config,
    train: encode(data.train),
    test: data.test ? encode(data.test) : undefined,
    network,
    backend,
    loss: shape.loss,
    notices: [unscaledInputNotice(config, data.train), numericLabelNotice(config, data.train)]
      .filter((notice) => notice !== undefined),
  };
}
