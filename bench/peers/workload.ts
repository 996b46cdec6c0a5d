// The shared peer-benchmark workload: the Fashion-MNIST slice, the 784-128-64-10 shape and the initial weights.

import { parseIdx } from "../../src/data/idx.ts";
import { locateDataset } from "../../src/data/named.ts";
import { Network } from "../../src/nn/network.ts";

/**
 * Where the Fashion-MNIST gzip IDX files are read from: where `source: fashion-mnist` finds them (the Debian folder
 * or the user's cache), else the Debian folder (whose absence the read then reports).
 */
export const FASHION_MNIST_DIR: string = await locateDataset("fashion-mnist").then(
  (found) => found.dir,
  () => "/usr/share/datasets/fashion-mnist",
);

/** Layer sizes of the benchmarked MLP: input, two ReLU hidden layers, a softmax output. */
export const LAYER_SIZES: readonly number[] = [784, 128, 64, 10];

/** Seed of the initial weights (He normal, drawn by termnet's Rng). */
export const WEIGHT_SEED = 42;

/** What every peer runs: the same samples, batch size, learning rate, warm-up and trial count. */
export interface Workload {
  /** Samples trained on in each timed trial: the first `samples` training images, in file order. */
  samples: number;
  /** Samples of the untimed warm-up before the trials (the first `warmup` images; weights reset afterwards). */
  warmup: number;
  /** Samples per mini-batch (the last batch of a trial may be smaller). */
  batchSize: number;
  /** Plain SGD step size. */
  learningRate: number;
  /** Timed trials per peer; the median is reported. */
  trials: number;
  /** A peer stops after fewer trials once its timed trials took this many seconds (slow peers, loaded machine). */
  budgetSeconds: number;
}

/** The workload of the issue "Speed", shortened to 20,000 samples so that all peers finish in a minute or two. */
export const DEFAULT_WORKLOAD: Workload = {
  samples: 20_000,
  warmup: 2_048,
  batchSize: 64,
  learningRate: 0.1,
  trials: 3,
  budgetSeconds: 20,
};

/** The training slice as bytes, before any scaling. */
export interface RawSlice {
  /** Number of samples. */
  count: number;
  /** Pixels, `count × 784`, row-major, 0..255. */
  images: Uint8Array;
  /** Class labels 0..9, `count`. */
  labels: Uint8Array;
}

/** The initial parameters every peer starts from, layer by layer, in termnet's (out × in) layout. */
export interface InitialWeights {
  /** Weights of each layer, (units × inputs) row-major. */
  weights: Float64Array[];
  /** Biases of each layer (units); zero. */
  biases: Float64Array[];
}

/** Reads the first `count` training images and labels (gzip IDX) from `dir`. */
export async function loadSlice(count: number, dir: string = FASHION_MNIST_DIR): Promise<RawSlice> {
  const imagesFile = `${dir}/train-images-idx3-ubyte.gz`, labelsFile = `${dir}/train-labels-idx1-ubyte.gz`;
  const images = await parseIdx(await Deno.readFile(imagesFile), { file: imagesFile });
  const labels = await parseIdx(await Deno.readFile(labelsFile), { file: labelsFile });
  const inputs = images.dims.slice(1).reduce((a, b) => a * b, 1);
  if (inputs !== LAYER_SIZES[0]) {
    throw new RangeError(
      `Cannot use "${imagesFile}": expected ${LAYER_SIZES[0]} pixels per image, got ${inputs}`,
    );
  }
  if (count > images.dims[0]) {
    throw new RangeError(`Cannot take ${count} samples: "${imagesFile}" has ${images.dims[0]}`);
  }
  return {
    count,
    images: images.data.slice(0, count * inputs),
    labels: labels.data.slice(0, count),
  };
}

/** Draws the initial weights once with termnet's seeded He-normal initialiser (biases zero). */
export function initialWeights(seed: number = WEIGHT_SEED): InitialWeights {
  const network = new Network({
    input: LAYER_SIZES[0],
    hidden: LAYER_SIZES.slice(1, -1),
    output: LAYER_SIZES[LAYER_SIZES.length - 1],
    activation: "relu",
    outputActivation: "softmax",
    init: "he",
    seed,
  });
  return {
    weights: network.layers.map((layer) => Float64Array.from(layer.weights.data)),
    biases: network.layers.map((layer) => Float64Array.from(layer.biases)),
  };
}

/** The files a subprocess peer reads: the weights and the data slice, and the shapes to interpret them. */
export interface SharedFiles {
  /** JSON: layer sizes, sample count and the names of the binary files. */
  meta: string;
  /** Float64 little-endian: W1, b1, W2, b2, W3, b3 concatenated, W in (out × in) row-major order. */
  weights: string;
  /** Bytes: the images, `count × 784`. */
  images: string;
  /** Bytes: the labels, `count`. */
  labels: string;
}

/** Writes the initial weights and the raw slice into `dir` for the subprocess peers; returns the paths. */
export async function writeSharedFiles(
  dir: string,
  data: { weights: InitialWeights; slice: RawSlice },
): Promise<SharedFiles> {
  const { weights, slice } = data;
  const files: SharedFiles = {
    meta: `${dir}/meta.json`,
    weights: `${dir}/weights.f64`,
    images: `${dir}/images.u8`,
    labels: `${dir}/labels.u8`,
  };
  const total = weights.weights.reduce((sum, w, l) => sum + w.length + weights.biases[l].length, 0);
  const flat = new Float64Array(total);
  let offset = 0;
  for (let l = 0; l < weights.weights.length; l++) {
    flat.set(weights.weights[l], offset);
    offset += weights.weights[l].length;
    flat.set(weights.biases[l], offset);
    offset += weights.biases[l].length;
  }
  // Float64Array is little-endian on every platform Deno runs on (x86-64, arm64).
  await Deno.writeFile(files.weights, new Uint8Array(flat.buffer));
  await Deno.writeFile(files.images, slice.images);
  await Deno.writeFile(files.labels, slice.labels);
  await Deno.writeTextFile(
    files.meta,
    JSON.stringify({
      layerSizes: LAYER_SIZES,
      count: slice.count,
      weights: files.weights,
      images: files.images,
      labels: files.labels,
    }),
  );
  return files;
}

/** The images scaled by 1/255 into float64 (x = byte / 255, the same division numpy does). */
export function scaleImages(images: Uint8Array): Float64Array {
  const x = new Float64Array(images.length);
  for (let i = 0; i < images.length; i++) x[i] = images[i] / 255;
  return x;
}

/** The labels as one-hot float64 rows (count × classes). */
export function oneHot(labels: Uint8Array, classes: number): Float64Array {
  const y = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) y[i * classes + labels[i]] = 1;
  return y;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b), mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One peer's measurement: what ran, in which precision, how fast, and the loss it reached. */
export interface PeerResult {
  /** Display name, e.g. `"termnet js"`. */
  peer: string;
  /** `"float64"` or `"float32"`. */
  dtype: string;
  /** Samples per second of each timed trial; empty when the peer is unavailable. */
  trials: number[];
  /** Mean training loss over the first trial's batches (each measured before its update), when available. */
  loss?: number;
  /** Samples each trial trained on (fewer than the workload's for slow peers). */
  samples?: number;
  /** Why the peer did not run, or a remark shown under the table. */
  note?: string;
}
