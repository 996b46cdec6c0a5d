// One training run into its run folder: the trainer wired to the dashboard or the log, files saved.

import { isAbsolute, relative, resolve } from "node:path";
import { dirnameOf } from "../config/load_config.ts";
import { stringifyConfig } from "../config/parse_config.ts";
import type { TrainConfig } from "../config/schema.ts";
import { CheckpointFileError } from "../errors.ts";
import type { LossName } from "../math/losses.ts";
import { type ModelJson, networkToJson } from "../nn/serialize.ts";
import {
  type Checkpoint,
  CHECKPOINT_FILE,
  checkpointMismatch,
  encodeCheckpoint,
  type ResumeTarget,
} from "../train/checkpoint_file.ts";
import type { EpochEvent, StartEvent, TrainEvent } from "../train/events.ts";
import { explainTrainingSample } from "../train/explain_event.ts";
import { type RunFiles, RunSaveError } from "../train/run_files.ts";
import { Timeline, timelineSpacing } from "../train/timeline.ts";
import { decodeTimeline, TIMELINE_FILE } from "../train/timeline_file.ts";
import { train, TrainController, type TrainState } from "../train/trainer.ts";
import { epochMetrics, PlainPrinter } from "../ui/plain_log.ts";
import { ProgressLine } from "../ui/progress_line.ts";
import { runDashboard } from "../ui/run_dashboard.ts";
import type { ParsedValues } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { print, printable, printError } from "./_print.ts";
import type { Prepared } from "./prepare.ts";

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

const NOTHING = new Uint8Array(0);
/** How often a long epoch reports how far it has got (the dashboard's batch counter, `--json`'s progress lines). */
const PROGRESS_EVERY_MS = 200;

/**
 * Gives the event loop a turn (keys, signals, timers) through an I/O operation that completes at once, a
 * zero-length write: about 20 µs, where a zero-delay timer costs 2–4 ms (the trainer yields every 3 ms). Two
 * turns: a key read during the first is handed on through a few promise reactions (the key stream, the key loop,
 * the command), which all run before the second ends, so the trainer sees the command at its very next batch.
 */
async function turnOfTheEventLoop(): Promise<void> {
  await Deno.stdout.write(NOTHING);
  await Deno.stdout.write(NOTHING);
}

/**
 * The config with its data paths rewritten to be relative to `toDir` (the run folder), so the config.yaml and the
 * model file saved there still find the data; absolute paths stay as they are.
 */
function relocateDataPaths(config: TrainConfig, fromDir: string, toDir: string): TrainConfig {
  const move = (path: string | undefined) =>
    path === undefined || isAbsolute(path) ? path : relative(resolve(toDir), resolve(fromDir, path)) || ".";
  const data = {
    ...config.data,
    path: move(config.data.path),
    images: move(config.data.images),
    labels: move(config.data.labels),
    dir: move(config.data.dir),
  };
  if (config.data.test !== undefined) {
    data.test = {
      ...config.data.test,
      path: move(config.data.test.path),
      images: move(config.data.test.images),
      labels: move(config.data.test.labels),
    };
  }
  for (const part of [data, data.test ?? {}] as Record<string, unknown>[]) {
    for (const key of ["path", "images", "labels", "dir"]) if (part[key] === undefined) delete part[key];
  }
  return { ...config, data };
}

function modelFile(prepared: Prepared, metrics: Record<string, number | null>): ModelJson {
  const { config, train: data, network } = prepared;
  return {
    ...networkToJson(network),
    preprocessing: {
      kind: data.preprocessing.kind,
      shift: [...data.preprocessing.shift],
      factor: [...data.preprocessing.factor],
    },
    labels: data.classNames ? [...data.classNames] : undefined,
    features: data.featureNames ? [...data.featureNames] : undefined,
    config: JSON.parse(JSON.stringify(config)),
    metrics,
  };
}

function finalMetrics(
  last: Pick<EpochEvent, "epoch" | "trainLoss" | "testLoss" | "trainAccuracy" | "testAccuracy"> | undefined,
): Record<string, number | null> {
  if (last === undefined) return {};
  const metrics: Record<string, number | null> = { epoch: last.epoch, loss: last.trainLoss };
  if (last.trainAccuracy !== undefined) metrics.accuracy = last.trainAccuracy;
  if (last.testLoss !== undefined) metrics.test_loss = last.testLoss;
  if (last.testAccuracy !== undefined) metrics.test_accuracy = last.testAccuracy;
  return metrics;
}

/** The metrics.jsonl line naming a run's schedule, dropout and clipping, when it uses any of them. */
function runSettingsMetrics(event: StartEvent): Record<string, unknown> | undefined {
  if (event.schedule === undefined && event.dropout === undefined && event.clipNorm === undefined) {
    return undefined;
  }
  const line: Record<string, unknown> = { type: "settings", learning_rate: event.learningRate };
  if (event.schedule !== undefined) line.schedule = event.schedule;
  if (event.dropout !== undefined) line.dropout = event.dropout;
  if (event.clipNorm !== undefined) line.clip_norm = event.clipNorm;
  return line;
}

function showPredictions(prepared: Prepared): string[] {
  const { train: data, network } = prepared;
  if (data.inputSize !== 2 || data.size > 8) return [];
  const raw = data.rawFeatures();
  const x = data.features();
  const out = network.predict(x);
  const lines = ["predictions:"];
  for (let i = 0; i < data.size; i++) {
    const outputs = Array.from(out.row(i)).map((v) => v.toFixed(4)).join(", ");
    const target = data.targets().row(i);
    lines.push(
      `  [${Array.from(raw.row(i)).join(", ")}] → ${outputs}   (target ${Array.from(target).join(", ")})`,
    );
  }
  return lines;
}

/** The timeline of a run folder to go on with after a resume, or an empty one when it cannot be read. */
async function resumedTimeline(file: string): Promise<Timeline> {
  try {
    return decodeTimeline(await Deno.readFile(file), { file });
  } catch {
    return new Timeline();
  }
}

/** What a prepared run trains, in the terms of a checkpoint. */
function resumeTarget(prepared: Prepared): ResumeTarget {
  const { network, config } = prepared;
  return {
    network: {
      input: network.input,
      layers: network.layers.map((l) => ({ units: l.units, activation: l.activation.name })),
      dropout: [...network.dropout],
    },
    optimizer: config.train.optimizer,
    trainSize: prepared.train.size,
    schedule: config.train.schedule !== undefined,
  };
}

/** What `trainInto` needs from `commandTrain`. */
interface TrainRun {
  config: TrainConfig;
  configPath: string;
  prepared: Prepared;
  values: ParsedValues;
  pace: number | undefined;
  /** The checkpoint to go on from (`--resume`). */
  checkpoint: Checkpoint | undefined;
}

/** Trains a prepared run into its run folder and returns the exit code. */
export async function trainInto(files: RunFiles, run: TrainRun): Promise<number> {
  const { config, configPath, prepared, values, pace, checkpoint } = run;
  // The final metrics of the epochs before a resume (from metrics.jsonl), for restore_best's model file.
  const resumedFinals: Record<string, number | null>[] = [];
  if (checkpoint !== undefined) {
    const file = files.path(CHECKPOINT_FILE);
    const difference = checkpointMismatch({
      network: checkpoint.network,
      optimizer: checkpoint.optimizer,
      trainSize: checkpoint.trainSize,
      schedule: checkpoint.state.scheduler !== undefined,
    }, resumeTarget(prepared));
    if (difference !== undefined) throw new CheckpointFileError(`Cannot resume: ${difference}`, { file });
    if (checkpoint.state.epoch >= config.train.epochs) {
      throw new CheckpointFileError(
        `Cannot resume: the run already reached epoch ${checkpoint.state.epoch} of ${config.train.epochs} ` +
          `(pass --epochs N with N > ${checkpoint.state.epoch} to train on)`,
        { file },
      );
    }
    const stop = config.train.earlyStop, waited = checkpoint.state.earlyStop?.wait ?? 0;
    if (stop !== undefined && waited >= stop.patience) {
      throw new CheckpointFileError(
        `Cannot resume: the run stopped early at epoch ${checkpoint.state.epoch} (${stop.monitor} did not ` +
          `improve for ${waited} epoch${
            waited === 1 ? "" : "s"
          }; raise train.early_stop.patience above ${waited} to train on)`,
        { file },
      );
    }
    const metrics = await files.metricsUpTo(checkpoint.state.epoch);
    for (const line of metrics.records) {
      if (line.type !== "epoch" || typeof line.epoch !== "number") continue;
      const finals: Record<string, number | null> = {};
      for (const key of ["epoch", "loss", "accuracy", "test_loss", "test_accuracy"]) {
        const value = line[key];
        if (typeof value === "number" || value === null) finals[key] = value;
      }
      resumedFinals[line.epoch] = finals;
    }
    const last = resumedFinals[checkpoint.state.epoch]?.loss, target = config.train.targetLoss;
    if (target !== undefined && typeof last === "number" && last <= target) {
      throw new CheckpointFileError(
        `Cannot resume: the run reached the target loss ${target} at epoch ${checkpoint.state.epoch} ` +
          `(lower train.target_loss to train on)`,
        { file },
      );
    }
    await files.continueMetrics(metrics.lines);
  }
  // The state after the last completed epoch, encoded when a save needs it (a resumed run starts with the
  // checkpoint's, so a save before its first epoch ends keeps it).
  let trainState: TrainState | undefined = checkpoint?.state;
  const checkpointBytes = () =>
    trainState === undefined ? undefined : encodeCheckpoint({
      network: resumeTarget(prepared).network,
      optimizer: config.train.optimizer,
      trainSize: prepared.train.size,
      state: trainState,
    });
  const savedConfig = relocateDataPaths(config, dirnameOf(configPath), files.dir);
  const controller = new TrainController();
  // hints about how the config was read (a 0/1 target read as regression): a notice in every sink
  for (const notice of prepared.notices) controller.notice(notice);
  const useDashboard = !values.headless && !values.json && Deno.stdout.isTerminal() &&
    Deno.stdin.isTerminal();
  const stay = useDashboard && !values["exit-on-end"];
  // the plain log on a terminal: a transient progress line during long epochs (pipes and files get the log alone)
  const progressLine = !useDashboard && !values.json && Deno.stdout.isTerminal();
  const events = train(prepared.network, prepared.train, {
    name: config.name,
    epochs: config.train.epochs,
    batchSize: config.train.batchSize ?? prepared.train.size,
    learningRate: config.train.learningRate,
    optimizer: config.train.optimizer,
    momentum: config.train.momentum,
    nesterov: config.train.nesterov,
    l2: config.train.l2,
    loss: prepared.loss as never,
    shuffle: config.train.shuffle,
    seed: config.seed,
    test: prepared.test,
    earlyStop: config.train.earlyStop,
    targetLoss: config.train.targetLoss,
    schedule: config.train.schedule,
    clipNorm: config.train.clipNorm,
    // fresh statistics for the timeline's snapshots (at most TIMELINE_CAPACITY of them in the whole run)
    statsEvery: timelineSpacing(config.train.epochs),
    controller,
    pace,
    restartable: stay,
    // how far a long epoch has got, for the dashboard's header, --json and the plain log's transient line on a
    // terminal (the plain log itself stays one line an epoch)
    progressEveryMs: useDashboard || values.json || progressLine ? PROGRESS_EVERY_MS : undefined,
    // a turn of the event loop every few ms: for keys with the dashboard, and in every mode for the background
    // writes of metrics.jsonl (with the default 50 ms, 1M XOR epochs headless peaked at 463 MB instead of 178 MB)
    yieldToEventLoop: turnOfTheEventLoop,
    resume: checkpoint?.state,
    // train.checkpoint_every: training waits while the run folder is written, so the saved event comes in order
    onState: (state) => {
      trainState = state;
      const every = config.train.checkpointEvery;
      if (every === undefined || state.epoch % every !== 0) return;
      return saveAndReport(state.epoch);
    },
  });

  let lastEpoch: EpochEvent | undefined;
  // The metrics of the epoch whose weights were restored at the end (early stopping's restore_best).
  let restoredFinals: Record<string, number | null> | undefined;
  // Snapshots of what the dashboard shows, kept whatever the sink, for rewinding and for `replay`; a resumed run
  // goes on with the run folder's timeline (or starts a new one when that is missing or unreadable).
  const timeline = checkpoint === undefined
    ? new Timeline()
    : await resumedTimeline(files.path(TIMELINE_FILE));
  // model, config, checkpoint, metrics and timeline together, flushed to disk, one save after another (a
  // checkpoint every N epochs may meet an s or the final save); the first save swaps them into the run folder
  const save = (): Promise<string> =>
    files.save({
      // taken now, before training goes on: the model as it is and the state of the last completed epoch
      model: modelFile({ ...prepared, config: savedConfig }, restoredFinals ?? finalMetrics(lastEpoch)),
      config: stringifyConfig(savedConfig),
      timeline,
      checkpoint: checkpointBytes(),
    });
  // a save while training goes on (s, train.checkpoint_every): its outcome comes back in order as an event
  const saveAndReport = (epoch: number): Promise<void> =>
    save().then(
      (path) => controller.report({ type: "saved", path, epoch }),
      (error) =>
        controller.report({
          type: "save_failed",
          message: error instanceof RunSaveError
            ? error.message
            : `Cannot save the checkpoint: ${(error as Error).message}`,
        }),
    );
  const send = (command: Parameters<TrainController["send"]>[0]) => {
    if (command.type === "save" && lastEpoch === undefined) {
      // nothing trained yet: a save would replace the run folder's earlier model with initial weights
      controller.report({ type: "save_failed", message: "Nothing to save yet: no epoch was completed" });
    } else if (command.type === "save") {
      void saveAndReport(lastEpoch?.epoch ?? 0);
    } else {
      controller.send(command);
    }
  };

  // Record every event's metrics, whatever shows them: called with each event before the sink takes it.
  let endReason = "done", endMessage = "";
  // Lines are written in the background (RunFiles.addMetrics): training never waits for the disk.
  let pausedAt: { epoch: number; batch: number; batches: number } | undefined;
  const record = (event: TrainEvent): void => {
    timeline.record(event);
    if (event.type === "start") {
      lastEpoch = undefined, restoredFinals = undefined;
      if (event.resumedFrom === undefined) {
        trainState = undefined; // a restart: no state until its first epoch ends
        files.clearMetrics();
        const settings = runSettingsMetrics(event);
        if (settings !== undefined) files.addMetrics(settings);
      } else {
        files.addMetrics({ type: "resumed", epoch: event.resumedFrom, epochs: event.epochs });
      }
    }
    if (event.type === "epoch") {
      lastEpoch = event;
      files.addMetrics(epochMetrics(event));
    }
    if (event.type === "learning_rate_changed") files.addMetrics(event);
    if (event.type === "end") {
      endReason = event.reason, endMessage = event.message;
      if (event.restored !== undefined) {
        // the restored epoch's metrics come with the event: no listener keeps every epoch's (a million epochs)
        const { metrics, ...restored } = event.restored;
        // (an epoch before a resume: from the metrics.jsonl the resumed run goes on with)
        restoredFinals = metrics === undefined ? resumedFinals[restored.epoch] : finalMetrics(metrics);
        files.addMetrics({ type: "restored", ...restored });
      }
    }
    // where a pause in the middle of an epoch stopped, for the explain view's label
    if (event.type === "epoch" || event.type === "start") pausedAt = undefined;
    if (event.type === "state") {
      const { paused, epoch, batch, batches } = event;
      pausedAt = paused && epoch !== undefined && batch !== undefined && batches !== undefined
        ? { epoch, batch, batches }
        : undefined;
    }
  };

  // Ctrl-C asks the trainer to stop; the listener stays until the last save is done, so a second Ctrl-C during
  // the save cannot end the process before the model is on disk
  const onInterrupt = () => controller.send({ type: "quit", interrupted: true });
  Deno.addSignalListener("SIGINT", onInterrupt);
  // SIGTERM (kill, timeout, a process manager) stops the run as Ctrl-C does: saved, the terminal restored (the
  // dashboard closes as on ctrl-c, from any state), exit 143; without a listener Deno died with the terminal raw
  const stop = new AbortController();
  const onTerminate = () => {
    stop.abort();
    if (!useDashboard) controller.send({ type: "quit", interrupted: true });
  };
  Deno.addSignalListener("SIGTERM", onTerminate);
  try {
    const code = await finishTraining();
    return stop.signal.aborted ? EXIT.terminated : code;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    Deno.removeSignalListener("SIGTERM", onTerminate);
  }

  async function finishTraining(): Promise<number> {
    let savedTo: string | undefined;
    // A diverged run is saved only where the run folder has no model yet; else the earlier run stays whole (this
    // run's staging folder is removed) unless this run already saved a checkpoint there.
    const endDiverged = async () => {
      if (!await exists(files.path("model.json"))) savedTo = await save();
      else if (files.saved) await files.flushMetrics(), await files.writeTimeline(timeline);
    };
    // Stopped (q, Ctrl-C) before its first epoch ended, a run has trained nothing: it saves nothing, so the run
    // folder keeps what it held (an earlier run's model is not replaced by initial weights).
    const nothingTrained = () => lastEpoch === undefined;
    const nothingSaved = async () =>
      `nothing saved: no epoch was completed${
        await exists(files.path("model.json")) ? `; the earlier run in ${files.dir} was kept` : ""
      }`;
    {
      if (useDashboard) {
        await runDashboard({
          events,
          onEvent: record,
          send,
          explain: (sample) =>
            explainTrainingSample(prepared.network, {
              data: prepared.train,
              sample,
              loss: prepared.loss as LossName,
              epoch: lastEpoch?.epoch ?? 0,
              pausedAt,
            }),
          timeline,
          // saved before the dashboard waits for q; after a divergence only where no earlier model exists
          onEnd: async () => {
            if (endReason === "diverged") await endDiverged();
            else if (!nothingTrained()) savedTo = await save();
            return savedTo;
          },
        }, { holdOnEnd: stay, stop: stop.signal });
      } else {
        const printer = new PlainPrinter({ json: values.json as boolean | undefined });
        if (progressLine) {
          const encoder = new TextEncoder();
          const line = new ProgressLine({
            write: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
            // a terminal that does not report its size (0 columns) is taken as 80 wide
            columns: () => Deno.consoleSize().columns || 80,
            minIntervalMs: PROGRESS_EVERY_MS,
          });
          try {
            for await (const event of events) {
              record(event);
              line.show(event, printer.lines(event).map(printable));
            }
          } finally {
            // nothing of it stays: not after the end, nor before an error's line
            line.erase();
          }
        } else {
          for await (const event of events) {
            record(event);
            for (const line of printer.lines(event)) print(line);
          }
        }
      }
    }

    if (endReason === "diverged") {
      if (!useDashboard) await endDiverged();
      // one line: what happened and where the model is
      printError(
        savedTo
          ? `${endMessage}, saved to ${savedTo}`
          : `${endMessage}; not saved: the earlier run in ${files.dir} was kept`,
      );
      prepared.backend.dispose();
      return EXIT.failure;
    }
    if (nothingTrained()) {
      const line = await nothingSaved();
      print(values.json && !useDashboard ? JSON.stringify({ type: "notice", message: line }) : line);
    } else if (useDashboard) {
      // below the summary the dashboard left on the main screen, as the plain log ends; the notices again (a
      // short run's are gone from the footer before they are read)
      for (const line of showPredictions(prepared)) print(line);
      for (const notice of prepared.notices) print(notice);
    } else {
      savedTo = await save();
      if (values.json) {
        const epoch = lastEpoch?.epoch ?? 0;
        print(JSON.stringify({ type: "saved", path: savedTo, epoch, metrics: files.path("metrics.jsonl") }));
      } else {
        for (const line of showPredictions(prepared)) print(line);
        print(`saved ${savedTo}, ${files.path("metrics.jsonl")}, ${files.path("config.yaml")}`);
      }
    }
    prepared.backend.dispose();
    // Ctrl-C ends with 130, also when it closes the dashboard after the end
    const interrupted = endReason === "interrupted" || controller.quitRequested?.interrupted === true;
    return interrupted ? EXIT.interrupted : EXIT.ok;
  }
}
