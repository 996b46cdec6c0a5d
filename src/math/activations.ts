// Activation functions, each forward step next to its derivative, over batches (rows = samples).

import type { AnyMatrix } from "./matrix.ts";

/** The names of the activations, as written in configs and model files. */
export type ActivationName = "sigmoid" | "tanh" | "relu" | "leaky_relu" | "linear" | "softmax";

/** An activation function over a batch: `a = f(z)` and the chain rule step `dZ = dA ⊙ f'(z)`. */
export interface Activation {
  /** Its name in configs and model files. */
  readonly name: ActivationName;
  /** a = f(z), elementwise (softmax: per row). `a` and `z` have the same shape (batch, units). */
  forward(a: AnyMatrix, z: AnyMatrix): void;
  /**
   * dZ = ∂L/∂z from dA = ∂L/∂a, using z and/or a = f(z). For elementwise functions dZ = dA ⊙ f'(z);
   * for softmax the row-wise Jacobian product dZ_i = a_i · (dA_i − Σ_j dA_j · a_j). `dZ` may be `dA`.
   */
  backward(dZ: AnyMatrix, dA: AnyMatrix, z: AnyMatrix, a: AnyMatrix): void;
}

/** Slope of leaky ReLU for negative inputs. */
export const LEAKY_RELU_SLOPE = 0.01;

/** σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|. */
export function sigmoidScalar(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The logistic sigmoid, σ'(z) = σ(z)(1 − σ(z)) = a(1 − a). */
export const sigmoid: Activation = {
  name: "sigmoid",
  forward(a, z) {
    const A = a.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) A[i] = sigmoidScalar(Z[i]);
  },
  backward(dZ, dA, _z, a) {
    const D = dZ.data, G = dA.data, A = a.data;
    for (let i = 0; i < A.length; i++) D[i] = G[i] * A[i] * (1 - A[i]);
  },
};

/** The hyperbolic tangent, tanh'(z) = 1 − tanh²(z) = 1 − a². */
export const tanh: Activation = {
  name: "tanh",
  forward(a, z) {
    const A = a.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) A[i] = Math.tanh(Z[i]);
  },
  backward(dZ, dA, _z, a) {
    const D = dZ.data, G = dA.data, A = a.data;
    for (let i = 0; i < A.length; i++) D[i] = G[i] * (1 - A[i] * A[i]);
  },
};

/** The rectified linear unit max(0, z); its derivative is 1 for z > 0 and 0 otherwise. */
export const relu: Activation = {
  name: "relu",
  forward(a, z) {
    const A = a.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) A[i] = Z[i] > 0 ? Z[i] : 0;
  },
  backward(dZ, dA, z) {
    const D = dZ.data, G = dA.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) D[i] = Z[i] > 0 ? G[i] : 0;
  },
};

/** Leaky ReLU: z for z > 0, 0.01·z otherwise; derivative 1 or 0.01. */
export const leakyRelu: Activation = {
  name: "leaky_relu",
  forward(a, z) {
    const A = a.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) A[i] = Z[i] > 0 ? Z[i] : LEAKY_RELU_SLOPE * Z[i];
  },
  backward(dZ, dA, z) {
    const D = dZ.data, G = dA.data, Z = z.data;
    for (let i = 0; i < Z.length; i++) D[i] = Z[i] > 0 ? G[i] : LEAKY_RELU_SLOPE * G[i];
  },
};

/** The identity f(z) = z (for regression outputs); derivative 1. */
export const linear: Activation = {
  name: "linear",
  forward(a, z) {
    a.data.set(z.data);
  },
  backward(dZ, dA) {
    if (dZ !== dA) dZ.data.set(dA.data);
  },
};

/**
 * Softmax per row, a_i = e^(z_i − max z) / Σ_j e^(z_j − max z): subtracting the row maximum keeps it finite for
 * any logits. Output layer only; with cross-entropy the network uses the fused gradient (p − y) instead.
 */
export const softmax: Activation = {
  name: "softmax",
  forward(a, z) {
    const n = z.cols, A = a.data, Z = z.data;
    for (let r = 0; r < z.rows; r++) {
      const base = r * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (Z[base + j] > max) max = Z[base + j];
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(Z[base + j] - max);
        A[base + j] = e;
        sum += e;
      }
      const inverse = 1 / sum;
      for (let j = 0; j < n; j++) A[base + j] *= inverse;
    }
  },
  backward(dZ, dA, _z, a) {
    const n = a.cols, A = a.data, G = dA.data, D = dZ.data;
    for (let r = 0; r < a.rows; r++) {
      const base = r * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += G[base + j] * A[base + j];
      for (let j = 0; j < n; j++) D[base + j] = A[base + j] * (G[base + j] - dot);
    }
  },
};

/** Every activation by name. */
export const activations: Readonly<Record<ActivationName, Activation>> = {
  sigmoid,
  tanh,
  relu,
  leaky_relu: leakyRelu,
  linear,
  softmax,
};

/** The activation names, in the order they are documented. */
export const ACTIVATION_NAMES: readonly ActivationName[] = Object.keys(activations) as ActivationName[];

/**
 * Looks up an activation by name; throws a `RangeError` that lists the known names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getActivation } from "./activations.ts";
 *
 * assert.equal(getActivation("relu").name, "relu");
 * assert.throws(() => getActivation("swish"), RangeError);
 * ```
 */
export function getActivation(name: string): Activation {
  if (!Object.hasOwn(activations, name)) {
    throw new RangeError(`Unknown activation "${name}": expected one of ${ACTIVATION_NAMES.join(", ")}`);
  }
  return activations[name as ActivationName];
}
