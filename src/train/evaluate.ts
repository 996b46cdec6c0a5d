// Evaluation: loss, accuracy and a confusion matrix of a network on a dataset, computed batch by batch.

import type { Loss } from "../math/losses.ts";
import { Matrix } from "../math/matrix.ts";
import { countCorrect } from "../nn/fit.ts";
import type { Network } from "../nn/network.ts";
import type { BatchSource } from "../nn/fit.ts";

/** What `evaluate` measures. */
export interface Evaluation {
  /** Mean loss over the samples. */
  loss: number;
  /** Share of samples classified right (classifiers only). */
  accuracy?: number;
  /** confusion[actual][predicted] counts (with `confusion: true`, classifiers only). */
  confusion?: number[][];
  /** Number of samples evaluated. */
  samples: number;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** The loss to report. */
  loss: Loss;
  /** Whether to count accuracy (classifiers). */
  classification: boolean;
  /** Also build a confusion matrix. */
  confusion?: boolean;
  /** Rows per batch (default 256). */
  batchSize?: number;
}

/** Buffers reused across calls, keyed by the data's target width, so per-epoch evaluation allocates nothing. */
const orderCache = new WeakMap<BatchSource, Uint32Array>();
const targetCache = new Map<string, Matrix>();

/**
 * The class of one output (or one-hot target) row at `offset` of width `width`: the largest column, or for a
 * single column 1 when it is at least 0.5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictedClass } from "./evaluate.ts";
 * assert.equal(predictedClass([0.1, 0.7, 0.2], 0, 3), 1);
 * ```
 */
export function predictedClass(row: ArrayLike<number>, offset: number, width: number): number {
  if (width === 1) return row[offset] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < width; j++) if (row[offset + j] > row[offset + best]) best = j;
  return best;
}

/**
 * Evaluates `network` on every sample of `data`, in batches through the network's own buffers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, getLoss, Matrix, matrixSource, Network } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [4], output: 2, outputActivation: "softmax", seed: 1 });
 * const data = matrixSource(Matrix.from([[0, 1], [1, 0]]), Matrix.from([[1, 0], [0, 1]]));
 * const result = evaluate(net, data, { loss: getLoss("cross_entropy"), classification: true, confusion: true });
 * assert.equal(result.samples, 2);
 * assert.ok(result.accuracy !== undefined && result.accuracy >= 0 && result.accuracy <= 1);
 * assert.equal(result.confusion?.flat().reduce((a, b) => a + b), 2);
 * ```
 */
export function evaluate(network: Network, data: BatchSource, options: EvaluateOptions): Evaluation {
  const batchSize = Math.min(options.batchSize ?? 256, data.size);
  let order = orderCache.get(data);
  if (order === undefined) {
    order = new Uint32Array(data.size);
    for (let i = 0; i < data.size; i++) order[i] = i;
    orderCache.set(data, order);
  }
  const t = data.targetSize;
  const classes = t === 1 ? 2 : t;
  const confusion = options.confusion && options.classification
    ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
    : undefined;
  let lossSum = 0, correct = 0;
  for (let start = 0; start < data.size; start += batchSize) {
    const rows = Math.min(batchSize, data.size - start);
    const x = network.inputBuffer(rows);
    const key = `${rows}×${t}`;
    let y = targetCache.get(key);
    if (y === undefined) targetCache.set(key, y = new Matrix(rows, t));
    data.gather(x, y, order, start);
    const output = network.forwardBatch(x);
    lossSum += options.loss.value(output, y) * rows;
    if (options.classification) {
      correct += countCorrect(output, y);
      if (confusion !== undefined) {
        for (let r = 0; r < rows; r++) {
          confusion[predictedClass(y.data, r * t, t)][predictedClass(output.data, r * t, t)]++;
        }
      }
    }
  }
  return {
    loss: lossSum / data.size,
    accuracy: options.classification ? correct / data.size : undefined,
    confusion,
    samples: data.size,
  };
}
