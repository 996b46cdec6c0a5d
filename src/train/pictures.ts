// Pictures of the data and of the errors for the dashboard: sample images, their predicted classes, the
// confusion matrix and the first layer's weights as images. Plain numbers out, never live buffers.

import { Matrix } from "../math/matrix.ts";
import type { BatchSource } from "../nn/fit.ts";
import type { Network } from "../nn/network.ts";
import { predictedClass } from "./evaluate.ts";
import type { ConfusionMatrix, FirstLayerFilters, ImageInfo, SampleImage } from "./events.ts";

/** Most sample images sent to the dashboard (it draws as many as fit). */
export const MAX_SAMPLE_IMAGES = 32;
/** Classifiers with more classes than this get no confusion matrix (it would not fit on a terminal). */
export const MAX_CONFUSION_CLASSES = 20;
/** First-layer units shown as images. */
export const MAX_FILTERS = 16;
/** Filters are averaged down to at most this many pixels a side, so an epoch event stays small (16·14·14 numbers). */
export const MAX_FILTER_SIDE = 14;

/** A data set as the pictures need it: batches, raw pixels, labels and the image size. */
export interface PictureData extends BatchSource {
  /** The raw (unpreprocessed) features, row-major. */
  readonly rawFeatureData: ArrayLike<number>;
  /** The class index of each row, for classification. */
  readonly labels?: Int32Array;
  /** `[height, width]` when the features are the pixels of grey images. */
  readonly imageShape?: readonly [number, number];
}

/**
 * Chooses up to `count` rows to show, once: the first row of each class first (so every class appears when it
 * can), then the earliest remaining rows; returned in row order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseSamples } from "./pictures.ts";
 * assert.deepEqual(chooseSamples(Int32Array.of(0, 0, 0, 1, 2), 3), [0, 3, 4]);
 * ```
 */
export function chooseSamples(
  labels: Int32Array | undefined,
  count: number,
  size = labels?.length ?? 0,
): number[] {
  const take = Math.min(count, size);
  const chosen = new Set<number>();
  if (labels !== undefined) {
    const seen = new Set<number>();
    for (let i = 0; i < size && chosen.size < take; i++) {
      if (!seen.has(labels[i])) seen.add(labels[i]), chosen.add(i);
    }
  }
  for (let i = 0; i < size && chosen.size < take; i++) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}

/** The image size and the fixed sample images of `data` (grey levels scaled to [0, 1] over the samples shown). */
export function imageInfo(data: PictureData, split: "test" | "train"): ImageInfo | undefined {
  if (data.imageShape === undefined) return undefined;
  const [height, width] = data.imageShape;
  const raw = data.rawFeatureData, d = data.inputSize;
  const indices = chooseSamples(data.labels, MAX_SAMPLE_IMAGES, data.size);
  let low = Infinity, high = -Infinity;
  for (const index of indices) {
    for (let j = index * d; j < (index + 1) * d; j++) {
      const v = raw[j];
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  const span = high - low > 0 ? high - low : 1;
  const samples: SampleImage[] = indices.map((index) => {
    const pixels = new Array<number>(d);
    for (let j = 0; j < d; j++) pixels[j] = (raw[index * d + j] - low) / span;
    return { index, label: data.labels?.[index] ?? 0, pixels };
  });
  return { height, width, split, samples };
}

/**
 * Averages a row-major `height × width` image down by `factor` in both directions (edge blocks average what they
 * hold): the 2×2 mean of a 28×28 image is 14×14.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shrinkImage } from "./pictures.ts";
 * assert.deepEqual(shrinkImage([1, 3, 5, 7], { height: 2, width: 2, factor: 2 }), [4]);
 * ```
 */
export function shrinkImage(
  pixels: ArrayLike<number>,
  options: { height: number; width: number; factor: number },
): number[] {
  const { height, width, factor } = options;
  const rows = Math.ceil(height / factor), cols = Math.ceil(width / factor);
  const out = new Array<number>(rows * cols).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0, count = 0;
      for (let y = r * factor; y < Math.min(height, (r + 1) * factor); y++) {
        for (let x = c * factor; x < Math.min(width, (c + 1) * factor); x++) {
          sum += pixels[y * width + x], count++;
        }
      }
      out[r * cols + c] = sum / count;
    }
  }
  return out;
}

/**
 * What the pictures need from a running network, gathered once: the sample images as a preprocessed batch.
 * `predictions` and `filters` read the network as it is now.
 */
export class PictureProbe {
  /** The image size and sample images (constant for the run), or undefined when the data are not images. */
  readonly info: ImageInfo | undefined;
  #x: Matrix | undefined;

  /** Gathers the sample images of `data` (the test split, or the training set without one). */
  constructor(data: PictureData, split: "test" | "train") {
    this.info = imageInfo(data, split);
    if (this.info === undefined) return;
    const rows = this.info.samples.length;
    if (rows === 0) return;
    const order = Uint32Array.from(this.info.samples, (s) => s.index);
    this.#x = new Matrix(rows, data.inputSize);
    data.gather(this.#x, new Matrix(rows, data.targetSize), order, 0);
  }

  /** The class the network predicts for each sample image, in order (empty without images). */
  predictions(network: Network): number[] {
    const x = this.#x;
    if (x === undefined) return [];
    const input = network.inputBuffer(x.rows);
    input.data.set(x.data);
    const output = network.forwardBatch(input);
    const out: number[] = [];
    for (let r = 0; r < x.rows; r++) out.push(predictedClass(output.data, r * output.cols, output.cols));
    return out;
  }

  /** The incoming weights of the first `MAX_FILTERS` units of the first layer, as (averaged-down) images. */
  filters(network: Network): FirstLayerFilters | undefined {
    if (this.info === undefined || network.layers.length === 0) return undefined;
    const { height, width } = this.info;
    const layer = network.layers[0];
    const factor = Math.ceil(Math.max(height, width) / MAX_FILTER_SIDE);
    const units: number[] = [], weights: number[][] = [];
    const w = layer.weights.data, inputs = layer.inputs;
    for (let unit = 0; unit < Math.min(MAX_FILTERS, layer.units); unit++) {
      units.push(unit);
      weights.push(shrinkImage(w.subarray(unit * inputs, (unit + 1) * inputs), { height, width, factor }));
    }
    return { height: Math.ceil(height / factor), width: Math.ceil(width / factor), units, weights };
  }
}

/**
 * The confusion matrix of `network` on a fixed batch (x, y) with one-hot or single 0/1 target rows, for when
 * there is no test split (the trainer's evaluation gives it on the test split).
 */
export function sampleConfusion(network: Network, sample: { x: Matrix; y: Matrix }): ConfusionMatrix {
  const { x, y } = sample;
  const t = y.cols, classes = t === 1 ? 2 : t;
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const input = network.inputBuffer(x.rows);
  input.data.set(x.data);
  const output = network.forwardBatch(input);
  for (let r = 0; r < x.rows; r++) {
    counts[predictedClass(y.data, r * t, t)][predictedClass(output.data, r * t, t)]++;
  }
  return { split: "train", counts };
}
