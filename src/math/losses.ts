// Loss functions, each the MEAN over the batch, with the gradient ∂L/∂ŷ next to the value.

import type { AnyMatrix } from "./matrix.ts";

/** The names of the losses, as written in configs. */
export type LossName = "mse" | "binary_cross_entropy" | "cross_entropy";

/** Probabilities are clamped to [EPSILON, 1 − EPSILON] before taking logarithms, so losses stay finite. */
export const PROBABILITY_EPSILON = 1e-15;

/** A loss over a batch of predictions ŷ and targets y, both (batch, outputs). */
export interface Loss {
  /** Its name in configs. */
  readonly name: LossName;
  /** The mean loss over the batch. */
  value(predicted: AnyMatrix, target: AnyMatrix): number;
  /** dA = ∂L/∂ŷ, same shape as the predictions. */
  gradient(dA: AnyMatrix, predicted: AnyMatrix, target: AnyMatrix): void;
  /**
   * The output activation whose derivative cancels with this loss, so that dZ = ∂L/∂z is computed directly
   * (cross-entropy after softmax, binary cross-entropy after sigmoid): more accurate and cheaper.
   */
  readonly fusedActivation?: "softmax" | "sigmoid";
  /** dZ = ∂L/∂z for the fused activation, given its output p. */
  fusedGradient?(dZ: AnyMatrix, predicted: AnyMatrix, target: AnyMatrix): void;
}

const PROBABILITY_HIGH = 1 - PROBABILITY_EPSILON;

// Math.min/max rather than a chain of ternaries: the same result for every input (NaN stays NaN), but V8 keeps it
// in a float register; the ternary form boxed every returned p, allocating 16 bytes per element in the hot loop.
function clampProbability(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_EPSILON), PROBABILITY_HIGH);
}

/** Mean squared error: L = 1/(N·K) Σ (ŷ − y)²; ∂L/∂ŷ = 2(ŷ − y)/(N·K). */
export const mse: Loss = {
  name: "mse",
  value(predicted, target) {
    const P = predicted.data, Y = target.data;
    let sum = 0;
    for (let i = 0; i < P.length; i++) {
      const diff = P[i] - Y[i];
      sum += diff * diff;
    }
    return sum / P.length;
  },
  gradient(dA, predicted, target) {
    const P = predicted.data, Y = target.data, D = dA.data, factor = 2 / P.length;
    for (let i = 0; i < P.length; i++) D[i] = factor * (P[i] - Y[i]);
  },
};

/**
 * Binary cross-entropy: L = −1/(N·K) Σ [y log p + (1 − y) log(1 − p)], p clamped;
 * ∂L/∂p = (p − y) / (p(1 − p)) / (N·K); fused with sigmoid: ∂L/∂z = (p − y)/(N·K).
 */
export const binaryCrossEntropy: Loss = {
  name: "binary_cross_entropy",
  value(predicted, target) {
    const P = predicted.data, Y = target.data;
    let sum = 0;
    for (let i = 0; i < P.length; i++) {
      const p = clampProbability(P[i]);
      sum -= Y[i] * Math.log(p) + (1 - Y[i]) * Math.log(1 - p);
    }
    return sum / P.length;
  },
  gradient(dA, predicted, target) {
    const P = predicted.data, Y = target.data, D = dA.data, count = P.length;
    for (let i = 0; i < count; i++) {
      const p = clampProbability(P[i]);
      D[i] = (p - Y[i]) / (p * (1 - p)) / count;
    }
  },
  fusedActivation: "sigmoid",
  fusedGradient(dZ, predicted, target) {
    const P = predicted.data, Y = target.data, D = dZ.data, factor = 1 / P.length;
    for (let i = 0; i < P.length; i++) D[i] = factor * (P[i] - Y[i]);
  },
};

/**
 * Categorical cross-entropy over softmax outputs: L = −1/N Σ_rows Σ_k y_k log p_k, p clamped;
 * ∂L/∂p = −y/(p·N); fused with softmax: ∂L/∂z = (p − y)/N.
 */
export const crossEntropy: Loss = {
  name: "cross_entropy",
  value(predicted, target) {
    const P = predicted.data, Y = target.data;
    let sum = 0;
    for (let i = 0; i < P.length; i++) if (Y[i] !== 0) sum -= Y[i] * Math.log(clampProbability(P[i]));
    return sum / predicted.rows;
  },
  gradient(dA, predicted, target) {
    const P = predicted.data, Y = target.data, D = dA.data, batch = predicted.rows;
    for (let i = 0; i < P.length; i++) D[i] = -Y[i] / (clampProbability(P[i]) * batch);
  },
  fusedActivation: "softmax",
  fusedGradient(dZ, predicted, target) {
    const P = predicted.data, Y = target.data, D = dZ.data, factor = 1 / predicted.rows;
    for (let i = 0; i < P.length; i++) D[i] = factor * (P[i] - Y[i]);
  },
};

/** Every loss by name. */
export const losses: Readonly<Record<LossName, Loss>> = {
  mse,
  binary_cross_entropy: binaryCrossEntropy,
  cross_entropy: crossEntropy,
};

/** The loss names. */
export const LOSS_NAMES: readonly LossName[] = Object.keys(losses) as LossName[];

/**
 * Looks up a loss by name; throws a `RangeError` that lists the known names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLoss } from "./losses.ts";
 * import { Matrix } from "./matrix.ts";
 *
 * const mse = getLoss("mse");
 * assert.equal(mse.value(Matrix.from([[1], [3]]), Matrix.from([[0], [3]])), 0.5); // the mean of the squared errors
 * assert.throws(() => getLoss("hinge"), RangeError);
 * ```
 */
export function getLoss(name: string): Loss {
  if (!Object.hasOwn(losses, name)) {
    throw new RangeError(`Unknown loss "${name}": expected one of ${LOSS_NAMES.join(", ")}`);
  }
  return losses[name as LossName];
}
