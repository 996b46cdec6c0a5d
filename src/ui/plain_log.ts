// Plain and JSON printers of the trainer's events: one line per epoch, for pipes, logs and CI.

import type { EpochEvent, StateEvent, TrainEvent } from "../train/events.ts";
import { formatLearningRate } from "./widgets/format.ts";

/** One epoch as a flat JSON-ready record (the line format of `--json` and of metrics.jsonl). */
export interface EpochMetrics {
  /** Always `"epoch"` (every `--json` line says what it is). */
  type: "epoch";
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
  /** Per-layer gradient norms on the statistics sample, on lines of epochs where they were measured. */
  gradient_norms?: number[];
  /** With gradient clipping: batches of the epoch whose gradient was clipped. */
  clipped_batches?: number;
}

/** The flat metrics of an epoch event (the gradient norms only when they were measured after that epoch). */
export function epochMetrics(event: EpochEvent): EpochMetrics {
  const metrics: EpochMetrics = {
    type: "epoch",
    epoch: event.epoch,
    loss: event.trainLoss,
    learning_rate: event.learningRate,
    samples_per_second: Math.round(event.samplesPerSecond),
    elapsed_seconds: Number(event.elapsedSeconds.toFixed(3)),
  };
  if (event.layersMeasured !== false) {
    metrics.gradient_norms = event.layers.map((layer) => layer.gradientNorm);
  }
  if (event.trainAccuracy !== undefined) metrics.accuracy = event.trainAccuracy;
  if (event.testLoss !== undefined) metrics.test_loss = event.testLoss;
  if (event.testAccuracy !== undefined) metrics.test_accuracy = event.testAccuracy;
  if (event.clippedBatches !== undefined) metrics.clipped_batches = event.clippedBatches;
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

/** The loss and accuracy columns of a plain epoch line: `loss 0.2345  acc 0.9120  test_loss …  test_acc …`. */
function figureParts(
  event: Pick<EpochEvent, "trainLoss" | "testLoss" | "trainAccuracy" | "testAccuracy">,
): string[] {
  const parts = [`loss ${formatNumber(event.trainLoss)}`];
  if (event.trainAccuracy !== undefined) parts.push(`acc ${event.trainAccuracy.toFixed(4)}`);
  if (event.testLoss !== undefined) parts.push(`test_loss ${formatNumber(event.testLoss)}`);
  if (event.testAccuracy !== undefined) parts.push(`test_acc ${event.testAccuracy.toFixed(4)}`);
  return parts;
}

/** One plain line for an epoch, like Keras's: `epoch 12/100  loss 0.2345  acc 0.912  …`. */
export function formatEpochLine(event: EpochEvent): string {
  const width = String(event.epochs).length;
  const parts = [`epoch ${String(event.epoch).padStart(width)}/${event.epochs}`, ...figureParts(event)];
  parts.push(`lr ${formatLearningRate(event.learningRate)}`);
  parts.push(`${Math.round(event.samplesPerSecond).toLocaleString("en-US")} samples/s`);
  parts.push(formatDuration(event.elapsedSeconds));
  return parts.join("  ");
}

/** `paused`, `paused at batch B/N of epoch E` or `resumed`. */
export function pauseText(event: StateEvent): string {
  if (!event.paused) return "resumed";
  return event.batch !== undefined && event.batches !== undefined && event.epoch !== undefined
    ? `paused at batch ${event.batch}/${event.batches} of epoch ${event.epoch}`
    : "paused";
}

/**
 * One event as a `--json` record: every record has `"type"`. Epochs are the flat metrics of `epochMetrics`, and
 * progress within an epoch is worded the same way (`samples_per_second`, `elapsed_seconds`); the start leaves out
 * the plotted points (of both views) and sample images; the other events are as the trainer sent them.
 */
export function jsonRecord(event: TrainEvent): Record<string, unknown> {
  switch (event.type) {
    case "epoch":
      return { ...epochMetrics(event) };
    case "progress":
      // as an epoch line words its figures: snake_case, whole samples a second, ms of elapsed time
      return {
        type: "progress",
        epoch: event.epoch,
        epochs: event.epochs,
        batch: event.batch,
        batches: event.batches,
        samples_per_second: Math.round(event.samplesPerSecond),
        elapsed_seconds: Number(event.elapsedSeconds.toFixed(3)),
      };
    case "start": {
      const { points: _points, curvePoints: _curvePoints, image, ...rest } = event;
      return image === undefined ? rest : { ...rest, image: { height: image.height, width: image.width } };
    }
    default:
      return { ...event };
  }
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
 * every other event always shown) or one JSON object per event, each with its `"type"`. Pure: returns the lines, the caller writes them.
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
    if (this.#json) return [JSON.stringify(jsonRecord(event))];
    switch (event.type) {
      case "start":
        return [
          `training ${event.name}: ${event.network.input}-${
            event.network.layers.map((l) => l.units).join("-")
          } ` +
          `(${event.network.layers.map((l) => l.activation).join(", ")}), ${event.trainSize} samples` +
          (event.testSize > 0 ? `, ${event.testSize} test` : "") +
          `, ${event.loss}, ${event.optimizer} lr ${event.learningRate}` +
          (event.schedule !== undefined ? ` (${event.schedule})` : "") +
          (event.dropout !== undefined ? `, dropout ${event.dropout.join("/")}` : "") +
          (event.clipNorm !== undefined ? `, clip_norm ${event.clipNorm}` : "") +
          `, ${event.epochs} epoch${event.epochs === 1 ? "" : "s"}` +
          (event.resumedFrom !== undefined ? `, resumed after epoch ${event.resumedFrom}` : ""),
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
        return [pauseText(event)];
      case "learning_rate_changed":
        return [`learning rate set to ${event.value} after epoch ${event.epoch}`];
      case "pace_changed":
        return [
          event.epochsPerSecond === undefined ? "pace: no cap" : `pace: ${event.epochsPerSecond} epochs/s`,
        ];
      case "saved":
        return [`checkpoint saved to ${event.path} (epoch ${event.epoch})`];
      case "save_failed":
        return [event.message];
      case "progress":
        // within an epoch: the plain log stays one line per epoch
        return [];
      case "end": {
        const lines = this.#pending !== undefined ? [formatEpochLine(this.#pending)] : [];
        this.#pending = undefined;
        lines.push(event.message);
        // early stopping gave back an earlier epoch's weights: those are the model saved, so their figures
        const restored = event.restored?.metrics;
        if (restored !== undefined) {
          lines.push([`kept epoch ${restored.epoch}:`, ...figureParts(restored)].join("  "));
        }
        return lines;
      }
    }
  }
}
