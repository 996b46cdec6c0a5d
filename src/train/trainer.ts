// The trainer: the training loop (nn/training_run.ts) with the dashboard's statistics, as TrainEvents.

import { getLoss, type Loss } from "../math/losses.ts";
import { Matrix } from "../math/matrix.ts";
import type { BatchSource } from "../nn/fit.ts";
import type { Network } from "../nn/network.ts";
import { RunController } from "../nn/run_controller.ts";
import { type RunEnd, type RunStart, trainingRun, type TrainingRunOptions } from "../nn/training_run.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import type {
  CurvePoint,
  EndEvent,
  EpochEvent,
  LayerStats,
  PlotPoint,
  StartEvent,
  TrainCommand,
  TrainEvent,
} from "./events.ts";
import { MAX_CONFUSION_CLASSES, PictureProbe, sampleConfusion } from "./pictures.ts";
import { decisionBoundary, layerStatistics, regressionCurve, STATISTICS_SAMPLE_ROWS } from "./summary.ts";
import { Throughput } from "./throughput.ts";

export type { TrainState } from "../nn/training_run.ts";

/** What the trainer needs to know about the data beyond batches: its task, class names and raw points. */
export interface TrainData extends BatchSource {
  /** Classification or regression. */
  readonly task: "classification" | "regression";
  /** Class names of a classifier. */
  readonly classNames?: readonly string[];
  /** The per-column preprocessing, x = (raw − shift) · factor. */
  readonly preprocessing: { readonly shift: readonly number[]; readonly factor: readonly number[] };
  /** The raw (unpreprocessed) features, row-major. */
  readonly rawFeatureData: ArrayLike<number>;
  /** The class index of each row, for classification. */
  readonly labels?: Int32Array;
  /** `[height, width]` when the features are the pixels of grey images (the dashboard draws them). */
  readonly imageShape?: readonly [number, number];
}

/** Stop when a monitored metric has not improved by `minDelta` for `patience` epochs (Keras's EarlyStopping). */
export interface EarlyStopOptions {
  /** The metric: `val_loss` (default), `loss`, `val_accuracy` or `accuracy`. */
  monitor: "val_loss" | "loss" | "val_accuracy" | "accuracy";
  /** Epochs without improvement before stopping. */
  patience: number;
  /** The least change that counts as an improvement. */
  minDelta: number;
  /**
   * Give the network back the weights of its best epoch at the end (Keras's restore_best_weights) when a later
   * epoch was worse; default true.
   */
  restoreBest?: boolean;
}

/**
 * Options of `train`: the training loop's (`TrainingRunOptions`, whose `callbacks` run at the same points as in
 * `net.fit`, each record carrying `valLoss` and `valAccuracy` from the test set) plus the run's name, its test set
 * and the dashboard's statistics.
 */
export interface TrainOptions
  extends
    Omit<TrainingRunOptions<TrainEvent>, "epochs" | "validation" | "evaluate" | "earlyStop" | "controller"> {
  /** The run's name, shown by the dashboard. */
  name: string;
  /** Epochs to run. */
  epochs: number;
  /** A held-out set evaluated after every epoch. */
  test?: TrainData;
  /** Early stopping, optional. */
  earlyStop?: EarlyStopOptions;
  /** Commands from the dashboard or the CLI (which passes `turnOfTheEventLoop` as `yieldToEventLoop`). */
  controller?: TrainController;
  /** Layer statistics and the decision boundary are computed at most this often, in ms (default 30; 0: always). */
  statsIntervalMs?: number;
  /**
   * Compute the dashboard's statistics at all (default true): with false, epoch events carry no layer
   * statistics, boundary, sample predictions, confusion matrix or filters (`layersMeasured` false), as in
   * `net.fit`, which never computes them.
   */
  statistics?: boolean;
  /**
   * Also compute the statistics (and the boundary and pictures) at every epoch e with (e − 1) divisible by this,
   * whatever the time since the last: the CLI passes the spacing of the run's timeline snapshots
   * (`timelineSpacing`), so rewinding shows each snapshot's own weights even on runs faster than the interval.
   */
  statsEvery?: number;
}

/**
 * The channel through which a dashboard or the CLI steers a running `train`: pause, step, rate, quit, ...
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generate, Network, Rng, train, TrainController } from "../../mod.ts";
 *
 * const controller = new TrainController();
 * const net = new Network({ input: 2, hidden: [3], output: 1, activation: "sigmoid", seed: 1 });
 * const options = { name: "xor", epochs: 100, learningRate: 1, loss: "mse" as const, controller };
 * let epochs = 0;
 * for await (const event of train(net, generate("xor", new Rng(1)), options)) {
 *   if (event.type === "epoch" && ++epochs === 3) controller.send({ type: "quit" });
 *   if (event.type === "end") assert.equal(event.epoch, 3);
 * }
 * ```
 */
export class TrainController extends RunController<TrainEvent> {
  /** Sends a command; the trainer takes it between two batches (explain is the dashboard's, not the trainer's). */
  override send(command: TrainCommand): void {
    if (command.type !== "explain") super.send(command);
  }

  /** Queues a notice to be reported as a NoticeEvent. */
  notice(message: string): void {
    this.report({ type: "notice", message });
  }
}

/** Up to `limit` evenly spaced rows of the data as a fixed sample (for statistics), gathered once. */
function sampleRows(data: BatchSource, limit: number): { x: Matrix; y: Matrix } {
  const rows = Math.min(limit, data.size);
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = Math.floor(i * data.size / rows);
  const x = new Matrix(rows, data.inputSize), y = new Matrix(rows, data.targetSize);
  data.gather(x, y, order, 0);
  return { x, y };
}

/** Up to 500 raw training points for the decision-boundary view, and the plane they span (padded by 10%). */
function plotPoints(
  data: TrainData,
): { points: PlotPoint[]; xRange: [number, number]; yRange: [number, number] } {
  const raw = data.rawFeatureData, points: PlotPoint[] = [];
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < data.size; i++) {
    const x = raw[i * 2], y = raw[i * 2 + 1];
    x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
  }
  const step = Math.max(1, Math.ceil(data.size / 500));
  for (let i = 0; i < data.size; i += step) {
    const label = data.labels !== undefined ? data.labels[i] : 0;
    points.push({ x: raw[i * 2], y: raw[i * 2 + 1], label });
  }
  const padX = (x1 - x0) * 0.1 || 1, padY = (y1 - y0) * 0.1 || 1;
  return { points, xRange: [x0 - padX, x1 + padX], yRange: [y0 - padY, y1 + padY] };
}

/** Points of a one-input regression the start event carries at most, training and test together. */
export const MAX_CURVE_POINTS = 400;

/**
 * A fixed sample of the raw points of a one-input regression for the curve view (at most
 * {@linkcode MAX_CURVE_POINTS}, training and test rows in proportion, evenly spaced), and the x range of all rows.
 */
function curveData(
  data: TrainData,
  test: TrainData | undefined,
): { points: CurvePoint[]; xRange: [number, number] } {
  const sets = test === undefined ? [data] : [data, test];
  const total = sets.reduce((sum, set) => sum + set.size, 0);
  const points: CurvePoint[] = [];
  let x0 = Infinity, x1 = -Infinity;
  for (const set of sets) {
    const raw = set.rawFeatureData;
    for (let i = 0; i < set.size; i++) x0 = Math.min(x0, raw[i]), x1 = Math.max(x1, raw[i]);
    const rows = Math.min(
      set.size,
      Math.floor(set.size * Math.min(1, MAX_CURVE_POINTS / Math.max(1, total))),
    );
    if (rows === 0) continue;
    const order = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = Math.floor(i * set.size / rows);
    const x = new Matrix(rows, set.inputSize), y = new Matrix(rows, set.targetSize);
    set.gather(x, y, order, 0);
    const split = set === data ? "train" : "test";
    for (let i = 0; i < rows; i++) points.push({ x: raw[order[i]], y: y.data[i * set.targetSize], split });
  }
  if (!(x1 > x0)) x0 = Number.isFinite(x0) ? x0 - 1 : -1, x1 = Number.isFinite(x1) ? x1 + 1 : 1;
  return { points, xRange: [x0, x1] };
}

/**
 * Trains `network` on `data` for `options.epochs` epochs through `trainingRun` (the loop `net.fit` runs), emitting
 * its records as a start event, one event per epoch (with layer statistics for the dashboard, when asked) and an
 * end event. Commands sent through `options.controller` are taken between two batches: pause (reported with the
 * batch it stopped at), step (the rest of the epoch, or one epoch), learning rate and pace changes (reported as
 * typed events), restart and quit. `options.pace` caps the epochs per second
 * without holding commands up; with `options.restartable` the trainer waits after the end for a restart or a quit.
 * A non-finite loss restores the weights of the last good epoch and ends the run with reason `"diverged"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generate, Network, Rng, train } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });
 * const types: string[] = [];
 * for await (const event of train(net, generate("xor", new Rng(1)), { name: "xor", epochs: 2, learningRate: 2, loss: "mse" })) {
 *   types.push(event.type);
 * }
 * assert.deepEqual(types, ["start", "epoch", "epoch", "end"]);
 * ```
 */
export async function* train(
  network: Network,
  data: TrainData,
  options: TrainOptions,
): AsyncGenerator<TrainEvent> {
  const classification = data.task === "classification";
  const { test, earlyStop } = options;
  if (earlyStop?.monitor.startsWith("val_") && test === undefined) {
    throw new RangeError(`Cannot monitor "${earlyStop.monitor}" for early stopping: there is no test split`);
  }
  const statsInterval = options.statsIntervalMs ?? 30;
  const statsEvery = options.statsEvery ?? 0;
  const wantStatistics = options.statistics ?? true;
  const sample = sampleRows(data, STATISTICS_SAMPLE_ROWS);
  const plane = data.inputSize === 2 ? plotPoints(data) : undefined;
  const line = data.inputSize === 1 && data.task === "regression" ? curveData(data, test) : undefined;
  const pictures = new PictureProbe(test ?? data, test === undefined ? "train" : "test");
  const classes = data.targetSize === 1 ? 2 : data.targetSize;
  const confusion = classification && classes <= MAX_CONFUSION_CLASSES;
  let lastStats = -Infinity;
  let stats: LayerStats[] = [];
  let loss: Loss | undefined;
  // Whether an epoch's statistics are due: decided when its test set is evaluated (which then counts the
  // confusion matrix in the same pass), or when its record comes without a test set.
  let measured: { due: boolean; evaluation?: Evaluation } | undefined;
  const statsDue = (epoch: number, stepped: boolean): boolean => {
    const now = performance.now();
    const due = wantStatistics && (now - lastStats >= statsInterval || epoch === options.epochs || stepped ||
      stats.length === 0 || (statsEvery > 0 && (epoch - 1) % statsEvery === 0));
    if (due) lastStats = now;
    return due;
  };

  const startEvent = (start: RunStart): StartEvent => ({
    type: "start",
    name: options.name,
    epochs: options.epochs,
    network: {
      input: network.input,
      layers: network.layers.map((l) => ({ units: l.units, activation: l.activation.name })),
    },
    task: data.task,
    classNames: data.classNames ? [...data.classNames] : undefined,
    trainSize: data.size,
    testSize: test?.size ?? 0,
    loss: start.loss,
    optimizer: start.optimizer,
    learningRate: start.learningRate,
    points: plane?.points,
    ...(line !== undefined ? { curvePoints: line.points } : {}),
    image: pictures.info,
    pace: start.pace,
    ...(start.schedule !== undefined ? { schedule: start.schedule } : {}),
    ...(network.dropout.some((rate) => rate > 0) ? { dropout: [...network.dropout] } : {}),
    ...(start.clipNorm !== undefined ? { clipNorm: start.clipNorm } : {}),
    ...(start.resumedFrom !== undefined ? { resumedFrom: start.resumedFrom } : {}),
  });
  const endEvent = (end: RunEnd): EndEvent => {
    const { restored, restoredRecord: best } = end;
    // the restored epoch's losses and accuracies come with the event, so a listener need not keep every epoch's
    const withMetrics = restored !== undefined && best !== undefined
      ? {
        ...restored,
        metrics: {
          epoch: best.epoch,
          trainLoss: best.loss,
          testLoss: best.valLoss,
          trainAccuracy: best.accuracy,
          testAccuracy: best.valAccuracy,
        },
      }
      : restored;
    return {
      type: "end",
      reason: end.reason,
      epoch: end.epoch,
      message: end.message,
      ...(withMetrics ? { restored: withMetrics } : {}),
    };
  };

  // samples/s over about the last half second, not the last epoch alone (see throughput.ts)
  const throughput = new Throughput();
  const run = trainingRun(network, data, {
    ...options,
    trackAccuracy: classification,
    validation: test,
    evaluate(net, set, context) {
      const due = statsDue(context.epoch, context.stepped);
      const evaluation = evaluate(net, set, {
        loss: context.loss,
        classification,
        confusion: confusion && due,
      });
      measured = { due, evaluation };
      return evaluation;
    },
  });
  for await (const step of run) {
    switch (step.type) {
      case "start":
        lastStats = -Infinity;
        throughput.reset();
        loss = getLoss(step.loss);
        yield startEvent(step);
        break;
      case "epoch": {
        const { record, stepped } = step;
        const { due, evaluation } = measured ??
          { due: statsDue(record.epoch, stepped), evaluation: undefined };
        measured = undefined;
        if (due) stats = layerStatistics(network, { x: sample.x, y: sample.y, loss: loss! });
        const event: EpochEvent = {
          type: "epoch",
          epoch: record.epoch,
          epochs: options.epochs,
          trainLoss: record.loss,
          testLoss: record.valLoss,
          trainAccuracy: record.accuracy,
          testAccuracy: record.valAccuracy,
          learningRate: record.learningRate,
          samplesPerSecond: throughput.add(record.samples, record.seconds),
          elapsedSeconds: step.elapsedSeconds,
          layers: stats,
          layersMeasured: due,
          boundary: plane && due
            ? decisionBoundary(network, {
              xRange: plane.xRange,
              yRange: plane.yRange,
              shift: data.preprocessing.shift,
              factor: data.preprocessing.factor,
              task: data.task,
            })
            : undefined,
          ...(line && due
            ? {
              curve: regressionCurve(network, {
                xRange: line.xRange,
                shift: data.preprocessing.shift,
                factor: data.preprocessing.factor,
              }),
            }
            : {}),
          samplePredictions: due && pictures.info ? pictures.predictions(network) : undefined,
          confusion: !due || !confusion
            ? undefined
            : evaluation?.confusion
            ? { split: "test", counts: evaluation.confusion }
            : sampleConfusion(network, sample),
          filters: due ? pictures.filters(network) : undefined,
        };
        if (record.clippedBatches !== undefined) event.clippedBatches = record.clippedBatches;
        yield event;
        break;
      }
      case "end":
        yield endEvent(step);
        break;
      case "report":
        yield step.report;
        break;
      default:
        yield step;
    }
  }
}
