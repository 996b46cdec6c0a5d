// The training loop, as an async generator of small records: net.fit runs it to the end, the CLI's trainer maps it
// to dashboard events.

import type { Loss } from "../math/losses.ts";
import { BestEpoch, type BestEpochState, type RestoredEpoch, restoredText } from "./best_epoch.ts";
import { Callbacks, type FitCallbacks } from "./callbacks.ts";
import { EarlyStopping, type EarlyStopState, type FitEarlyStop, monitoredValue } from "./early_stop.ts";
import {
  type BatchSource,
  type EpochRecord,
  type EvaluateResult,
  evaluateSource,
  type FitOptions,
  FitSession,
  type FitState,
  yieldToEventLoop,
} from "./fit.ts";
import type { Network } from "./network.ts";
import { RunController } from "./run_controller.ts";

/**
 * The loop's state after a completed epoch: the session's (weights, optimizer, random streams, schedule) plus the
 * time trained and early stopping's progress. Enough to go on bit for bit (`TrainingRunOptions.resume`).
 */
export interface TrainState extends FitState {
  /** Seconds spent training so far. */
  elapsedSeconds: number;
  /** Early stopping: the best monitored value so far and the epochs waited since. */
  earlyStop?: EarlyStopState;
  /** Early stopping with restore_best: the best epoch and its weights. */
  best?: BestEpochState;
}

/** What an `evaluate` hook of `trainingRun` is told about the epoch it measures. */
export interface EvaluationContext {
  /** The loss being trained. */
  readonly loss: Loss;
  /** The 1-based epoch just finished. */
  readonly epoch: number;
  /** Whether the epoch was run by a `step` command while paused. */
  readonly stepped: boolean;
}

/** Options of `trainingRun`: the session's (`FitOptions`) plus validation, stopping rules, control and hooks. */
export interface TrainingRunOptions<Report = never> extends FitOptions {
  /** Held-out data evaluated after every epoch (its loss and accuracy become `valLoss` and `valAccuracy`). */
  validation?: BatchSource;
  /**
   * How the validation data is measured after an epoch (default: mean loss, and accuracy for classifiers): a
   * caller that wants more from the same pass (a confusion matrix) measures it here.
   */
  evaluate?: (network: Network, validation: BatchSource, context: EvaluationContext) => EvaluateResult;
  /** Stop when a metric stops improving (and give back the best epoch's weights). */
  earlyStop?: FitEarlyStop;
  /** Stop once the training loss is at or below this. */
  targetLoss?: number;
  /** Commands (pause, step, rate, pace, restart, quit) and reports to hand back in order. */
  controller?: RunController<Report>;
  /**
   * Yield to the event loop after this many ms of training, so keys are answered (default 3 with
   * `yieldToEventLoop`, else 50: a zero-delay timer costs 2–4 ms).
   */
  yieldEveryMs?: number;
  /**
   * How to give the event loop a turn (default: a zero-delay timer); it must let pending I/O (keys) complete and
   * their promise reactions run.
   */
  yieldToEventLoop?: () => Promise<void>;
  /** Start epochs no faster than this many a second (default: no cap). */
  pace?: number;
  /**
   * After the end record, wait for a `restart` command (training starts again from the same seed, with a new
   * start record) or `quit`, instead of finishing. Default false.
   */
  restartable?: boolean;
  /**
   * Go on from this state (given to `onState` earlier): the first epoch trained is `resume.epoch + 1` and the
   * start record says `resumedFrom`. A restart still starts over from the seed.
   */
  resume?: TrainState;
  /**
   * Called after every completed epoch (after its record was handed out) with the state to continue from. The
   * object and its arrays are reused by the next call: copy or encode it before training goes on. When it
   * returns a promise (a checkpoint being written), training waits for it.
   */
  onState?: (state: TrainState) => void | Promise<void>;
  /** Hooks called around epochs and batches and awaited; their context can set the rate and stop training. */
  callbacks?: FitCallbacks | readonly FitCallbacks[];
  /**
   * Hand out a progress record (the batch reached, samples a second) at most this often, in ms of training,
   * while an epoch runs: epochs shorter than this get none. Default: no progress records (`net.fit` asks for
   * none and pays nothing for them); 0 gives one after every batch.
   */
  progressEveryMs?: number;
}

/** Why a run ended. */
export type RunEndReason =
  | "done"
  | "early_stop"
  | "target_loss"
  | "diverged"
  | "quit"
  | "interrupted"
  | "stopped";

/** The first record of a run, and of every restart: what it trains with. */
export interface RunStart {
  /** The record's kind: `"start"`. */
  type: "start";
  /** Epochs planned. */
  epochs: number;
  /** The loss's name. */
  loss: string;
  /** The optimizer's name. */
  optimizer: string;
  /** The learning rate of the first epoch. */
  learningRate: number;
  /** The cap on epochs per second, when one is set. */
  pace?: number;
  /** The learning-rate schedule, described briefly (`cosine warm-up 2`), when there is one. */
  schedule?: string;
  /** The gradient-clipping norm, when gradients are clipped. */
  clipNorm?: number;
  /** A resumed run: the epochs it had completed. */
  resumedFrom?: number;
}

/** After every completed epoch. */
export interface RunEpoch {
  /** The record's kind: `"epoch"`. */
  type: "epoch";
  /** What the epoch did (with `valLoss`/`valAccuracy`; `seconds` is time at work, pauses left out). */
  record: EpochRecord;
  /** Seconds at work since the run started (a resumed run's earlier ones included). */
  elapsedSeconds: number;
  /** Whether the epoch was run by a `step` command while paused. */
  stepped: boolean;
  /** Set when the run stops after this epoch: early stopping, the target loss or a callback's `stop()`. */
  stop?: "early_stop" | "target_loss" | "stopped";
}

/** While an epoch runs (with `progressEveryMs`): how far it has got, at most every `progressEveryMs` of training. */
export interface RunProgress {
  /** The record's kind: `"progress"`. */
  type: "progress";
  /** The epoch in progress (1-based). */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  /** Batches of that epoch done. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Training throughput of the epoch so far. */
  samplesPerSecond: number;
  /** Seconds at work since the run started, this epoch's so far included. */
  elapsedSeconds: number;
}

/** Paused or resumed; a pause between two batches says where (after `batch` of `batches` of epoch `epoch`). */
export interface RunPaused {
  /** The record's kind: `"state"`. */
  type: "state";
  /** True when paused. */
  paused: boolean;
  /** The epoch in progress (1-based), when paused in the middle of it. */
  epoch?: number;
  /** Batches of that epoch done, when paused in the middle of it. */
  batch?: number;
  /** Batches per epoch, when paused in the middle of an epoch. */
  batches?: number;
}

/** A `set_learning_rate` command took effect. */
export interface RunRateChanged {
  /** The record's kind: `"learning_rate_changed"`. */
  type: "learning_rate_changed";
  /** The new learning rate. */
  value: number;
  /** The last completed epoch when it changed (0 before the first). */
  epoch: number;
}

/** A `set_pace` command took effect; `epochsPerSecond` is absent when there is no cap. */
export interface RunPaceChanged {
  /** The record's kind: `"pace_changed"`. */
  type: "pace_changed";
  /** The new cap in epochs per second, or absent for none. */
  epochsPerSecond?: number;
}

/** A report queued on the controller (`RunController.report`), handed back in order. */
export interface RunReport<Report> {
  /** The record's kind: `"report"`. */
  type: "report";
  /** What was reported. */
  report: Report;
}

/** How a run diverged: the epoch, the non-finite loss (or the parameter that became non-finite) and the rate. */
export interface RunDivergence {
  /** The 1-based epoch that diverged (its weights were not kept). */
  epoch: number;
  /** The last batch's loss when it was not finite, else the epoch's (finite) loss. */
  loss: number;
  /** The learning rate of that epoch. */
  learningRate: number;
  /** The first parameter holding a NaN or an infinity while the loss stayed finite, as `layers[0].weights`. */
  parameter?: string;
}

/** The last record of a run (a restartable run may start again after it). */
export interface RunEnd {
  /** The record's kind: `"end"`. */
  type: "end";
  /** Why it ended. */
  reason: RunEndReason;
  /** The last completed epoch. */
  epoch: number;
  /** One line: what happened (`Finished 10 epochs; restored the weights of epoch 7 (val_loss 0.21)`). */
  message: string;
  /** With early stopping's restoreBest: the epoch whose weights the network was given back, when not the last. */
  restored?: RestoredEpoch;
  /** The restored epoch's record, when it was trained in this run (not before a resume). */
  restoredRecord?: EpochRecord;
  /** With reason `"diverged"`: what diverged (the weights of the epoch before were kept). */
  divergence?: RunDivergence;
}

/**
 * Everything `trainingRun` yields, in order: start, epochs (state, rate, pace and reports between, progress
 * within when asked for), end.
 */
export type RunRecord<Report = never> =
  | RunStart
  | RunEpoch
  | RunProgress
  | RunPaused
  | RunRateChanged
  | RunPaceChanged
  | RunReport<Report>
  | RunEnd;

/** `1 epoch`, `2 epochs`: a count of epochs in a message. */
function epochCount(count: number): string {
  return `${count} epoch${count === 1 ? "" : "s"}`;
}

/** The pace as a cap, or undefined for none (non-positive or non-finite values mean no cap). */
function validPace(pace: number | undefined): number | undefined {
  return pace !== undefined && pace > 0 && Number.isFinite(pace) ? pace : undefined;
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

function evaluateLoss(network: Network, validation: BatchSource, context: EvaluationContext): EvaluateResult {
  return evaluateSource(network, validation, context.loss);
}

/**
 * Trains `network` on `source`, epoch by epoch, as records: a start, one record per epoch (its `EpochRecord` with
 * the validation metrics), state, rate and pace changes, and an end saying why it ended. `net.fit` is this loop
 * run to the end; the CLI's trainer maps its records to dashboard events.
 *
 * Commands sent through `options.controller` are taken between two batches: pause (reported with the batch it
 * stopped at), step, learning rate and pace changes, restart and quit (the weights of the last completed epoch
 * are kept). Early stopping gives back the best epoch's weights; a non-finite loss or weight gives back the last
 * good epoch's and ends with reason `"diverged"`. The event loop gets a turn every `yieldEveryMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, matrixSource, Network, trainingRun } from "../../mod.ts";
 *
 * const xor = matrixSource(Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), Matrix.from([[0], [1], [1], [0]]));
 * const net = new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });
 * const losses: number[] = [];
 * for await (const step of trainingRun(net, xor, { epochs: 3000, batchSize: 4, learningRate: 2, loss: "mse" })) {
 *   if (step.type === "epoch") losses.push(step.record.loss);
 *   if (step.type === "end") assert.equal(step.reason, "done");
 * }
 * assert.equal(losses.length, 3000);
 * assert.ok(losses[2999] < losses[0] / 10);
 * ```
 */
export async function* trainingRun<Report = never>(
  network: Network,
  source: BatchSource,
  options: TrainingRunOptions<Report> = {},
): AsyncGenerator<RunRecord<Report>, void, undefined> {
  const controller = options.controller ?? new RunController<Report>();
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`Invalid epochs: expected a positive integer, got ${epochs}`);
  }
  const { validation, targetLoss } = options;
  const session = new FitSession(network, source, { ...options, externalMonitor: validation !== undefined });
  const early = options.earlyStop;
  const monitor = early?.monitor ?? (validation !== undefined ? "val_loss" : "loss");
  if (early !== undefined && monitor.startsWith("val_") && validation === undefined) {
    throw new RangeError(`Cannot monitor "${monitor}" for early stopping: there is no validation data`);
  }
  const evaluate = options.evaluate ?? evaluateLoss;
  // the early-stopping rule, and the best epoch's weights with its record
  const stopper = early === undefined
    ? undefined
    : new EarlyStopping({ monitor, patience: early.patience ?? 0, minDelta: early.minDelta ?? 0 });
  const best = new BestEpoch(
    network,
    early === undefined ? undefined : { monitor, restoreBest: early.restoreBest },
  );
  let bestRecord: EpochRecord | undefined;
  // the hooks' runner and, for onTrainEnd only, the records (none are kept without callbacks): new on a restart
  let callbacks = new Callbacks(network, session, options.callbacks);
  const keepHistory = options.callbacks !== undefined;
  let history: EpochRecord[] = [];
  const parameters = network.parameters;
  const snapshot = parameters.map((p) => new Float64Array(p.value.length));

  let pace = validPace(options.pace);
  let resumedFrom = 0;
  const startRecord = (): RunStart => ({
    type: "start",
    epochs,
    loss: session.loss.name,
    optimizer: session.optimizer.name,
    learningRate: session.learningRate,
    pace,
    schedule: session.scheduleName,
    clipNorm: session.clipNorm,
    resumedFrom: resumedFrom > 0 ? resumedFrom : undefined,
  });
  let paused = false, stepping = false, restart = false;
  let elapsed = 0, completed = 0;
  let reason: RunEndReason = "done", message = "";
  let divergence: RunDivergence | undefined;
  // Pace: epochs are started no faster than `pace` a second, counted from `paceFrom` (reset on every change).
  let paceFrom = performance.now(), paceEpochs = 0;
  const yieldEvery = options.yieldEveryMs ?? (options.yieldToEventLoop ? 3 : 50);
  const yieldNow = options.yieldToEventLoop ?? yieldToEventLoop;
  let lastYield = performance.now();
  // progress records within an epoch: off unless asked for
  const progressEvery = options.progressEveryMs !== undefined && options.progressEveryMs >= 0
    ? options.progressEveryMs
    : undefined;
  if (options.resume !== undefined) {
    session.loadState(options.resume);
    best.loadState(options.resume.best ?? { epoch: 0, value: NaN, weights: [] });
    if (options.resume.earlyStop !== undefined) stopper?.loadState(options.resume.earlyStop);
    resumedFrom = completed = options.resume.epoch;
    elapsed = options.resume.elapsedSeconds;
  }
  // The state after the last completed epoch, its arrays reused from epoch to epoch.
  let state: TrainState | undefined;
  const reportState = (): Promise<void> | void => {
    if (options.onState === undefined) return;
    state = { ...session.saveState(state), elapsedSeconds: elapsed };
    if (stopper !== undefined) state.earlyStop = stopper.saveState(), state.best = best.saveState();
    return options.onState(state);
  };
  // From the seed again: the network's first weights, no epochs, no best, new hooks' history.
  const startOver = (): void => {
    session.restart();
    elapsed = 0, completed = 0, resumedFrom = 0;
    stopper?.reset();
    best.reset();
    bestRecord = undefined;
    paceFrom = performance.now(), paceEpochs = 0;
    callbacks = new Callbacks(network, session, options.callbacks), history = [];
  };

  // Takes the commands and reports queued since the last call, as records; `inEpoch` says a pause now happens in
  // the middle of an epoch (its state record says at which batch).
  const applyCommands = (inEpoch: boolean): RunRecord<Report>[] => {
    const records: RunRecord<Report>[] = [];
    for (const command of controller.takeCommands()) {
      switch (command.type) {
        case "pause":
        case "resume":
          if (command.type === "resume") stepping = false;
          if (paused !== (command.type === "pause")) {
            paused = command.type === "pause";
            paceFrom = performance.now(), paceEpochs = 0;
            records.push(
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
            records.push({ type: "learning_rate_changed", value: command.value, epoch: session.epoch });
          }
          break;
        case "set_pace": {
          const next = validPace(command.epochsPerSecond);
          if (next !== pace || command.epochsPerSecond === undefined) {
            pace = next;
            paceFrom = performance.now(), paceEpochs = 0;
            records.push(
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
          break; // saving is the caller's; quit is read through quitRequested
      }
    }
    for (const report of controller.takeReports()) records.push({ type: "report", report });
    return records;
  };
  const held = () => paused && !stepping && !restart && controller.quitRequested === undefined;

  yield startRecord();
  await callbacks.trainBegin();
  while (true) {
    while (session.epoch < epochs) {
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
        startOver();
        yield startRecord();
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

      if (callbacks.hasHooks) await callbacks.epochBegin(session.epoch + 1);
      for (let i = 0; i < parameters.length; i++) snapshot[i].set(parameters[i].value);
      // Batch by batch: between two batches, queued commands are taken (pause and quit take effect at once),
      // and the event loop gets a turn every `yieldEvery` ms so keys are read.
      session.beginEpoch();
      let busy = 0, from = performance.now(), lastProgress = from;
      const hooked = callbacks.hasBatchHooks;
      while (!session.epochDone) {
        session.trainNextBatch();
        if (hooked) {
          const done = callbacks.batchEnd(session.batchesDone, network.lastLoss[0]);
          if (done !== undefined) await done;
        }
        // a hook's stop ends the epoch here (the epoch is recorded as far as it went)
        if (callbacks.stopRequested) break;
        if (!controller.hasInput) {
          const now = performance.now();
          if (progressEvery !== undefined && now - lastProgress >= progressEvery && !session.epochDone) {
            // the listener's time is not training time
            busy += now - from;
            yield {
              type: "progress",
              epoch: session.epoch + 1,
              epochs,
              batch: session.batchesDone,
              batches: session.batchesPerEpoch,
              samplesPerSecond: Math.min(session.batchesDone * session.batchSize, source.size) /
                Math.max(busy / 1000, 1e-9),
              elapsedSeconds: elapsed + busy / 1000,
            };
            from = lastProgress = performance.now();
          }
          if (now - lastYield < yieldEvery) continue;
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
        for (let i = 0; i < parameters.length; i++) parameters[i].value.set(snapshot[i]);
        break;
      }
      busy += performance.now() - from;
      const record = session.finishEpoch();
      // A finite loss does not prove finite weights (relu units can overflow while the loss stays finite, and
      // the last batch's update comes after its loss): both are checked, and the epoch's start is kept.
      const nonFinite = Number.isFinite(record.loss) ? firstNonFiniteParameter(network) : undefined;
      if (!Number.isFinite(record.loss) || nonFinite !== undefined) {
        for (let i = 0; i < parameters.length; i++) parameters[i].value.set(snapshot[i]);
        reason = "diverged";
        divergence = {
          epoch: record.epoch,
          loss: nonFinite === undefined ? network.lastLoss[0] : record.loss,
          learningRate: record.learningRate,
        };
        if (nonFinite !== undefined) divergence.parameter = nonFinite;
        const became = nonFinite === undefined
          ? `the loss became ${record.loss}`
          : `${nonFinite} became non-finite (the loss was ${record.loss})`;
        message = `Training diverged at epoch ${record.epoch}: ${became} — ` +
          `try a lower learning rate (it was ${record.learningRate}); ${
            record.epoch > 1 ? `the weights of epoch ${record.epoch - 1}` : "the initial weights"
          } were kept`;
        break;
      }
      record.seconds = busy / 1000;
      elapsed += record.seconds;
      const stepped = stepping;
      if (validation !== undefined) {
        const result = evaluate(network, validation, { loss: session.loss, epoch: record.epoch, stepped });
        record.valLoss = result.loss;
        if (result.accuracy !== undefined) record.valAccuracy = result.accuracy;
        session.observe(result.loss);
      }
      if (keepHistory) history.push(record);
      completed = record.epoch;

      let stop: RunEpoch["stop"];
      if (options.onEpoch?.(record) === false) callbacks.requestStop();
      if (targetLoss !== undefined && record.loss <= targetLoss) {
        stop = "target_loss";
        message = `Reached the target loss ${targetLoss} at epoch ${record.epoch}`;
      } else if (stopper !== undefined) {
        const value = monitoredValue(record, monitor);
        const verdict = stopper.update(value);
        if (verdict === "improved") {
          best.record(record.epoch, value);
          bestRecord = record;
        } else if (verdict === "stop") {
          stop = "early_stop";
          message = `Stopped early at epoch ${record.epoch}: ${monitor} did not improve for ` +
            epochCount(stopper.wait);
        }
      }
      if (callbacks.hasHooks) await callbacks.epochEnd(record);
      if (callbacks.stopRequested && stop === undefined) {
        stop = "stopped";
        message = `Stopped by a callback after epoch ${record.epoch}`;
      }
      yield stop === undefined
        ? { type: "epoch", record, elapsedSeconds: elapsed, stepped }
        : { type: "epoch", record, elapsedSeconds: elapsed, stepped, stop };
      if (stepped) stepping = false;
      const writing = reportState();
      if (writing !== undefined) await writing;
      if (stop !== undefined) {
        reason = stop;
        break;
      }
    }
    yield* applyCommands(false);
    const quit = controller.quitRequested;
    if (quit !== undefined && reason === "done") {
      reason = quit.interrupted ? "interrupted" : "quit";
      message = completed > 0
        ? `Stopped by the user after epoch ${completed}`
        : "Stopped by the user before the first epoch ended";
    }
    if (reason === "done") message = `Finished ${epochCount(completed)}`;
    const restored = reason === "done" || reason === "early_stop" || reason === "stopped"
      ? best.restore(completed)
      : undefined;
    if (restored !== undefined) message += `; ${restoredText(restored)}`;
    if (reason !== "diverged") await callbacks.trainEnd(history);
    const end: RunEnd = { type: "end", reason, epoch: completed, message };
    if (restored !== undefined) {
      end.restored = restored;
      if (bestRecord?.epoch === restored.epoch) end.restoredRecord = bestRecord;
    }
    if (divergence !== undefined) end.divergence = divergence;
    yield end;
    // Asked to stay: wait for a restart (a new start record, the same seed) or a quit.
    if (!options.restartable || quit !== undefined) return;
    restart = false;
    while (!restart && controller.quitRequested === undefined) {
      await controller.waitForInput();
      yield* applyCommands(false);
    }
    if (!restart) return;
    restart = false, paused = false, stepping = false;
    startOver();
    reason = "done", message = "", divergence = undefined;
    yield startRecord();
    await callbacks.trainBegin();
  }
}
