// The best epoch under early stopping: a copy of its weights, given back at the end (restore_best); fit and train share it.

import type { Network } from "./network.ts";

/** The epoch whose weights were given back, with the metric that made it the best. */
export interface RestoredEpoch {
  /** 1-based epoch. */
  epoch: number;
  /** The monitored metric, e.g. `"val_loss"`. */
  monitor: string;
  /** Its value after that epoch. */
  value: number;
}

/** The best epoch kept so far: 0 and no weights before the first, or without restore_best. */
export interface BestEpochState {
  /** 1-based epoch, 0 for none. */
  epoch: number;
  /** The monitored metric's value after it. */
  value: number;
  /** Its weights, in the order of `network.parameters`. */
  weights: Float64Array[];
}

/**
 * Keeps the weights of the best epoch so far (Keras's `restore_best_weights`): the trainer calls `record` after
 * every improvement of the early-stopping metric and `restore` at the end.
 */
export class BestEpoch {
  #network: Network;
  #monitor: string;
  #enabled: boolean;
  #weights: Float64Array[] = [];
  #epoch = 0;
  #value = NaN;

  /** Watches `network` under `earlyStop` (nothing is kept without early stopping or with `restoreBest: false`). */
  constructor(network: Network, earlyStop: { monitor: string; restoreBest?: boolean } | undefined) {
    this.#network = network;
    this.#monitor = earlyStop?.monitor ?? "";
    this.#enabled = earlyStop !== undefined && (earlyStop.restoreBest ?? true);
  }

  /** Epoch `epoch` is the best so far, with the monitored `value`: copies its weights. */
  record(epoch: number, value: number): void {
    if (!this.#enabled) return;
    const parameters = this.#network.parameters;
    if (this.#weights.length === 0) this.#weights = parameters.map((p) => new Float64Array(p.value.length));
    parameters.forEach((p, i) => this.#weights[i].set(p.value));
    this.#epoch = epoch;
    this.#value = value;
  }

  /**
   * Gives the network the best epoch's weights when an epoch after it (up to `lastEpoch`) was worse, and says
   * which; undefined when nothing was restored.
   */
  restore(lastEpoch: number): RestoredEpoch | undefined {
    if (!this.#enabled || this.#epoch === 0 || this.#epoch >= lastEpoch) return undefined;
    this.#network.parameters.forEach((p, i) => p.value.set(this.#weights[i]));
    return { epoch: this.#epoch, monitor: this.#monitor, value: this.#value };
  }

  /** The best epoch so far and a copy of its weights (none when nothing is kept), for checkpoints. */
  saveState(): BestEpochState {
    return this.#enabled && this.#epoch > 0
      ? { epoch: this.#epoch, value: this.#value, weights: this.#weights.map((w) => w.slice()) }
      : { epoch: 0, value: NaN, weights: [] };
  }

  /** Continues from a state given by `saveState`. */
  loadState(state: BestEpochState): void {
    if (!this.#enabled || state.epoch === 0) return this.reset();
    const parameters = this.#network.parameters;
    if (state.weights.length !== parameters.length) {
      throw new RangeError("Cannot load the best epoch: its weights do not fit the network");
    }
    this.#weights = state.weights.map((w) => w.slice());
    this.#epoch = state.epoch;
    this.#value = state.value;
  }

  /** Forgets the best epoch (a restart). */
  reset(): void {
    this.#epoch = 0;
    this.#value = NaN;
  }
}

/** The summary's words for a restored epoch: `restored the weights of epoch 12 (val_loss 0.3012)`. */
export function restoredText(restored: RestoredEpoch): string {
  return `restored the weights of epoch ${restored.epoch} (${restored.monitor} ${
    Number(restored.value.toPrecision(4))
  })`;
}
