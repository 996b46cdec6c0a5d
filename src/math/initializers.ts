// Weight initialisers: how a layer's (units × inputs) weights are drawn before training.

import type { Rng } from "./random.ts";

/** The initialiser names, as written in configs. */
export type InitName = "uniform" | "xavier" | "he";

/** The initialiser names. */
export const INIT_NAMES: readonly InitName[] = ["uniform", "xavier", "he"];

/**
 * Fills `weights` (a layer's units × inputs values) by the named scheme:
 * - `uniform`: U[0, 1), the numpy tutorial's `np.random.rand`;
 * - `xavier`: Glorot uniform, U[−l, l) with l = √(6 / (inputs + units)) (Glorot & Bengio, 2010);
 * - `he`: He normal, N(0, 2 / inputs) (He et al., 2015), suited to ReLU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initializeWeights } from "./initializers.ts";
 * import { Rng } from "./random.ts";
 *
 * const weights = new Float64Array(3 * 2); // a layer of 3 units over 2 inputs
 * initializeWeights(weights, { init: "xavier", inputs: 2, units: 3, rng: new Rng(7) });
 * const limit = Math.sqrt(6 / (2 + 3));
 * assert.ok(weights.every((w) => -limit <= w && w < limit));
 * ```
 */
export function initializeWeights(
  weights: Float64Array | Float32Array,
  options: { init: InitName; inputs: number; units: number; rng: Rng },
): void {
  const { init, inputs, units, rng } = options;
  switch (init) {
    case "uniform":
      for (let i = 0; i < weights.length; i++) weights[i] = rng.next();
      return;
    case "xavier": {
      const limit = Math.sqrt(6 / (inputs + units));
      for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform(-limit, limit);
      return;
    }
    case "he": {
      const std = Math.sqrt(2 / inputs);
      for (let i = 0; i < weights.length; i++) weights[i] = std * rng.normal();
      return;
    }
    default:
      throw new RangeError(`Unknown initializer "${init}": expected one of ${INIT_NAMES.join(", ")}`);
  }
}
