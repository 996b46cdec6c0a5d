// Plain and JSON printers of the trainer's events: one line per epoch, for pipes, logs and CI.

import type { EpochEvent, TrainEvent } from "../train/events.ts";

/** One epoch as a flat JSON-ready record (the line format of `--json` and of metrics.jsonl). */
export interface EpochMetrics {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Running training accuracy (classifiers). */
  accuracy?: number;
  /** Test loss, when there is a test split. */
  test_loss?: number;
  /** Test accuracy (classifiers with a test split). */
  test_accuracy?: number;
  /** Learning rate used. */
  learning_rate: number;
  /** Training throughput. */
  samples_per_second: number;
  /** Training seconds so far. */
  elapsed_seconds: number;
  /** Per-layer gradient norms on the statistics sample. */
  gradient_norms: number[];
}

/** The flat metrics of an epoch event. */
export function epochMetrics(event: EpochEvent): EpochMetrics {
  const metrics: EpochMetrics = {
    epoch: event.epoch,
    loss: event.trainLoss,
    learning_rate: event.learningRate,
    samples_per_second: Math.round(event.samplesPerSecond),
    elapsed_seconds: Number(event.elapsedSeconds.toFixed(3)),
    gradient_norms: event.layers.map((layer) => layer.gradientNorm),
  };
  if (event.trainAccuracy !== undefined) metrics.accuracy = event.trainAccuracy;
  if (event.testLoss !== undefined) metrics.test_loss = event.testLoss;
  if (event.testAccuracy !== undefined) metrics.test_accuracy = event.testAccuracy;
  return metrics;
}

function formatNumber(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5 ? value.toPrecision(4) : value.toExponential(3);
}

/** Formats seconds as `1.2s`, `3m04s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** One plain line for an epoch, like Keras's: `epoch 12/100  loss 0.2345  acc 0.912  …`. */
export function formatEpochLine(event: EpochEvent): string {
  const width = String(event.epochs).length;
  const parts = [
    `epoch ${String(event.epoch).padStart(width)}/${event.epochs}`,
    `loss ${formatNumber(event.trainLoss)}`,
  ];
  if (event.trainAccuracy !== undefined) parts.push(`acc ${event.trainAccuracy.toFixed(4)}`);
  if (event.testLoss !== undefined) parts.push(`test_loss ${formatNumber(event.testLoss)}`);
  if (event.testAccuracy !== undefined) parts.push(`test_acc ${event.testAccuracy.toFixed(4)}`);
  parts.push(`lr ${formatNumber(event.learningRate)}`);
  parts.push(`${Math.round(event.samplesPerSecond).toLocaleString("en-US")} samples/s`);
  parts.push(formatDuration(event.elapsedSeconds));
  return parts.join("  ");
}

/** Options of `PlainPrinter`. */
export interface PlainPrinterOptions {
  /** Print JSON objects instead of plain lines. */
  json?: boolean;
  /** Least milliseconds between two plain epoch lines (default 100, i.e. at most ~10 a second). */
  minIntervalMs?: number;
  /** The clock, in ms (injectable for tests). */
  now?: () => number;
}

/**
 * Turns trainer events into output lines: plain lines (throttled to ~10 a second; the first and last epochs and
 * every notice always shown) or one JSON object per epoch. Pure: returns the lines, the caller writes them.
 */
export class PlainPrinter {
  #json: boolean;
  #interval: number;
  #now: () => number;
  #lastPrinted = -Infinity;
  #pending: EpochEvent | undefined;

  /** Creates a printer. */
  constructor(options: PlainPrinterOptions = {}) {
    this.#json = options.json ?? false;
    this.#interval = options.minIntervalMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The lines to print for one event (often none, when epochs come faster than the throttle). */
  lines(event: TrainEvent): string[] {
    if (this.#json) {
      if (event.type === "epoch") return [JSON.stringify(epochMetrics(event))];
      if (event.type === "end" || event.type === "notice") return [JSON.stringify(event)];
      return [];
    }
    switch (event.type) {
      case "start":
        return [
          `training ${event.name}: ${event.network.input}-${
            event.network.layers.map((l) => l.units).join("-")
          } ` +
          `(${event.network.layers.map((l) => l.activation).join(", ")}), ${event.trainSize} samples` +
          (event.testSize > 0 ? `, ${event.testSize} test` : "") +
          `, ${event.loss}, ${event.optimizer} lr ${event.learningRate}, ${event.epochs} epochs`,
        ];
      case "epoch": {
        const now = this.#now();
        if (event.epoch === 1 || event.epoch === event.epochs || now - this.#lastPrinted >= this.#interval) {
          this.#lastPrinted = now;
          this.#pending = undefined;
          return [formatEpochLine(event)];
        }
        this.#pending = event;
        return [];
      }
      case "notice":
        return [event.message];
      case "state":
        return [event.paused ? "paused" : "resumed"];
      case "end": {
        const lines = this.#pending !== undefined ? [formatEpochLine(this.#pending)] : [];
        this.#pending = undefined;
        lines.push(event.message);
        return lines;
      }
    }
  }
}
