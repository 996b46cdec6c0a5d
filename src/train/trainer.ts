// The trainer: drives the engine's training loop epoch by epoch and reports each epoch as a TrainEvent.

import { Matrix } from "../math/matrix.ts";
import { Callbacks, type FitCallbacks } from "../nn/callbacks.ts";
import {
  type BatchSource,
  type EpochRecord,
  type FitOptions,
  FitSession,
  type FitState,
  yieldToEventLoop,
} from "../nn/fit.ts";
import type { Network } from "../nn/network.ts";
import { BestEpoch, type BestEpochState, restoredText } from "../nn/best_epoch.ts";
import { EarlyStopping, monitoredValue } from "../nn/early_stop.ts";
import { evaluate } from "./evaluate.ts";
import type {
  EndEvent,
  EndReason,
  EpochEvent,
  LayerStats,
  PlotPoint,
  StartEvent,
  TrainCommand,
  TrainEvent,
} from "./events.ts";
import { MAX_CONFUSION_CLASSES, PictureProbe, sampleConfusion } from "./pictures.ts";
import { decisionBoundary, layerStatistics, STATISTICS_SAMPLE_ROWS } from "./summary.ts";

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
 * The trainer's state after a completed epoch: the session's (weights, optimizer, random streams, schedule) plus
 * the time trained and early stopping's progress. Enough to go on bit for bit (`TrainOptions.resume`).
 */
export interface TrainState extends FitState {
  /** Seconds spent training so far. */
  elapsedSeconds: number;
  /** Early stopping: the best monitored value so far and the epochs waited since. */
  earlyStop?: { bestValue: number; wait: number };
  /** Early stopping with restore_best: the best epoch and its weights. */
  best?: BestEpochState;
}

/** Options of `train`. */
export interface TrainOptions extends FitOptions {
  /** The run's name, shown by the dashboard. */
  name: string;
  /** Epochs to run. */
  epochs: number;
  /** A held-out set evaluated after every epoch. */
  test?: TrainData;
  /** Early stopping, optional. */
  earlyStop?: EarlyStopOptions;
  /** Stop once the training loss is at or below this. */
  targetLoss?: number;
  /** Commands from the dashboard or the CLI. */
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
  /**
   * Yield to the event loop after this many ms of training, so keys are answered (default 3 with
   * `yieldToEventLoop`, else 50: a zero-delay timer costs 2–4 ms).
   */
  yieldEveryMs?: number;
  /**
   * How to give the event loop a turn (default: a zero-delay timer); it must let pending I/O (keys) complete and
   * their promise reactions run. The CLI passes two zero-length writes (about 20 µs each).
   */
  yieldToEventLoop?: () => Promise<void>;
  /** Start epochs no faster than this many a second (`--pace`; default: no cap). */
  pace?: number;
  /**
   * After the end event, wait for a `restart` command (training starts again from the same seed, with a new
   * start event) or `quit`, instead of finishing (a dashboard that stays open after the end). Default false.
   */
  restartable?: boolean;
  /**
   * Go on from this state (a checkpoint): the first epoch trained is `resume.epoch + 1` and the start event says
   * `resumedFrom`. A restart still starts over from the seed.
   */
  resume?: TrainState;
  /**
   * Called after every completed epoch (and its early-stopping check) with the state to continue from. The
   * object and its arrays are reused by the next call: copy or encode it before training goes on. When it returns
   * a promise (a periodic checkpoint being written), training waits for it.
   */
  onState?: (state: TrainState) => void | Promise<void>;
  /**
   * `net.fit`'s hooks (one object or a list), called at the same points of the same loop and awaited: a hook's
   * context can set the learning rate and stop training (the end event's reason is then `"stopped"`; like an
   * early stop, the best epoch's weights are restored). Each epoch's record carries `valLoss` and
   * `valAccuracy` from the test set, as `fit`'s do from its validation data.
   */
  callbacks?: FitCallbacks | readonly FitCallbacks[];
}

/** The pace as a cap, or undefined for none (non-positive or non-finite values mean no cap). */
function validPace(pace: number | undefined): number | undefined {
  return pace !== undefined && pace > 0 && Number.isFinite(pace) ? pace : undefined;
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
export class TrainController {
  #queue: TrainCommand[] = [];
  #reports: TrainEvent[] = [];
  #wake: (() => void) | undefined;
  #quit: { interrupted: boolean } | undefined;

  /** Sends a command; the trainer takes it between two batches (or at once while paused or after the end). */
  send(command: TrainCommand): void {
    if (command.type === "quit") this.#quit ??= { interrupted: command.interrupted ?? false };
    this.#queue.push(command);
    this.#wake?.();
  }

  /** Queues an event for the trainer to emit in order with its own (e.g. `saved` after a checkpoint). */
  report(event: TrainEvent): void {
    this.#reports.push(event);
    this.#wake?.();
  }

  /** Queues a notice to be reported as a NoticeEvent. */
  notice(message: string): void {
    this.report({ type: "notice", message });
  }

  /** Whether quit was requested (and whether by an interrupt). */
  get quitRequested(): { interrupted: boolean } | undefined {
    return this.#quit;
  }

  /** Whether a command or a report waits to be taken (cheap: the trainer asks between batches). */
  get hasInput(): boolean {
    return this.#queue.length > 0 || this.#reports.length > 0;
  }

  /** Takes the queued commands. */
  takeCommands(): TrainCommand[] {
    return this.#queue.splice(0);
  }

  /** Takes the queued reports. */
  takeReports(): TrainEvent[] {
    return this.#reports.splice(0);
  }

  /** Resolves when a command or report arrives, or after `timeoutMs` when given. */
  waitForInput(timeoutMs?: number): Promise<void> {
    if (this.hasInput) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.#wake?.(), timeoutMs);
      this.#wake = () => {
        this.#wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
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

/** The start event's description of the schedule, dropout and clipping, for the fields that are in use. */
function runSettings(network: Network, session: FitSession): Partial<StartEvent> {
  const settings: Partial<StartEvent> = {};
  if (session.scheduleName !== undefined) settings.schedule = session.scheduleName;
  if (network.dropout.some((rate) => rate > 0)) settings.dropout = [...network.dropout];
  if (session.clipNorm !== undefined) settings.clipNorm = session.clipNorm;
  return settings;
}

/** The first parameter holding a NaN or an infinity, as `layers[0].weights`, or undefined. */
function firstNonFiniteParameter(network: Network): string | undefined {
  for (let i = 0; i < network.parameters.length; i++) {
    const values = network.parameters[i].value;
    // x − x is 0 for every finite x and NaN for ±Infinity and NaN: one subtraction per value, no branch
    let sum = 0;
    for (let j = 0; j < values.length; j++) sum += values[j] - values[j];
    // parameters are each layer's weights, then its biases
    if (sum !== 0) return `layers[${i >> 1}].${i % 2 === 0 ? "weights" : "biases"}`;
  }
  return undefined;
}

/**
 * Trains `network` on `data` for `options.epochs` epochs, emitting a start event, one event per epoch (with layer
 * statistics for the dashboard) and an end event. Commands sent through `options.controller` are taken between two
 * batches: pause (reported with the batch it stopped at), step (the rest of the epoch, or one epoch), learning
 * rate and pace changes (reported as typed events), restart and quit. `options.pace` caps the epochs per second
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
  const controller = options.controller ?? new TrainController();
  const classification = data.task === "classification";
  const { test, earlyStop, targetLoss } = options;
  // plateau schedules watch the test loss when there is a test set
  const session = new FitSession(network, data, {
    ...options,
    trackAccuracy: classification,
    externalMonitor: test !== undefined,
  });
  const best = new BestEpoch(network, earlyStop);
  // net.fit's hooks, run by the same runner as in fit; a new runner (and history) for every restart
  let callbacks = new Callbacks(network, session, options.callbacks);
  let history: EpochRecord[] = [];
  if (earlyStop?.monitor.startsWith("val_") && test === undefined) {
    throw new RangeError(`Cannot monitor "${earlyStop.monitor}" for early stopping: there is no test split`);
  }
  const statsInterval = options.statsIntervalMs ?? 30;
  const statsEvery = options.statsEvery ?? 0;
  const wantStatistics = options.statistics ?? true;
  const sample = sampleRows(data, STATISTICS_SAMPLE_ROWS);
  const plane = data.inputSize === 2 ? plotPoints(data) : undefined;
  const snapshot = network.parameters.map((p) => new Float64Array(p.value.length));
  const pictures = new PictureProbe(test ?? data, test === undefined ? "train" : "test");
  const classes = data.targetSize === 1 ? 2 : data.targetSize;
  const confusion = classification && classes <= MAX_CONFUSION_CLASSES;

  let pace = validPace(options.pace);
  let resumedFrom = 0;
  const startEvent = (): TrainEvent => ({
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
    loss: session.loss.name,
    optimizer: session.optimizer.name,
    learningRate: session.learningRate,
    points: plane?.points,
    image: pictures.info,
    pace,
    ...runSettings(network, session),
    ...(resumedFrom > 0 ? { resumedFrom } : {}),
  });
  if (options.resume !== undefined) {
    session.loadState(options.resume);
    best.loadState(options.resume.best ?? { epoch: 0, value: NaN, weights: [] });
    resumedFrom = options.resume.epoch;
  }
  yield startEvent();
  await callbacks.trainBegin();

  let paused = false, stepping = false, restart = false;
  let elapsed = 0, lastStats = -Infinity, completed = 0;
  let stats: LayerStats[] = [];
  // the early-stopping rule net.fit uses too
  const stopper = earlyStop === undefined ? undefined : new EarlyStopping(earlyStop);
  // the losses and accuracies of the epoch whose weights `best` keeps, for the end event
  let bestMetrics: NonNullable<EndEvent["restored"]>["metrics"];
  let reason: EndReason = "done", message = "";
  // Pace: epochs are started no faster than `pace` a second, counted from `paceFrom` (reset on every change).
  let paceFrom = performance.now(), paceEpochs = 0;
  const yieldEvery = options.yieldEveryMs ?? (options.yieldToEventLoop ? 3 : 50);
  const yieldNow = options.yieldToEventLoop ?? yieldToEventLoop;
  let lastYield = performance.now();
  if (options.resume !== undefined) {
    elapsed = options.resume.elapsedSeconds, completed = options.resume.epoch;
    if (options.resume.earlyStop !== undefined) stopper?.loadState(options.resume.earlyStop);
  }
  // The state after the last completed epoch, its arrays reused from epoch to epoch.
  let state: TrainState | undefined;
  const reportState = (): Promise<void> | void => {
    if (options.onState === undefined) return;
    state = { ...session.saveState(state), elapsedSeconds: elapsed };
    if (stopper !== undefined) state.earlyStop = stopper.saveState(), state.best = best.saveState();
    return options.onState(state);
  };

  // Takes the commands and reports queued since the last call, as events; `inEpoch` says a pause now happens in
  // the middle of an epoch (its state event says at which batch).
  const applyCommands = (inEpoch: boolean): TrainEvent[] => {
    const events: TrainEvent[] = [];
    for (const command of controller.takeCommands()) {
      switch (command.type) {
        case "pause":
        case "resume":
          if (command.type === "resume") stepping = false;
          if (paused !== (command.type === "pause")) {
            paused = command.type === "pause";
            paceFrom = performance.now(), paceEpochs = 0;
            events.push(
              paused && inEpoch
                ? {
                  type: "state",
                  paused,
                  epoch: session.epoch + 1,
                  batch: session.batchesDone,
                  batches: session.batchesPerEpoch,
                }
                : { type: "state", paused },
            );
          }
          break;
        case "step":
          if (paused) stepping = true;
          break;
        case "set_learning_rate":
          if (command.value > 0 && Number.isFinite(command.value)) {
            session.learningRate = command.value;
            events.push({ type: "learning_rate_changed", value: command.value, epoch: session.epoch });
          }
          break;
        case "set_pace": {
          const next = validPace(command.epochsPerSecond);
          if (next !== pace || command.epochsPerSecond === undefined) {
            pace = next;
            paceFrom = performance.now(), paceEpochs = 0;
            events.push(
              pace === undefined ? { type: "pace_changed" } : { type: "pace_changed", epochsPerSecond: pace },
            );
          }
          break;
        }
        case "restart":
          restart = true;
          break;
        case "save":
        case "quit":
          break; // saving is the caller's (it owns the files); quit is read through quitRequested
      }
    }
    for (const report of controller.takeReports()) events.push(report);
    return events;
  };
  const held = () => paused && !stepping && !restart && controller.quitRequested === undefined;

  while (true) {
    while (session.epoch < options.epochs) {
      if (controller.hasInput) yield* applyCommands(false);
      while (held()) {
        await controller.waitForInput();
        yield* applyCommands(false);
      }
      if (controller.quitRequested !== undefined) break;
      if (callbacks.stopRequested && !restart) {
        reason = "stopped", message = `Stopped by a callback after epoch ${completed}`;
        break;
      }
      if (restart) {
        restart = false;
        session.restart();
        elapsed = 0, lastStats = -Infinity, completed = 0, resumedFrom = 0;
        stopper?.reset();
        best.reset();
        paceFrom = performance.now(), paceEpochs = 0;
        callbacks = new Callbacks(network, session, options.callbacks), history = [];
        yield startEvent();
        if (paused) yield { type: "state", paused };
        await callbacks.trainBegin();
        continue;
      }
      if (pace !== undefined && !stepping) {
        // The next epoch is due 1/pace s after the last one; a run slower than its pace does not catch up.
        const now = performance.now();
        const due = paceFrom + paceEpochs * 1000 / pace;
        if (due - now > 0) {
          await controller.waitForInput(due - now);
          lastYield = performance.now();
          continue;
        }
        if (now - due > 1000 / pace) paceFrom = now, paceEpochs = 0;
        paceEpochs++;
      }

      await callbacks.epochBegin(session.epoch + 1);
      network.parameters.forEach((p, i) => snapshot[i].set(p.value));
      // Batch by batch: between two batches, queued commands are taken (pause and quit take effect at once),
      // and the event loop gets a turn every `yieldEvery` ms so keys are read.
      session.beginEpoch();
      let busy = 0, from = performance.now();
      const hooked = callbacks.hasBatchHooks;
      while (!session.epochDone) {
        session.trainNextBatch();
        if (hooked) {
          const done = callbacks.batchEnd(session.batchesDone, network.lastLoss[0]);
          if (done !== undefined) await done;
        }
        // a hook's stop ends the epoch here, as in fit (the epoch is recorded as far as it went)
        if (callbacks.stopRequested) break;
        if (!controller.hasInput) {
          if (performance.now() - lastYield < yieldEvery) continue;
          await yieldNow();
          lastYield = performance.now();
          if (!controller.hasInput) continue;
        }
        if (session.epochDone) break;
        busy += performance.now() - from;
        yield* applyCommands(true);
        while (held()) {
          await controller.waitForInput();
          yield* applyCommands(true);
        }
        if (restart || controller.quitRequested !== undefined) break;
        from = lastYield = performance.now();
      }
      if (restart) continue;
      if (!session.epochDone && !callbacks.stopRequested) {
        // quit in the middle of the epoch: the weights of the last completed epoch, as a clean run of that many
        // epochs would have them (not part of this one under the previous epoch's label)
        network.parameters.forEach((p, i) => p.value.set(snapshot[i]));
        break;
      }
      busy += performance.now() - from;
      const record = session.finishEpoch();
      // A finite loss does not prove finite weights (relu units can overflow while the loss stays finite, and
      // the last batch's update comes after its loss): both are checked, and the epoch's start is kept.
      const nonFinite = Number.isFinite(record.loss) ? firstNonFiniteParameter(network) : undefined;
      if (!Number.isFinite(record.loss) || nonFinite !== undefined) {
        network.parameters.forEach((p, i) => p.value.set(snapshot[i]));
        reason = "diverged";
        const became = nonFinite === undefined
          ? `the loss became ${record.loss}`
          : `${nonFinite} became non-finite (the loss was ${record.loss})`;
        message = `Training diverged at epoch ${record.epoch}: ${became} — ` +
          `try a lower learning rate (it was ${record.learningRate}); the weights of epoch ${
            record.epoch - 1
          } were kept`;
        break;
      }
      const seconds = busy / 1000;
      elapsed += seconds;
      const wasStepping = stepping;

      const now = performance.now();
      const last = session.epoch === options.epochs;
      const statsDue = wantStatistics && (now - lastStats >= statsInterval || last || wasStepping ||
        stats.length === 0 || (statsEvery > 0 && (record.epoch - 1) % statsEvery === 0));
      const evaluation = test === undefined ? undefined : evaluate(network, test, {
        loss: session.loss,
        classification,
        confusion: confusion && statsDue,
      });
      if (statsDue) {
        stats = layerStatistics(network, { x: sample.x, y: sample.y, loss: session.loss });
        lastStats = now;
      }
      const event: EpochEvent = {
        type: "epoch",
        epoch: record.epoch,
        epochs: options.epochs,
        trainLoss: record.loss,
        testLoss: evaluation?.loss,
        trainAccuracy: record.accuracy,
        testAccuracy: evaluation?.accuracy,
        learningRate: record.learningRate,
        samplesPerSecond: record.samples / Math.max(seconds, 1e-9),
        elapsedSeconds: elapsed,
        layers: stats,
        layersMeasured: statsDue,
        boundary: plane && statsDue
          ? decisionBoundary(network, {
            xRange: plane.xRange,
            yRange: plane.yRange,
            shift: data.preprocessing.shift,
            factor: data.preprocessing.factor,
            task: data.task,
          })
          : undefined,
        samplePredictions: statsDue && pictures.info ? pictures.predictions(network) : undefined,
        confusion: !statsDue || !confusion
          ? undefined
          : evaluation?.confusion
          ? { split: "test", counts: evaluation.confusion }
          : sampleConfusion(network, sample),
        filters: statsDue ? pictures.filters(network) : undefined,
      };
      if (record.clippedBatches !== undefined) event.clippedBatches = record.clippedBatches;
      if (evaluation !== undefined) {
        session.observe(evaluation.loss);
        record.valLoss = evaluation.loss;
        if (evaluation.accuracy !== undefined) record.valAccuracy = evaluation.accuracy;
      }
      // the records are for onTrainEnd only: kept when callbacks were given, so a long CLI run keeps none
      if (options.callbacks !== undefined) history.push(record);
      completed = record.epoch;
      yield event;
      if (wasStepping) stepping = false;

      let stop = false;
      if (targetLoss !== undefined && record.loss <= targetLoss) {
        reason = "target_loss";
        message = `Reached the target loss ${targetLoss} at epoch ${record.epoch}`;
        stop = true;
      } else if (stopper !== undefined && earlyStop !== undefined) {
        const value = monitoredValue(
          { ...record, valLoss: evaluation?.loss, valAccuracy: evaluation?.accuracy },
          stopper.monitor,
        );
        const verdict = stopper.update(value);
        if (verdict === "improved") {
          best.record(record.epoch, value);
          bestMetrics = {
            epoch: event.epoch,
            trainLoss: event.trainLoss,
            testLoss: event.testLoss,
            trainAccuracy: event.trainAccuracy,
            testAccuracy: event.testAccuracy,
          };
        } else if (verdict === "stop") {
          reason = "early_stop";
          message = `Stopped early at epoch ${record.epoch}: ${earlyStop.monitor} did not improve for ` +
            `${earlyStop.patience} epochs`;
          stop = true;
        }
      }
      await callbacks.epochEnd(record);
      if (callbacks.stopRequested && !stop) {
        reason = "stopped", message = `Stopped by a callback after epoch ${record.epoch}`;
        stop = true;
      }
      const writing = reportState();
      if (writing !== undefined) await writing;
      if (stop) break;
    }
    yield* applyCommands(false);
    const quit = controller.quitRequested;
    if (quit !== undefined && reason === "done") {
      reason = quit.interrupted ? "interrupted" : "quit";
      message = `Stopped by the user after epoch ${completed}`;
    }
    if (reason === "done") message = `Finished ${completed} epochs`;
    const restored = reason === "done" || reason === "early_stop" || reason === "stopped"
      ? best.restore(completed)
      : undefined;
    if (restored !== undefined) message += `; ${restoredText(restored)}`;
    const withMetrics = restored && bestMetrics?.epoch === restored.epoch
      ? { ...restored, metrics: bestMetrics }
      : restored;
    if (reason !== "diverged") await callbacks.trainEnd(history);
    yield {
      type: "end",
      reason,
      epoch: completed,
      message,
      ...(withMetrics ? { restored: withMetrics } : {}),
    };
    // Asked to stay: wait for a restart (a new start event, the same seed) or a quit.
    if (!options.restartable || quit !== undefined) return;
    restart = false;
    while (!restart && controller.quitRequested === undefined) {
      await controller.waitForInput();
      yield* applyCommands(false);
    }
    if (!restart) return;
    restart = false, paused = false, stepping = false;
    session.restart();
    elapsed = 0, lastStats = -Infinity, completed = 0, resumedFrom = 0;
    stopper?.reset();
    best.reset();
    reason = "done", message = "";
    paceFrom = performance.now(), paceEpochs = 0;
    callbacks = new Callbacks(network, session, options.callbacks), history = [];
    yield startEvent();
    await callbacks.trainBegin();
  }
}
