// Early stopping: whether a monitored metric improved, and when waiting for an improvement has lasted too long.

/** A metric early stopping can watch: the training or validation loss or accuracy. */
export type Monitor = "loss" | "accuracy" | "val_loss" | "val_accuracy";

/** The monitors, in the order messages list them. */
export const MONITORS: readonly Monitor[] = ["loss", "accuracy", "val_loss", "val_accuracy"];

/** An epoch's metrics as early stopping reads them (missing ones are NaN, which never improve). */
export interface MonitoredMetrics {
  /** Training loss. */
  loss: number;
  /** Training accuracy. */
  accuracy?: number;
  /** Validation (or test) loss. */
  valLoss?: number;
  /** Validation (or test) accuracy. */
  valAccuracy?: number;
}

/** The value of `monitor` among `metrics` (NaN when absent). */
export function monitoredValue(metrics: MonitoredMetrics, monitor: Monitor): number {
  switch (monitor) {
    case "loss":
      return metrics.loss;
    case "accuracy":
      return metrics.accuracy ?? NaN;
    case "val_loss":
      return metrics.valLoss ?? NaN;
    case "val_accuracy":
      return metrics.valAccuracy ?? NaN;
  }
}

/**
 * Early stopping in `net.fit` and `trainingRun` (Keras's EarlyStopping): stop when `monitor` has not improved for
 * `patience` epochs.
 */
export interface FitEarlyStop {
  /** The metric (default `"val_loss"` with validation data, else `"loss"`). */
  monitor?: Monitor;
  /** Epochs without improvement before stopping (default 0: stop at the first epoch that does not improve). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Give the network the best epoch's weights at the end when a later epoch was worse (default true). */
  restoreBest?: boolean;
}

/** What an epoch meant for early stopping. */
export type EarlyStopVerdict = "improved" | "waiting" | "stop";

/** The progress early stopping keeps between epochs (for checkpoints). */
export interface EarlyStopState {
  /** The best monitored value so far (±Infinity before the first). */
  bestValue: number;
  /** Epochs without improvement since the best. */
  wait: number;
}

/**
 * Keras's EarlyStopping rule, shared by `net.fit` and `train`: an epoch improves when its value beats the best
 * by more than `minDelta` (lower for losses, higher for accuracies); after `patience` epochs in a row without
 * improvement it says stop (patience 0: at the first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EarlyStopping } from "./early_stop.ts";
 *
 * const rule = new EarlyStopping({ monitor: "val_loss", patience: 2, minDelta: 0 });
 * assert.deepEqual([0.5, 0.4, 0.45, 0.41].map((v) => rule.update(v)), ["improved", "improved", "waiting", "stop"]);
 * ```
 */
export class EarlyStopping {
  /** The metric watched. */
  readonly monitor: Monitor;
  /** Epochs without improvement allowed before stopping. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly minDelta: number;
  #best: number;
  #wait = 0;

  /** Watches `monitor` with the given patience and minimum change. */
  constructor(options: { monitor: Monitor; patience: number; minDelta: number }) {
    this.monitor = options.monitor;
    this.patience = options.patience;
    this.minDelta = options.minDelta;
    this.#best = this.#worst();
  }

  #worst(): number {
    return this.monitor.endsWith("accuracy") ? -Infinity : Infinity;
  }

  /** The best value so far (±Infinity before the first improvement). */
  get bestValue(): number {
    return this.#best;
  }

  /** Epochs in a row without improvement so far. */
  get wait(): number {
    return this.#wait;
  }

  /** Takes an epoch's monitored value: whether it improved, is waited through, or ends training. */
  update(value: number): EarlyStopVerdict {
    const better = this.monitor.endsWith("accuracy")
      ? value > this.#best + this.minDelta
      : value < this.#best - this.minDelta;
    if (better) {
      this.#best = value, this.#wait = 0;
      return "improved";
    }
    return ++this.#wait >= this.patience ? "stop" : "waiting";
  }

  /** The best value and the epochs waited, to continue from later. */
  saveState(): EarlyStopState {
    return { bestValue: this.#best, wait: this.#wait };
  }

  /** Continues from a state given by `saveState` (an infinite best of the wrong sign means none yet). */
  loadState(state: EarlyStopState): void {
    this.#best = Number.isFinite(state.bestValue) ? state.bestValue : this.#worst();
    this.#wait = state.wait;
  }

  /** Forgets the best value and the wait (a restart). */
  reset(): void {
    this.#best = this.#worst();
    this.#wait = 0;
  }
}
