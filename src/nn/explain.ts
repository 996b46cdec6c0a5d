// explainSample: the forward and backward pass of one sample, every z, a, δ, ∂W and ∂b as plain numbers.

import { getLoss, type Loss, type LossName } from "../math/losses.ts";
import { defaultLoss } from "./fit.ts";
import type { Network } from "./network.ts";

/** One layer of an explained sample (layer l, counted from 1 in the formulas; a⁰ = x is the input). */
export interface ExplainedLayer {
  /** zˡ = Wˡ·aˡ⁻¹ + bˡ   (units). */
  z: number[];
  /** aˡ = f(zˡ)   (units). */
  a: number[];
  /** δˡ = ∂L/∂zˡ   (units); only with a target. */
  delta?: number[];
  /** ∂L/∂Wˡ = δˡ·(aˡ⁻¹)ᵀ   (units × inputs, like the model file's `weights`); only with a target. */
  dW?: number[][];
  /** ∂L/∂bˡ = δˡ   (units); only with a target. */
  db?: number[];
}

/** The forward pass of one sample and, with a target, its backward pass. */
export interface Explanation {
  /** x = a⁰, the sample as the network sees it (after any preprocessing)   (inputs). */
  input: number[];
  /** Every layer, the first hidden layer first, the output layer last. */
  layers: ExplainedLayer[];
  /** ŷ = aᴸ, the output layer's activations   (outputs). */
  output: number[];
  /** L(ŷ, y), the training loss of this one sample; only with a target. */
  loss?: number;
}

/** Options of {@linkcode explainSample}. */
export interface ExplainOptions {
  /** y, the sample's target as the network's outputs should be (one-hot for softmax)   (outputs). */
  target?: readonly number[];
  /** The loss to differentiate (default: the one matching the output activation, as in training: cross_entropy after softmax, binary_cross_entropy after sigmoid, else mse). */
  loss?: LossName | Loss;
}

function checkVector(value: readonly number[], length: number, what: string): void {
  if (!Array.isArray(value)) throw new TypeError(`Cannot explain the sample: ${what} must be an array`);
  if (value.length !== length) {
    throw new TypeError(
      `Cannot explain the sample: the network takes ${length} ${what} values, got ${value.length}`,
    );
  }
  const bad = value.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) {
    throw new RangeError(
      `Cannot explain the sample: ${what}[${bad}] must be a finite number, got "${value[bad]}"`,
    );
  }
}

/**
 * The forward pass of one sample through `network` and, when `options.target` is given, the backward pass of the
 * training loss on that sample alone. For layer l = 1…L, with a⁰ = x:
 *
 * ```
 * forward                                        backward (with a target y)
 * zˡ = Wˡ·aˡ⁻¹ + bˡ     (units)                   δᴸ = ∂L/∂zᴸ = ∂L/∂aᴸ ⊙ f'(zᴸ)   (= ŷ − y, scaled, for the fused losses)
 * aˡ = f(zˡ)            (units)                   δˡ = (Wˡ⁺¹ᵀ·δˡ⁺¹) ⊙ f'(zˡ)       (units)
 * ŷ = aᴸ                (outputs)                 ∂Wˡ = δˡ·(aˡ⁻¹)ᵀ                 (units × inputs)
 * L = loss(ŷ, y)                                  ∂bˡ = δˡ                         (units)
 * ```
 *
 * The loss is the mean over the batch (here one sample) as in training, so for mse L = 1/K Σₖ (ŷₖ − yₖ)² over the
 * K outputs. The numbers come from `network.forward` and `network.gradients` with a batch of one row, so they are
 * the network's own, on whatever backend it runs; for one sample ∂b = Σ_rows δ is δ itself. The network's weights
 * do not change (its scratch buffers do).
 *
 * @param network The network, on any backend.
 * @param input x, one sample's features as the network takes them (already preprocessed)   (inputs).
 * @returns Plain number arrays (copies).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Network } from "./network.ts";
 * import { explainSample } from "./explain.ts";
 * const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
 * const e = explainSample(net, [0, 1], { target: [1], loss: "mse" });
 * assert.equal(e.layers.length, 2);
 * assert.equal(e.layers[0].dW!.length, 3); // units × inputs
 * assert.equal(e.layers[0].dW![0].length, 2);
 * assert.equal(e.loss, (e.output[0] - 1) ** 2);
 * ```
 */
export function explainSample(
  network: Network,
  input: readonly number[],
  options: ExplainOptions = {},
): Explanation {
  checkVector(input, network.input, "input");
  const x = [Array.from(input)];
  // z, a of every layer   (1, units) each
  const forward = network.forward(x);
  const layers: ExplainedLayer[] = forward.z.map((z, l) => ({
    z: Array.from(z.data),
    a: Array.from(forward.a[l].data),
  }));
  const explanation: Explanation = {
    input: Array.from(input),
    layers,
    output: Array.from(forward.output.data),
  };
  if (options.target === undefined) return explanation;
  checkVector(options.target, network.output, "target");
  const lastActivation = network.layers[network.layers.length - 1].activation.name;
  const loss = options.loss === undefined
    ? getLoss(defaultLoss(lastActivation))
    : typeof options.loss === "string"
    ? getLoss(options.loss)
    : options.loss;
  // ∂L/∂W, ∂L/∂b of every layer for the batch of this one sample; its ∂b is δ = ∂L/∂z
  const gradients = network.gradients(x, [Array.from(options.target)], loss);
  // in the order of the tutorial (and of the JSON the CLI prints): z, a, δ, ∂W, ∂b
  explanation.layers = layers.map((layer, l) => {
    const delta = Array.from(gradients.biases[l]);
    return { z: layer.z, a: layer.a, delta, dW: gradients.weights[l].toArray(), db: [...delta] };
  });
  explanation.loss = gradients.loss;
  return explanation;
}
