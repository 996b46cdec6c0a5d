// Per-layer statistics for the dashboard: activations, gradient norms, weight spread, saturation, histograms.

import type { Loss } from "../math/losses.ts";
import type { Matrix } from "../math/matrix.ts";
import type { Network } from "../nn/network.ts";
import type { DecisionBoundary, Histogram, LayerStats, RegressionCurve } from "./events.ts";

/** Number of bins in every histogram. */
export const HISTOGRAM_BINS = 24;
/** Layers with at most this many weights send them whole, so the dashboard can draw each link. */
export const MAX_DRAWN_WEIGHTS = 4096;
/** Rows of the fixed training sample the statistics are computed on (evenly spaced through the training set). */
export const STATISTICS_SAMPLE_ROWS = 256;
/** A sigmoid unit whose mean output is beyond 0.02 of 0 or 1 on the sample counts as saturated (tanh: 0.98). */
const SATURATION_MARGIN = 0.02;

/** A histogram of `values` in `bins` equal-width bins between their minimum and maximum. */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (values.length === 0) return { min: 0, max: 0, counts };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((values[i] - min) / width)) : 0;
    counts[bin]++;
  }
  return { min, max, counts };
}

function isSaturated(activation: string, meanAbsDistance: number, deadShare: number): boolean {
  if (activation === "relu") return deadShare === 1;
  if (activation === "sigmoid" || activation === "tanh") return meanAbsDistance < SATURATION_MARGIN;
  return false;
}

/**
 * Statistics of every layer on a sample batch (x, y): it runs one forward and backward pass on the sample, so the
 * activations and gradients describe the network as it is now. Overwrites the layers' gradient buffers.
 */
export function layerStatistics(
  network: Network,
  sample: { x: Matrix; y: Matrix; loss: Loss },
): LayerStats[] {
  const { x, y, loss } = sample;
  network.forwardBatch(x);
  network.backwardBatch(x, y, loss);
  const rows = x.rows;
  return network.layers.map((layer, index) => {
    const { a } = layer.buffers(rows);
    const units = layer.units, name = layer.activation.name;
    const meanActivation = new Array<number>(units).fill(0);
    let saturatedUnits = 0;
    for (let j = 0; j < units; j++) {
      let sum = 0, dead = 0, distance = 0;
      for (let r = 0; r < rows; r++) {
        const value = a.data[r * units + j];
        sum += value;
        if (value <= 0) dead++;
        // distance from the flat ends of the curve: sigmoid's 0 and 1, tanh's −1 and 1
        distance += name === "tanh" ? 1 - Math.abs(value) : Math.min(value, 1 - value);
      }
      meanActivation[j] = sum / rows;
      if (isSaturated(name, distance / rows, dead / rows)) saturatedUnits++;
    }
    const w = layer.weights.data, dW = layer.dW.data, dB = layer.dB;
    let wSum = 0, wMin = Infinity, wMax = -Infinity, gradientSquares = 0;
    const unitGradient = new Array<number>(units).fill(0);
    for (let i = 0; i < units; i++) {
      let rowSquares = dB[i] * dB[i];
      for (let k = 0; k < layer.inputs; k++) {
        const value = w[i * layer.inputs + k], g = dW[i * layer.inputs + k];
        wSum += value;
        if (value < wMin) wMin = value;
        if (value > wMax) wMax = value;
        rowSquares += g * g;
      }
      gradientSquares += rowSquares - dB[i] * dB[i];
      unitGradient[i] = Math.sqrt(rowSquares);
    }
    const mean = wSum / w.length;
    let variance = 0;
    for (let i = 0; i < w.length; i++) variance += (w[i] - mean) ** 2;
    return {
      index,
      units,
      inputs: layer.inputs,
      activation: name,
      meanActivation,
      gradientNorm: Math.sqrt(gradientSquares),
      unitGradient,
      weightMean: mean,
      weightStd: Math.sqrt(variance / w.length),
      weightMin: wMin,
      weightMax: wMax,
      saturatedShare: saturatedUnits / units,
      weights: w.length <= MAX_DRAWN_WEIGHTS ? layer.weights.toArray() : undefined,
      histograms: {
        weights: histogram(w),
        activations: histogram(a.data),
        gradients: histogram(dW),
      },
    };
  });
}

/** Options of `decisionBoundary`. */
export interface BoundaryOptions {
  /** Grid columns (default 48). */
  width?: number;
  /** Grid rows (default 32). */
  height?: number;
  /** Raw input ranges to cover. */
  xRange: [number, number];
  /** Raw range of the second input. */
  yRange: [number, number];
  /** Maps raw inputs to the network's inputs (the dataset's preprocessing). */
  shift: readonly number[];
  /** Factors of the preprocessing. */
  factor: readonly number[];
  /** Regression nets report the raw output; classifiers the class or probability. */
  task: "classification" | "regression";
}

/** The network's output over a grid of the (raw) input plane, row 0 at the top, for two-input networks. */
export function decisionBoundary(network: Network, options: BoundaryOptions): DecisionBoundary {
  const width = options.width ?? 48, height = options.height ?? 32;
  const [x0, x1] = options.xRange, [y0, y1] = options.yRange;
  const grid = network.inputBuffer(width * height);
  for (let r = 0; r < height; r++) {
    const yValue = y1 - (y1 - y0) * (r + 0.5) / height;
    for (let c = 0; c < width; c++) {
      const xValue = x0 + (x1 - x0) * (c + 0.5) / width;
      const i = (r * width + c) * 2;
      grid.data[i] = (xValue - options.shift[0]) * options.factor[0];
      grid.data[i + 1] = (yValue - options.shift[1]) * options.factor[1];
    }
  }
  const output = network.forwardBatch(grid);
  const outputs = output.cols;
  const values = new Array<number>(width * height);
  for (let i = 0; i < width * height; i++) {
    if (options.task === "classification" && outputs === 2) {
      values[i] = output.data[i * 2 + 1];
    } else if (options.task === "classification" && outputs > 2) {
      let best = 0;
      for (let j = 1; j < outputs; j++) {
        if (output.data[i * outputs + j] > output.data[i * outputs + best]) best = j;
      }
      values[i] = best;
    } else {
      values[i] = output.data[i * outputs];
    }
  }
  const classes = options.task === "classification" ? (outputs === 1 ? 2 : outputs) : 0;
  return { width, height, xRange: [x0, x1], yRange: [y0, y1], values, classes };
}

/** Evenly spaced inputs a regression curve is computed at by default. */
export const CURVE_POINTS = 96;

/** Options of `regressionCurve`. */
export interface CurveOptions {
  /** Number of evenly spaced inputs, at least 2 (default {@linkcode CURVE_POINTS}). */
  points?: number;
  /** The raw input range to cover, both ends included. */
  xRange: [number, number];
  /** Maps the raw input to the network's input (the dataset's preprocessing, one column). */
  shift: readonly number[];
  /** Factor of the preprocessing. */
  factor: readonly number[];
}

/**
 * The network's (first) output at evenly spaced raw inputs x = x0 + (x1 − x0) · i / (n − 1), for one-input
 * networks: the curve a regression has learned, drawn over its data.
 */
export function regressionCurve(network: Network, options: CurveOptions): RegressionCurve {
  const n = Math.max(2, options.points ?? CURVE_POINTS);
  const [x0, x1] = options.xRange;
  const input = network.inputBuffer(n); // (n, 1)
  for (let i = 0; i < n; i++) {
    const x = x0 + (x1 - x0) * i / (n - 1);
    input.data[i] = (x - options.shift[0]) * options.factor[0];
  }
  const output = network.forwardBatch(input); // (n, outputs)
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = output.data[i * output.cols];
  return { xRange: [x0, x1], values };
}
