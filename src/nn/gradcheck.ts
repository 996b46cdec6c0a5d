// Gradient checking: backpropagation's gradients against central finite differences, layer by layer.

import type { Loss } from "../math/losses.ts";
import type { FloatArray, Matrix } from "../math/matrix.ts";
import type { Network } from "./network.ts";

/** The largest disagreement found in one layer. */
export interface LayerGradientCheck {
  /** 0-based layer index. */
  layer: number;
  /** max |analytic − numeric| / max(|analytic| + |numeric|, tiny) over the layer's weights and biases. */
  maxRelativeError: number;
  /** max |analytic − numeric| over the layer's weights and biases. */
  maxAbsoluteError: number;
  /** Number of parameters compared. */
  checked: number;
}

/** Options of `gradientCheck`. */
export interface GradientCheckOptions {
  /** The loss to differentiate. */
  loss: Loss;
  /** Finite-difference step h (default 1e-6). */
  epsilon?: number;
  /** Compare at most this many parameters per layer, evenly spaced (default: all). */
  maxPerLayer?: number;
}

/**
 * Compares ∂L/∂θ from backpropagation with (L(θ + h) − L(θ − h)) / 2h for the weights and biases of every layer
 * on the batch (x, y), where x and y are already in the network's shape. Restores every parameter it nudges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLoss, gradientCheck, Matrix, Network } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [3], output: 1, activation: "tanh", seed: 1, backend: "js" });
 * const batch = { x: Matrix.from([[0.5, -1], [1, 2]]), y: Matrix.from([[1], [0]]) };
 * for (const layer of gradientCheck(net, batch, { loss: getLoss("mse") })) {
 *   assert.ok(layer.maxRelativeError < 1e-6, `layer ${layer.layer}: ${layer.maxRelativeError}`);
 * }
 * ```
 */
export function gradientCheck(
  network: Network,
  batch: { x: Matrix; y: Matrix },
  options: GradientCheckOptions,
): LayerGradientCheck[] {
  const { x, y } = batch;
  const { loss } = options;
  const h = options.epsilon ?? 1e-6;
  network.forwardBatch(x);
  network.backwardBatch(x, y, loss);
  const analytic = network.layers.map((layer) => ({ dW: layer.dW.data.slice(), dB: layer.dB.slice() }));
  const lossAt = () => loss.value(network.forwardBatch(x), y);
  return network.layers.map((layer, index) => {
    let maxRelativeError = 0, maxAbsoluteError = 0, checked = 0;
    const compare = (values: FloatArray, gradients: FloatArray) => {
      const stride = Math.max(1, Math.floor(values.length / (options.maxPerLayer ?? values.length)));
      for (let i = 0; i < values.length; i += stride) {
        const original = values[i];
        values[i] = original + h;
        const plus = lossAt();
        values[i] = original - h;
        const minus = lossAt();
        values[i] = original;
        const numeric = (plus - minus) / (2 * h);
        const difference = Math.abs(gradients[i] - numeric);
        const relative = difference / Math.max(Math.abs(gradients[i]) + Math.abs(numeric), 1e-8);
        maxRelativeError = Math.max(maxRelativeError, relative);
        maxAbsoluteError = Math.max(maxAbsoluteError, difference);
        checked++;
      }
    };
    compare(layer.weights.data, analytic[index].dW);
    compare(layer.biases, analytic[index].dB);
    return { layer: index, maxRelativeError, maxAbsoluteError, checked };
  });
}
