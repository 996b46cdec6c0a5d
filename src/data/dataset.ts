// Dataset: compact raw features, targets and a per-column affine preprocessing, gathered into batches.

import { Matrix } from "../math/matrix.ts";
import type { Rng } from "../math/random.ts";

/** Whether the targets are class labels or real numbers. */
export type Task = "classification" | "regression";

/** How input columns are normalised: not at all, to [0, 1], to mean 0 and deviation 1, or divided by `scale`. */
export type NormalizeKind = "none" | "minmax" | "zscore" | "scale";

/** How class labels become target rows: K one-hot columns, or one 0/1 column for two classes (one sigmoid). */
export type TargetEncoding = "one-hot" | "binary";

/** Raw feature storage: bytes for images, float64 for everything else. */
export type FeatureArray = Float64Array | Uint8Array;

/**
 * A per-column affine map `x = (raw − shift[j]) · factor[j]`, as plain JSON so a model file can store it and
 * `predict` can apply it to raw input.
 */
export interface Preprocessing {
  /** The normalisation that produced the numbers (for display; `shift` and `factor` are what is applied). */
  readonly kind: NormalizeKind;
  /** Subtracted from each column, length `inputSize`. */
  readonly shift: readonly number[];
  /** Multiplied into each column after the shift, length `inputSize`. */
  readonly factor: readonly number[];
}

/** The pieces a `Dataset` is made of; see the field docs for which are needed for which task. */
export interface DatasetInit {
  /** Number of input columns. */
  inputSize: number;
  /** Raw features, row-major, `size × inputSize`; the dataset keeps (does not copy) this buffer. */
  features: FeatureArray;
  /** Classification (give `labels`) or regression (give `targets` and `targetSize`). */
  task: Task;
  /** Regression targets, row-major, `size × targetSize`. */
  targets?: Float64Array;
  /** Regression target columns. */
  targetSize?: number;
  /** Classification: the class index of each row. */
  labels?: Int32Array;
  /** Classification: one name per class; the class count is its length. */
  classNames?: readonly string[];
  /** Classification: default `"binary"` for two classes and `"one-hot"` otherwise. */
  targetEncoding?: TargetEncoding;
  /** Optional column names, length `inputSize`. */
  featureNames?: readonly string[];
  /** Optional preprocessing; default the identity. */
  preprocessing?: Preprocessing;
  /** When the features are the pixels of grey images, row by row: `[height, width]` (height · width = inputSize). */
  imageShape?: readonly [number, number];
}

/** Options for {@linkcode Dataset.split}. */
export interface SplitOptions {
  /** Keep each class's share equal in both parts (classification only); default true for classifiers. */
  stratify?: boolean;
}

/** Options for {@linkcode fitPreprocessing}. */
export interface FitPreprocessingOptions {
  /** The normalisation to fit. */
  kind: NormalizeKind;
  /** The divisor for `kind: "scale"`; default 255. */
  scale?: number;
}

/** The identity preprocessing for `inputSize` columns. */
export function identityPreprocessing(inputSize: number): Preprocessing {
  return { kind: "none", shift: new Array(inputSize).fill(0), factor: new Array(inputSize).fill(1) };
}

/**
 * A table of samples from any source (generated, CSV, IDX) that the training loop reads batch by batch.
 *
 * @example
 * ```ts
 * import { Dataset } from "./dataset.ts";
 * import { Matrix } from "../math/matrix.ts";
 * const data = new Dataset({
 *   inputSize: 2,
 *   features: new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]),
 *   task: "classification",
 *   labels: new Int32Array([0, 1, 1, 0]),
 *   classNames: ["0", "1"],
 * });
 * const x = new Matrix(2, 2), y = new Matrix(2, 1);
 * data.gather(x, y, new Uint32Array([3, 1]), 0);
 * console.assert(x.get(0, 0) === 1 && y.get(1, 0) === 1);
 * ```
 */
export class Dataset {
  /** Number of rows (samples). */
  readonly size: number;
  /** Number of input columns. */
  readonly inputSize: number;
  /** Number of target columns (K for one-hot, 1 for binary, the target count for regression). */
  readonly targetSize: number;
  /** Classification or regression. */
  readonly task: Task;
  /** Class names, for classification. */
  readonly classNames?: readonly string[];
  /** Column names, when the source has them. */
  readonly featureNames?: readonly string[];
  /** The class index of each row, for classification. */
  readonly labels?: Int32Array;
  /** How labels are encoded into targets, for classification. */
  readonly targetEncoding?: TargetEncoding;
  /** `[height, width]` when the features are the pixels of grey images, row by row. */
  readonly imageShape?: readonly [number, number];
  #features: FeatureArray;
  #targets: Float64Array;
  #preprocessing: Preprocessing;
  #shift: Float64Array;
  #factor: Float64Array;

  /** Creates a dataset over the given buffers (kept, not copied); throws `TypeError` on inconsistent sizes. */
  constructor(init: DatasetInit) {
    const { inputSize, features, task } = init;
    if (!Number.isInteger(inputSize) || inputSize <= 0) {
      throw new RangeError(`Cannot create dataset: inputSize must be a positive integer, got "${inputSize}"`);
    }
    if (features.length % inputSize !== 0) {
      throw new TypeError(
        `Cannot create dataset: ${features.length} feature values is not a multiple of ${inputSize} columns`,
      );
    }
    const size = features.length / inputSize;
    this.size = size;
    this.inputSize = inputSize;
    this.task = task;
    this.#features = features;
    if (init.featureNames !== undefined) {
      if (init.featureNames.length !== inputSize) {
        throw new TypeError(
          `Cannot create dataset: ${init.featureNames.length} feature names for ${inputSize} columns`,
        );
      }
      this.featureNames = init.featureNames;
    }
    if (init.imageShape !== undefined) {
      const [height, width] = init.imageShape;
      if (height * width !== inputSize) {
        throw new TypeError(
          `Cannot create dataset: a ${height}×${width} image has ${
            height * width
          } pixels, the data has ${inputSize} columns`,
        );
      }
      this.imageShape = init.imageShape;
    }
    if (task === "classification") {
      const { labels, classNames } = init;
      if (labels === undefined || classNames === undefined) {
        throw new TypeError("Cannot create dataset: classification needs labels and classNames");
      }
      if (labels.length !== size) {
        throw new TypeError(`Cannot create dataset: ${labels.length} labels for ${size} rows`);
      }
      const classCount = classNames.length;
      for (let i = 0; i < size; i++) {
        if (labels[i] < 0 || labels[i] >= classCount) {
          throw new RangeError(
            `Cannot create dataset: label "${
              labels[i]
            }" of row ${i} is not a class index below ${classCount}`,
          );
        }
      }
      const encoding = init.targetEncoding ?? (classCount === 2 ? "binary" : "one-hot");
      if (encoding === "binary" && classCount !== 2) {
        throw new TypeError(`Cannot create dataset: binary targets need 2 classes, got ${classCount}`);
      }
      this.labels = labels;
      this.classNames = classNames;
      this.targetEncoding = encoding;
      this.targetSize = encoding === "binary" ? 1 : classCount;
      this.#targets = encodeLabels(labels, this.targetSize);
    } else {
      const { targets, targetSize } = init;
      if (
        targets === undefined || targetSize === undefined || !Number.isInteger(targetSize) || targetSize <= 0
      ) {
        throw new TypeError("Cannot create dataset: regression needs targets and a positive targetSize");
      }
      if (targets.length !== size * targetSize) {
        throw new TypeError(
          `Cannot create dataset: ${targets.length} target values for ${size} rows of ${targetSize}`,
        );
      }
      this.targetSize = targetSize;
      this.#targets = targets;
    }
    const preprocessing = init.preprocessing ?? identityPreprocessing(inputSize);
    if (preprocessing.shift.length !== inputSize || preprocessing.factor.length !== inputSize) {
      throw new TypeError(
        `Cannot create dataset: preprocessing has ${preprocessing.shift.length} columns, the data has ${inputSize}`,
      );
    }
    this.#preprocessing = preprocessing;
    this.#shift = Float64Array.from(preprocessing.shift);
    this.#factor = Float64Array.from(preprocessing.factor);
  }

  /** The number of classes (0 for regression). */
  get classCount(): number {
    return this.classNames?.length ?? 0;
  }

  /** The preprocessing applied by `gather` and `features` (JSON-serialisable). */
  get preprocessing(): Preprocessing {
    return this.#preprocessing;
  }

  /** The raw (unpreprocessed) feature buffer, row-major `size × inputSize`; do not modify. */
  get rawFeatureData(): FeatureArray {
    return this.#features;
  }

  /**
   * Writes rows `order[start]`, `order[start + 1]`, … (`x.rows` of them) into `x` (preprocessed,
   * `x.rows × inputSize`) and `y` (`x.rows × targetSize`). Allocates nothing; row indices are not checked.
   */
  gather(x: Matrix, y: Matrix, order: Uint32Array, start: number): void {
    const n = x.rows, d = this.inputSize, t = this.targetSize;
    if (x.cols !== d || y.rows !== n || y.cols !== t) {
      throw new TypeError(
        `Cannot gather batch: expected x ${n}×${d} and y ${n}×${t}, got ${x.shapeString()} and ${y.shapeString()}`,
      );
    }
    if (!Number.isInteger(start) || start < 0 || start + n > order.length) {
      throw new RangeError(
        `Cannot gather batch: rows ${start}..${start + n} exceed the order of ${order.length}`,
      );
    }
    const raw = this.#features, shift = this.#shift, factor = this.#factor, targets = this.#targets;
    const X = x.data, Y = y.data;
    for (let i = 0; i < n; i++) {
      const row = order[start + i];
      const from = row * d, to = i * d;
      for (let j = 0; j < d; j++) X[to + j] = (raw[from + j] - shift[j]) * factor[j];
      const targetFrom = row * t, targetTo = i * t;
      for (let j = 0; j < t; j++) Y[targetTo + j] = targets[targetFrom + j];
    }
  }

  /** All features as one preprocessed `size × inputSize` matrix (allocates; for small sets and evaluation). */
  features(): Matrix {
    const out = new Matrix(this.size, this.inputSize);
    const raw = this.#features, shift = this.#shift, factor = this.#factor, d = this.inputSize;
    for (let i = 0; i < raw.length; i++) {
      const j = i % d;
      out.data[i] = (raw[i] - shift[j]) * factor[j];
    }
    return out;
  }

  /** All raw features as a `size × inputSize` matrix, before preprocessing (e.g. for plotting points). */
  rawFeatures(): Matrix {
    return new Matrix(this.size, this.inputSize, Float64Array.from(this.#features));
  }

  /** All targets as a `size × targetSize` matrix (a copy). */
  targets(): Matrix {
    return new Matrix(this.size, this.targetSize, this.#targets.slice());
  }

  /** A new dataset of the given rows, in that order (features copied, same preprocessing and encoding). */
  subset(indices: Uint32Array): Dataset {
    const d = this.inputSize, n = indices.length;
    const source = this.#features;
    const features = source instanceof Uint8Array ? new Uint8Array(n * d) : new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = indices[i];
      if (row >= this.size) {
        throw new RangeError(`Cannot take subset: row "${row}" is not below the size ${this.size}`);
      }
      features.set(source.subarray(row * d, (row + 1) * d), i * d);
    }
    const common = {
      inputSize: d,
      features,
      featureNames: this.featureNames,
      preprocessing: this.#preprocessing,
      imageShape: this.imageShape,
    };
    if (this.task === "classification") {
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) labels[i] = this.labels![indices[i]];
      return new Dataset({
        ...common,
        task: "classification",
        labels,
        classNames: this.classNames,
        targetEncoding: this.targetEncoding,
      });
    }
    const t = this.targetSize;
    const targets = new Float64Array(n * t);
    for (let i = 0; i < n; i++) {
      targets.set(this.#targets.subarray(indices[i] * t, (indices[i] + 1) * t), i * t);
    }
    return new Dataset({ ...common, task: "regression", targets, targetSize: t });
  }

  /**
   * Splits into shuffled `train` and `test` parts; `round(size · testFraction)` rows go to `test`. Classifiers
   * are stratified by default: each class contributes its share (largest remainders settle the rounding).
   */
  split(testFraction: number, rng: Rng, options: SplitOptions = {}): { train: Dataset; test: Dataset } {
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new RangeError(`Cannot split dataset: test fraction must be in [0, 1), got "${testFraction}"`);
    }
    const stratify = (options.stratify ?? true) && this.task === "classification";
    const testCount = Math.round(this.size * testFraction);
    const train: number[] = [], test: number[] = [];
    if (!stratify) {
      const order = rng.shuffle(rangeOf(this.size));
      for (let i = 0; i < this.size; i++) (i < testCount ? test : train).push(order[i]);
    } else {
      const groups: number[][] = Array.from({ length: this.classCount }, () => []);
      for (let i = 0; i < this.size; i++) groups[this.labels![i]].push(i);
      // Each class gets floor(count · fraction) test rows; the remaining ones go to the largest remainders.
      const quotas = groups.map((group) => Math.floor(group.length * testFraction));
      let missing = testCount - quotas.reduce((a, b) => a + b, 0);
      const byRemainder = groups.map((group, c) => ({
        c,
        remainder: group.length * testFraction - quotas[c],
      }))
        .sort((a, b) => b.remainder - a.remainder || a.c - b.c);
      for (const { c } of byRemainder) {
        if (missing <= 0) break;
        if (quotas[c] < groups[c].length) {
          quotas[c]++;
          missing--;
        }
      }
      groups.forEach((group, c) => {
        rng.shuffle(group);
        group.forEach((row, i) => (i < quotas[c] ? test : train).push(row));
      });
      rng.shuffle(train);
      rng.shuffle(test);
    }
    return { train: this.subset(Uint32Array.from(train)), test: this.subset(Uint32Array.from(test)) };
  }

  /** The same rows with another preprocessing (shares the feature buffer). */
  withPreprocessing(preprocessing: Preprocessing): Dataset {
    return new Dataset(this.#init({ preprocessing }));
  }

  /** The same rows read as grey images of `[height, width]` pixels (shares the feature buffer). */
  withImageShape(imageShape: readonly [number, number]): Dataset {
    return new Dataset(this.#init({ imageShape }));
  }

  /** The same rows with labels encoded as one-hot columns or one binary column (classification only). */
  withTargetEncoding(encoding: TargetEncoding): Dataset {
    if (this.task !== "classification") {
      throw new TypeError("Cannot change target encoding: the dataset is a regression dataset");
    }
    if (encoding === this.targetEncoding) return this;
    return new Dataset(this.#init({ targetEncoding: encoding }));
  }

  #init(changes: Partial<DatasetInit>): DatasetInit {
    const base: DatasetInit = {
      inputSize: this.inputSize,
      features: this.#features,
      task: this.task,
      featureNames: this.featureNames,
      preprocessing: this.#preprocessing,
      imageShape: this.imageShape,
      ...(this.task === "classification"
        ? { labels: this.labels, classNames: this.classNames, targetEncoding: this.targetEncoding }
        : { targets: this.#targets, targetSize: this.targetSize }),
    };
    return { ...base, ...changes };
  }
}

function rangeOf(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

// One-hot rows (K columns) or a single 0/1 column (class 1 is the positive class).
function encodeLabels(labels: Int32Array, targetSize: number): Float64Array {
  const out = new Float64Array(labels.length * targetSize);
  if (targetSize === 1) {
    for (let i = 0; i < labels.length; i++) out[i] = labels[i];
  } else {
    for (let i = 0; i < labels.length; i++) out[i * targetSize + labels[i]] = 1;
  }
  return out;
}

/**
 * Fits a preprocessing to the raw features of `dataset` (pass the TRAINING split only). Constant columns get
 * factor 1, so they map to 0 instead of NaN.
 *
 * - `minmax`: shift = min, factor = 1 / (max − min), mapping each column to [0, 1].
 * - `zscore`: shift = mean, factor = 1 / standard deviation (population).
 * - `scale`: shift = 0, factor = 1 / scale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dataset, fitPreprocessing } from "./dataset.ts";
 *
 * const data = new Dataset({
 *   inputSize: 2,
 *   features: new Float64Array([0, 10, 5, 10, 10, 10]), // the second column is constant
 *   task: "regression",
 *   targets: new Float64Array([0, 1, 2]),
 *   targetSize: 1,
 * });
 * const preprocessing = fitPreprocessing(data, { kind: "minmax" });
 * assert.deepEqual(preprocessing.shift, [0, 10]);
 * assert.deepEqual(preprocessing.factor, [0.1, 1]);
 * ```
 */
export function fitPreprocessing(dataset: Dataset, options: FitPreprocessingOptions): Preprocessing {
  const d = dataset.inputSize, n = dataset.size, raw = dataset.rawFeatureData;
  const shift = new Array<number>(d).fill(0), factor = new Array<number>(d).fill(1);
  switch (options.kind) {
    case "none":
      break;
    case "scale": {
      const scale = options.scale ?? 255;
      if (!(scale > 0) || !Number.isFinite(scale)) {
        throw new RangeError(`Cannot fit preprocessing: scale must be a positive number, got "${scale}"`);
      }
      factor.fill(1 / scale);
      break;
    }
    case "minmax": {
      const min = new Float64Array(d).fill(Infinity), max = new Float64Array(d).fill(-Infinity);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const v = raw[i * d + j];
          if (v < min[j]) min[j] = v;
          if (v > max[j]) max[j] = v;
        }
      }
      for (let j = 0; j < d; j++) {
        if (n === 0) continue;
        shift[j] = min[j];
        const range = max[j] - min[j];
        factor[j] = range > 0 ? 1 / range : 1;
      }
      break;
    }
    case "zscore": {
      const mean = new Float64Array(d), squares = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += raw[i * d + j];
      for (let j = 0; j < d; j++) mean[j] = n > 0 ? mean[j] / n : 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const delta = raw[i * d + j] - mean[j];
          squares[j] += delta * delta;
        }
      }
      for (let j = 0; j < d; j++) {
        shift[j] = mean[j];
        const std = n > 0 ? Math.sqrt(squares[j] / n) : 0;
        // A (near-)constant column has no spread to divide by: centre it and leave the scale alone.
        factor[j] = std > 1e-12 * Math.max(1, Math.abs(mean[j])) ? 1 / std : 1;
      }
      break;
    }
    default:
      throw new RangeError(`Cannot fit preprocessing: unknown kind "${options.kind as string}"`);
  }
  return { kind: options.kind, shift, factor };
}

/**
 * Applies a preprocessing to raw input rows in place and returns them (what `predict` does to user input).
 *
 * @example
 * ```ts
 * import { applyPreprocessing } from "./dataset.ts";
 * import { Matrix } from "../math/matrix.ts";
 * const x = applyPreprocessing(Matrix.from([[255, 0]]), { kind: "scale", shift: [0, 0], factor: [1 / 255, 1 / 255] });
 * console.assert(x.get(0, 0) === 1);
 * ```
 */
export function applyPreprocessing(x: Matrix, preprocessing: Preprocessing): Matrix {
  const { shift, factor } = preprocessing;
  if (shift.length !== x.cols || factor.length !== x.cols) {
    throw new TypeError(
      `Cannot apply preprocessing: it has ${shift.length} columns, the input has ${x.cols}`,
    );
  }
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) x.data[i * x.cols + j] = (x.data[i * x.cols + j] - shift[j]) * factor[j];
  }
  return x;
}
