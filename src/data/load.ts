// loadDataset: a config's data section -> train and test Datasets with preprocessing fitted on the training split.

import { normalize } from "node:path";
import { formatBytes } from "../_read_capped.ts";
import { configLocation } from "../config/parse_config.ts";
import type { DataConfig, TestSourceConfig } from "../config/schema.ts";
import { readFileCapped, TooLargeError } from "../_read_capped.ts";
import { ConfigError, DataError } from "../errors.ts";
import type { Rng } from "../math/random.ts";
import { generate, type GeneratorName } from "./builtin.ts";
import { csvToDataset, parseCsv } from "./csv.ts";
import { type Dataset, fitPreprocessing, type Preprocessing } from "./dataset.ts";
import { idxToDataset, MAX_IDX_BYTES, parseIdx } from "./idx.ts";
import { locateDataset, type LocateDatasetOptions, NAMED_DATASETS, type NamedDatasetName } from "./named.ts";

/** Options for {@linkcode loadDataset}. */
export interface LoadDatasetOptions {
  /** Folder that relative paths resolve against (the config file's folder); default the working directory. */
  baseDir?: string;
  /** Seeds generation and the test split. */
  rng: Rng;
  /**
   * Named sources: where to look besides `data.dir` (the system folder, the environment for the user's cache);
   * default this machine's.
   */
  locate?: Pick<LocateDatasetOptions, "systemDir" | "env" | "os">;
  /**
   * The most memory IDX images may take once read as numbers (`train.memory_limit`): checked from the files'
   * headers before the pixels are converted, so an oversized set fails at once; default no check.
   */
  maxBytes?: number;
}

/** What {@linkcode loadDataset} returns. */
export interface LoadedData {
  /** The training set (preprocessing attached). */
  train: Dataset;
  /** The test set, when `test_split` or `test` was given (same preprocessing). */
  test?: Dataset;
  /** The preprocessing fitted on the training set, for the model file. */
  preprocessing: Preprocessing;
}

function resolvePath(path: string, baseDir: string | undefined): string {
  if (baseDir === undefined || baseDir === "" || baseDir === "." || /^([A-Za-z]:)?[\\/]/.test(path)) {
    return path;
  }
  return `${baseDir.replace(/[\\/]+$/, "")}/${path}`;
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  return error instanceof Error ? error.message : String(error);
}

/** The file as it is opened (relative to the working directory), tidied for messages: `configs/../x` → `x`. */
function shownPath(path: string, baseDir: string | undefined): string {
  return normalize(resolvePath(path, baseDir));
}

/** Largest CSV file read, in bytes: 256 MiB (a CSV takes about 11 times its size in memory while it loads). */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

async function readBytes(
  path: string,
  keyPath: string,
  baseDir: string | undefined,
  kind: "CSV" | "IDX",
): Promise<Uint8Array> {
  try {
    // a bounded read of any kind of file: /dev/zero or an endless pipe stops at the limit
    return await readFileCapped(resolvePath(path, baseDir), kind === "CSV" ? MAX_CSV_BYTES : MAX_IDX_BYTES);
  } catch (error) {
    const detail = error instanceof TooLargeError
      ? `${error.message}, the limit for ${kind} files`
      : reason(error);
    throw new DataError(`Cannot read the file: ${detail}`, {
      file: shownPath(path, baseDir),
      path: keyPath,
    });
  }
}

interface SourceSpec {
  path?: string;
  images?: string;
  labels?: string;
  samples?: number;
  noise?: number;
  limit?: number;
}

async function loadIdx(
  imagesPath: string,
  labelsPath: string,
  options: {
    baseDir?: string;
    keyBase: string;
    limit?: number;
    classNames?: readonly string[];
    maxBytes?: number;
  },
): Promise<Dataset> {
  const { baseDir, keyBase } = options;
  const imagesFile = shownPath(imagesPath, baseDir), labelsFile = shownPath(labelsPath, baseDir);
  const labels = await parseIdx(await readBytes(labelsPath, `${keyBase}.labels`, baseDir, "IDX"), {
    file: labelsFile,
  });
  const images = await parseIdx(await readBytes(imagesPath, `${keyBase}.images`, baseDir, "IDX"), {
    file: imagesFile,
  });
  if (options.maxBytes !== undefined && images.dims.length >= 2) {
    // features, one-hot targets and the batch buffers: about three copies of 8-byte numbers
    const count = Math.min(options.limit ?? Infinity, images.dims[0]);
    const features = images.dims.slice(1).reduce((a, b) => a * b, 1);
    const bytes = count * (features + 10) * 8 * 3;
    if (bytes > options.maxBytes) {
      throw new DataError(
        `Cannot load the images: ${count} × ${features} pixels take about ${
          formatBytes(bytes)
        } as numbers, more ` +
          `than train.memory_limit ${formatBytes(options.maxBytes)} (raise it, or set ${keyBase}.limit)`,
        { file: imagesFile },
      );
    }
  }
  return idxToDataset(images, labels, {
    limit: options.limit,
    classNames: options.classNames,
    fashion: /fashion/i.test(imagesFile),
    imagesFile,
    labelsFile,
  });
}

function isNamed(source: string): source is NamedDatasetName {
  return Object.hasOwn(NAMED_DATASETS, source);
}

// A named source: its training files, and its t10k files as the test set unless test_split holds some back.
async function loadNamed(
  data: DataConfig,
  name: NamedDatasetName,
  options: LoadDatasetOptions,
): Promise<{ train: Dataset; test?: Dataset }> {
  const found = await locateDataset(name, {
    ...options.locate,
    dir: data.dir,
    baseDir: options.baseDir,
    location: configLocation(data, "data.source"),
  });
  const { classNames } = NAMED_DATASETS[name];
  const { files } = found;
  const train = await loadIdx(files.trainImages, files.trainLabels, {
    keyBase: "data",
    limit: data.limit,
    classNames,
    maxBytes: options.maxBytes,
  });
  if (data.testSplit > 0) return { train };
  const test = await loadIdx(files.testImages, files.testLabels, {
    keyBase: "data.test",
    limit: data.test?.limit,
    classNames,
    maxBytes: options.maxBytes,
  });
  return { train, test };
}

async function loadSource(
  data: DataConfig,
  spec: SourceSpec,
  keyBase: string,
  context: { baseDir?: string; rng: Rng; like?: Dataset; maxBytes?: number },
): Promise<Dataset> {
  const { baseDir, rng, like } = context;
  // A test source takes the training set's classes and task, so both index classes the same way.
  const classNames = like?.classNames ?? data.classNames;
  const task = like?.task ?? data.task;
  if (data.source === "csv") {
    const file = shownPath(spec.path!, baseDir);
    const bytes = await readBytes(spec.path!, `${keyBase}.path`, baseDir, "CSV");
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new DataError("Cannot read the file: it is not UTF-8 text", { file, path: `${keyBase}.path` });
    }
    const dataset = csvToDataset(parseCsv(text, { file }), {
      file,
      target: data.target!,
      // a test file's columns are matched to the training set's by name, whatever their order
      features: data.features ?? like?.featureNames,
      task,
      classNames,
      limit: spec.limit,
    });
    return data.image === undefined ? dataset : asImages(dataset, data);
  }
  if (data.source === "idx") {
    return await loadIdx(spec.images!, spec.labels!, {
      baseDir,
      keyBase,
      limit: spec.limit,
      classNames,
      maxBytes: context.maxBytes,
    });
  }
  const generated = generate(data.source as GeneratorName, rng, { samples: spec.samples, noise: spec.noise });
  if (spec.limit === undefined || spec.limit >= generated.size) return generated;
  return generated.subset(Uint32Array.from({ length: spec.limit }, (_, i) => i));
}

/** The dataset with `data.image` as its image shape; a size that does not match the features is a located error. */
function asImages(dataset: Dataset, data: DataConfig): Dataset {
  const [height, width] = data.image!;
  if (height * width !== dataset.inputSize) {
    throw new ConfigError(
      `does not fit the data: a ${height}×${width} image has ${
        height * width
      } pixels, the data has ${dataset.inputSize} features`,
      configLocation(data, "data.image"),
    );
  }
  return dataset.withImageShape([height, width]);
}

/**
 * Loads the data a config describes: generates or reads the training source (relative paths resolve against
 * `baseDir`; a named source such as `fashion-mnist` is found with `locateDataset`), keeps the first `limit`
 * samples, takes a held-out `test_split` (shuffled with the seed, stratified for classes) or loads the explicit
 * `test` source (a named source's t10k files, capped by `test.limit`), then fits the normalisation on the
 * training set only and attaches it to both sets.
 *
 * Missing or malformed files throw a `DataError` naming the file as written and the key, e.g.
 * `data/missing.csv: data.path: Cannot read the file: not found`.
 *
 * @example
 * ```ts
 * import { loadDataset } from "./load.ts";
 * import { Rng } from "../math/random.ts";
 * const { train, test } = await loadDataset(
 *   { source: "moons", samples: 100, testSplit: 0.2, normalize: "zscore" },
 *   { rng: new Rng(42) },
 * );
 * console.assert(train.size === 80 && test?.size === 20);
 * ```
 */
export async function loadDataset(data: DataConfig, options: LoadDatasetOptions): Promise<LoadedData> {
  const { rng, baseDir, maxBytes } = options;
  const trainRng = rng.fork(), testRng = rng.fork();
  let train: Dataset;
  let test: Dataset | undefined;
  if (isNamed(data.source)) {
    // the t10k files are the test set unless test_split holds some training samples back
    ({ train, test } = await loadNamed(data, data.source, options));
  } else {
    train = await loadSource(data, data, "data", { baseDir, rng: trainRng, maxBytes });
  }
  if (test === undefined && data.test !== undefined) {
    const spec: TestSourceConfig = data.test;
    const merged: SourceSpec = withGeneratedDefaults(data, spec);
    test = await loadSource(data, merged, "data.test", { baseDir, rng: testRng, like: train, maxBytes });
    checkCompatible(train, test, data);
  } else if (test === undefined && data.testSplit > 0) {
    if (train.size < 2) {
      throw new DataError(`Cannot split the data: ${train.size} sample is too few for a test split`, {
        path: "data.test_split",
      });
    }
    const total = train.size;
    ({ train, test } = train.split(data.testSplit, rng, { stratify: true }));
    // one empty side would fail later as "there are no samples", naming neither the key nor the reason
    for (
      const [part, size, advice] of [
        ["training", train.size, "use a smaller fraction or more samples"],
        ["the test", test.size, "use a larger fraction, more samples, or 0 for no test split"],
      ] as const
    ) {
      if (size > 0) continue;
      throw new ConfigError(
        `Cannot split the data: a test_split of ${data.testSplit} of ${total} samples leaves 0 for ${part} ` +
          `(${advice})`,
        configLocation(data, "data.test_split"),
      );
    }
  }
  const preprocessing = fitPreprocessing(train, { kind: data.normalize, scale: data.scale });
  checkFinitePreprocessing(preprocessing, [train, test], data);
  train = train.withPreprocessing(preprocessing);
  test = test?.withPreprocessing(preprocessing);
  return test === undefined ? { train, preprocessing } : { train, test, preprocessing };
}

/**
 * Rejects a preprocessing whose numbers, or whose results on the data, are not finite (`normalize: scale` with
 * `scale: 1e-320` makes the factor infinite; a tiny factor times a huge value overflows): training on them gives
 * NaN, and a model file cannot hold them. The error names the config key that chose the preprocessing.
 */
function checkFinitePreprocessing(
  preprocessing: Preprocessing,
  sets: readonly (Dataset | undefined)[],
  data: DataConfig,
): void {
  if (preprocessing.kind === "none") return;
  const key = preprocessing.kind === "scale" ? "data.scale" : "data.normalize";
  const where = configLocation(data, key);
  const { shift, factor } = preprocessing;
  const name = (set: Dataset, j: number) => set.featureNames?.[j] ?? String(j + 1);
  for (let j = 0; j < factor.length; j++) {
    if (!Number.isFinite(shift[j]) || !Number.isFinite(factor[j])) {
      throw new ConfigError(
        `Cannot normalize with ${preprocessing.kind}: feature "${name(sets[0]!, j)}" gets the shift ${
          shift[j]
        } and the factor ${factor[j]}, which are not both finite`,
        where,
      );
    }
  }
  for (const set of sets) {
    if (set === undefined) continue;
    const raw = set.rawFeatureData, d = set.inputSize;
    for (let row = 0; row < raw.length; row += d) {
      for (let j = 0; j < d; j++) {
        if (Number.isFinite((raw[row + j] - shift[j]) * factor[j])) continue;
        throw new ConfigError(
          `Cannot normalize with ${preprocessing.kind}: feature "${name(set, j)}" of a sample (${
            raw[row + j]
          }) becomes infinite (factor ${factor[j]})`,
          where,
        );
      }
    }
  }
}

// A generated test source inherits the training samples and noise unless it sets its own.
function withGeneratedDefaults(data: DataConfig, spec: TestSourceConfig): SourceSpec {
  return {
    ...spec,
    samples: spec.samples ?? data.samples,
    noise: spec.noise ?? data.noise,
  };
}

function checkCompatible(train: Dataset, test: Dataset, data: DataConfig): void {
  const file = data.test?.path ?? data.test?.images;
  if (test.inputSize !== train.inputSize) {
    throw new DataError(
      `Cannot use the test set: it has ${test.inputSize} inputs, the training set has ${train.inputSize}`,
      { file, path: "data.test" },
    );
  }
  if (test.task !== train.task) {
    throw new DataError(
      `Cannot use the test set: it is a ${test.task} set, the training set is ${train.task}`,
      {
        file,
        path: "data.test",
      },
    );
  }
  const trainClasses = train.classNames?.join("\u0000"), testClasses = test.classNames?.join("\u0000");
  if (trainClasses !== testClasses) {
    throw new DataError(
      `Cannot use the test set: its classes ${JSON.stringify(test.classNames)} differ from the training ` +
        `classes ${JSON.stringify(train.classNames)} (set data.class_names)`,
      { file, path: "data.test" },
    );
  }
}
