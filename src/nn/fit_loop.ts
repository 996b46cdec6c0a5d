// net.fit around the training loop: its inputs and their checks, its options, validation split and checkpoints.

import { TrainingDivergedError } from "../errors.ts";
import { getLoss, type Loss } from "../math/losses.ts";
import { type AnyMatrix, Matrix, type MatrixLike } from "../math/matrix.ts";
import { type BatchSource, defaultLoss, type EpochRecord, type FitOptions, isClassifier } from "./fit.ts";
import type { Network } from "./network.ts";
import { createOptimizer, type Optimizer, OPTIMIZER_NAMES } from "./optimizers.ts";
import { EarlyStopping, type FitEarlyStop, type Monitor, monitoredValue, MONITORS } from "./early_stop.ts";
import { saveModel } from "./serialize.ts";
import type { FitCallbacks } from "./callbacks.ts";
import { trainingRun } from "./training_run.ts";

/**
 * Samples as one flat row-major typed array and its shape: `data[r * cols + c]` is feature c of sample r.
 * Uint8 data (e.g. image pixels) is converted to numbers one batch at a time, as it is: scale it with a
 * `Dataset` (whose preprocessing is applied per batch) when the network needs inputs in [0, 1].
 */
export interface TypedMatrix {
  /** Number of samples. */
  readonly rows: number;
  /** Values per sample. */
  readonly cols: number;
  /** rows × cols values, row-major. */
  readonly data: Float64Array | Float32Array | Uint8Array;
}

/** Inputs or targets of `net.fit`, `net.evaluate` and `net.predict`: a Matrix, nested arrays or a typed array. */
export type FitInput = MatrixLike | TypedMatrix;

/** Per-column scaling a network applies to raw inputs in `predict`: x = (raw − shift) · factor. */
export interface InputPreprocessing {
  /** How the numbers were chosen (`none`, `minmax`, `zscore`, `scale`). */
  readonly kind: string;
  /** Subtracted from each raw feature. */
  readonly shift: readonly number[];
  /** Then multiplied into each feature. */
  readonly factor: readonly number[];
}

/**
 * A batch source that knows how its samples were preprocessed and what its classes are called (a `Dataset`);
 * `net.fit` keeps both on the network, so `predict` takes raw inputs and `saveModel` writes them.
 */
export interface DescribedSource extends BatchSource {
  /** The preprocessing `gather` applies. */
  readonly preprocessing?: InputPreprocessing;
  /** Class names of a classifier, in output order. */
  readonly classNames?: readonly string[];
}

/** Saving the model during `net.fit` (Keras's ModelCheckpoint): after every epoch, or only when it improved. */
export interface FitCheckpoint {
  /** The model file (written atomically by `saveModel`, with the network's preprocessing and class names). */
  path: string;
  /** Save only epochs that improve `monitor` (default false: every epoch). */
  bestOnly?: boolean;
  /** The metric for `bestOnly` (default: early stopping's, else `"val_loss"` with validation data, else `"loss"`). */
  monitor?: Monitor;
}

/** Options of `net.fit`: the loop's (`FitOptions`) plus validation, early stopping, callbacks and checkpoints. */
export interface NetworkFitOptions extends FitOptions {
  /**
   * Held-out data evaluated after every epoch: `[x, y]` (raw inputs, as `predict` takes them: preprocessed as the
   * training `Dataset`'s, or the network's) or a batch source such as a `Dataset`.
   */
  validationData?: readonly [FitInput, FitInput] | BatchSource;
  /** Hold out this fraction (0 < f < 1) of the samples, the last ones before any shuffling (as Keras). */
  validationSplit?: number;
  /** Stop when a metric stops improving. */
  earlyStop?: FitEarlyStop;
  /** Hooks called around epochs and batches. */
  callbacks?: FitCallbacks | readonly FitCallbacks[];
  /** Save the model after epochs. */
  checkpoint?: FitCheckpoint;
}

const FIT_OPTION_KEYS: readonly string[] = [
  "epochs",
  "batchSize",
  "learningRate",
  "loss",
  "optimizer",
  "momentum",
  "nesterov",
  "l2",
  "shuffle",
  "seed",
  "trackAccuracy",
  "schedule",
  "clipNorm",
  "onEpoch",
  "validationData",
  "validationSplit",
  "earlyStop",
  "callbacks",
  "checkpoint",
];

function checkKeys(value: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Invalid ${what}: unknown option "${key}" (expected one of ${known.join(", ")})`);
    }
  }
}

/**
 * Rejects options that would be ignored: unknown keys, optimizer settings given beside an optimizer object,
 * `momentum`/`nesterov` for an optimizer other than `"momentum"`, and malformed early-stopping, checkpoint and
 * validation options.
 */
export function checkFitOptions(options: NetworkFitOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Invalid fit options: expected an object");
  }
  checkKeys(options, FIT_OPTION_KEYS, "fit options");
  const optimizer = options.optimizer ?? "sgd";
  if (typeof optimizer === "string") {
    if (!OPTIMIZER_NAMES.includes(optimizer)) {
      throw new RangeError(`Unknown optimizer "${optimizer}": expected one of ${OPTIMIZER_NAMES.join(", ")}`);
    }
    for (const key of ["momentum", "nesterov"] as const) {
      if (options[key] !== undefined && optimizer !== "momentum") {
        throw new TypeError(
          `Invalid fit options: "${key}" applies to optimizer "momentum" only, not "${optimizer}"`,
        );
      }
    }
  } else {
    for (const key of ["momentum", "nesterov", "l2"] as const) {
      if (options[key] !== undefined) {
        throw new TypeError(
          `Invalid fit options: "${key}" cannot be given with an optimizer object (set it when creating the optimizer)`,
        );
      }
    }
  }
  for (const key of ["epochs", "batchSize", "learningRate", "momentum", "l2", "seed", "clipNorm"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "number") {
      throw new TypeError(`Invalid ${key}: expected a number, got ${JSON.stringify(value)}`);
    }
  }
  for (
    const [key, value] of [
      ["shuffle", options.shuffle],
      ["nesterov", options.nesterov],
      ["trackAccuracy", options.trackAccuracy],
      ["earlyStop.restoreBest", options.earlyStop?.restoreBest],
      ["checkpoint.bestOnly", options.checkpoint?.bestOnly],
    ] as const
  ) {
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`Invalid ${key}: expected true or false, got ${JSON.stringify(value)}`);
    }
  }
  for (const [key, value] of [["callbacks", options.callbacks], ["onEpoch", options.onEpoch]] as const) {
    if (value !== undefined && typeof value !== (key === "onEpoch" ? "function" : "object")) {
      throw new TypeError(
        `Invalid ${key}: expected ${key === "onEpoch" ? "a function" : "an object or a list"}`,
      );
    }
  }
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`Invalid epochs: expected a positive integer, got ${epochs}`);
  }
  const rate = options.learningRate;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new RangeError(`Invalid learning rate: expected a positive number, got ${rate}`);
  }
  const split = options.validationSplit;
  if (split !== undefined) {
    if (typeof split !== "number" || !(split > 0 && split < 1)) {
      throw new RangeError(`Invalid validationSplit: expected a number between 0 and 1, got ${split}`);
    }
    if (options.validationData !== undefined) {
      throw new TypeError("Invalid fit options: give validationData or validationSplit, not both");
    }
  }
  const early = options.earlyStop;
  if (early !== undefined) {
    checkKeys(early, ["monitor", "patience", "minDelta", "restoreBest"], "earlyStop");
    if (early.monitor !== undefined && !MONITORS.includes(early.monitor as Monitor)) {
      throw new RangeError(
        `Invalid earlyStop.monitor: expected one of ${MONITORS.join(", ")}, got "${early.monitor}"`,
      );
    }
    if (early.patience !== undefined && !(Number.isInteger(early.patience) && early.patience >= 0)) {
      throw new RangeError(`Invalid earlyStop.patience: expected a whole number ≥ 0, got ${early.patience}`);
    }
    if (early.minDelta !== undefined && !(early.minDelta >= 0)) {
      throw new RangeError(`Invalid earlyStop.minDelta: expected a number ≥ 0, got ${early.minDelta}`);
    }
  }
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined) {
    checkKeys(checkpoint, ["path", "bestOnly", "monitor"], "checkpoint");
    if (typeof checkpoint.path !== "string" || checkpoint.path === "") {
      throw new TypeError("Invalid checkpoint: path must be a non-empty string");
    }
    if (checkpoint.monitor !== undefined && checkpoint.bestOnly !== true) {
      throw new TypeError(
        "Invalid checkpoint: monitor applies only with bestOnly: true (else every epoch is saved)",
      );
    }
    if (checkpoint.monitor !== undefined && !MONITORS.includes(checkpoint.monitor as Monitor)) {
      throw new RangeError(
        `Invalid checkpoint.monitor: expected one of ${MONITORS.join(", ")}, got "${checkpoint.monitor}"`,
      );
    }
  }
}

/** Whether `value` is a batch source (has `gather`) rather than samples. */
export function isBatchSource(value: unknown): value is BatchSource {
  return typeof value === "object" && value !== null && typeof (value as BatchSource).gather === "function";
}

/** `x` as a rows × cols view: a Matrix and a typed matrix as they are, nested arrays copied into a Matrix. */
export function toTypedMatrix(x: FitInput, what: string): TypedMatrix {
  if (x instanceof Matrix) return x;
  if (Array.isArray(x)) return Matrix.from(x as readonly (readonly number[])[]);
  const t = x as TypedMatrix;
  if (
    typeof t === "object" && t !== null && ArrayBuffer.isView(t.data) && Number.isInteger(t.rows) &&
    Number.isInteger(t.cols)
  ) {
    if (t.data.length !== t.rows * t.cols) {
      throw new TypeError(
        `Invalid ${what}: ${t.rows}×${t.cols} needs ${
          t.rows * t.cols
        } values, the array has ${t.data.length}`,
      );
    }
    return t;
  }
  throw new TypeError(
    `Invalid ${what}: expected a Matrix, an array of rows or { data: Float64Array | Float32Array | Uint8Array, rows, cols }`,
  );
}

/** Throws a `RangeError` naming the first NaN or infinite value of `m` (0-based row and column). */
export function checkFinite(m: TypedMatrix, what: string): void {
  const data = m.data;
  if (data instanceof Uint8Array) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RangeError(
        `Invalid ${what}: row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${
          data[i]
        } (expected a finite number)`,
      );
    }
  }
}

/** Checks that a batch source's samples fit `network`'s inputs and outputs. */
export function checkSourceShape(network: Network, source: BatchSource, what: string): void {
  if (source.inputSize !== network.input) {
    throw new TypeError(
      `Invalid ${what} data: the network takes ${network.input} features, the data has ${source.inputSize}`,
    );
  }
  if (source.targetSize !== network.output) {
    throw new TypeError(
      `Invalid ${what} data: the network has ${network.output} outputs, the targets have ${source.targetSize} columns`,
    );
  }
  if (source.size < 1) throw new RangeError(`Invalid ${what} data: there are no samples`);
}

/** Checks every sample of a batch source for NaN and infinity, 256 rows at a time. */
export function checkSourceFinite(source: BatchSource, what: string): void {
  const chunk = Math.min(256, source.size);
  const x = new Matrix(chunk, source.inputSize), y = new Matrix(chunk, source.targetSize);
  const order = new Uint32Array(source.size);
  for (let i = 0; i < source.size; i++) order[i] = i;
  for (let start = 0; start < source.size; start += chunk) {
    const rows = Math.min(chunk, source.size - start);
    const bx = rows === chunk ? x : new Matrix(rows, source.inputSize);
    const by = rows === chunk ? y : new Matrix(rows, source.targetSize);
    source.gather(bx, by, order, start);
    for (const [m, kind] of [[bx, "input"], [by, "target"]] as const) {
      const data = m.data;
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) {
          throw new RangeError(
            `Invalid ${what} ${kind}: row ${start + Math.floor(i / m.cols)}, column ${i % m.cols} is ${
              data[i]
            } (expected a finite number)`,
          );
        }
      }
    }
  }
}

/** A batch source over rows `from` up to `to` of two typed matrices (converted per batch, nothing copied). */
function typedSource(x: TypedMatrix, y: TypedMatrix, from: number, to: number): BatchSource {
  const n = x.cols, t = y.cols, X = x.data, Y = y.data;
  return {
    size: to - from,
    inputSize: n,
    targetSize: t,
    gather(outX: AnyMatrix, outY: AnyMatrix, order: Uint32Array, start: number) {
      const outXData = outX.data, outYData = outY.data;
      for (let r = 0; r < outX.rows; r++) {
        const row = order[start + r] + from;
        for (let j = 0; j < n; j++) outXData[r * n + j] = X[row * n + j];
        for (let j = 0; j < t; j++) outYData[r * t + j] = Y[row * t + j];
      }
    },
  };
}

/** Rows `from` up to `from + size` of `source`, renumbered from 0. */
function sliceSource(source: BatchSource, from: number, size: number): BatchSource {
  if (from === 0) {
    return {
      size,
      inputSize: source.inputSize,
      targetSize: source.targetSize,
      gather: (x, y, order, start) => source.gather(x, y, order, start),
    };
  }
  let shifted = new Uint32Array(0);
  return {
    size,
    inputSize: source.inputSize,
    targetSize: source.targetSize,
    gather(x, y, order, start) {
      if (shifted.length < x.rows) shifted = new Uint32Array(x.rows);
      for (let r = 0; r < x.rows; r++) shifted[r] = order[start + r] + from;
      source.gather(x, y, shifted, 0);
    },
  };
}

/** Samples and targets as a checked batch source for `network` (`what` names them in errors). */
export function samplesSource(network: Network, x: FitInput, y: FitInput, what: string): BatchSource {
  const input = toTypedMatrix(x, `${what} input`), target = toTypedMatrix(y, `${what} target`);
  // training data keeps the shorter names of earlier messages ("Invalid target: …")
  what = what === "training" ? "" : `${what} `;
  if (input.cols !== network.input) {
    throw new TypeError(
      `Invalid ${what}input: the network takes ${network.input} features per row, got ${input.rows}×${input.cols}`,
    );
  }
  if (target.cols !== network.output || target.rows !== input.rows) {
    throw new TypeError(
      `Invalid ${what}target: expected ${input.rows}×${network.output} (one row per input row), got ${target.rows}×${target.cols}`,
    );
  }
  checkFinite(input, `${what}input`);
  checkFinite(target, `${what}target`);
  return typedSource(input, target, 0, input.rows);
}

/** The loss `fit` and `evaluate` use for `network` when none is given. */
export function lossFor(network: Network, name?: FitOptions["loss"]): Loss {
  return getLoss(name ?? defaultLoss(network.layers[network.layers.length - 1].activation.name));
}

// The optimizer a network's last fit created by name, reused by the next fit with the same settings so its
// state (velocities, moments, step count) lasts across fit calls, as in Keras.
const optimizers = new WeakMap<Network, { key: string; optimizer: Optimizer; learningRate: number }>();

function optimizerFor(network: Network, options: FitOptions): Optimizer {
  const optimizer = options.optimizer ?? "sgd";
  if (typeof optimizer !== "string") {
    if (options.learningRate !== undefined) optimizer.learningRate = options.learningRate;
    return optimizer;
  }
  const key = JSON.stringify([optimizer, options.momentum, options.nesterov, options.l2]);
  let kept = optimizers.get(network);
  if (kept === undefined || kept.key !== key) {
    const created = createOptimizer(optimizer, {
      momentum: options.momentum,
      nesterov: options.nesterov,
      l2: options.l2,
    });
    kept = { key, optimizer: created, learningRate: created.learningRate };
    optimizers.set(network, kept);
  }
  kept.optimizer.learningRate = options.learningRate ?? kept.learningRate;
  return kept.optimizer;
}

// How many fits each network has run: a later fit without a seed shuffles (and drops out) from a seed derived from
// the network's and this count, so that fit({ epochs: 1 }) called in a loop does not repeat one order every epoch.
const fitCalls = new WeakMap<Network, number>();

/** The shuffling seed of `network`'s next fit: the network's on its first, then one derived from the count. */
function shuffleSeed(network: Network, seed: number | undefined): number | undefined {
  const calls = fitCalls.get(network) ?? 0;
  fitCalls.set(network, calls + 1);
  if (seed !== undefined || calls === 0) return seed;
  return (network.seed + Math.imul(calls, 0x9e3779b1)) >>> 0; // the golden-ratio step spreads the seeds
}

/**
 * Trains `network` on `train` (and evaluates `validation` after every epoch) as `options` say: `trainingRun` run
 * to the end; resolves to the history. A non-finite loss restores the last good epoch's weights and throws
 * `TrainingDivergedError`. `onStart` is called once every option has been checked, before the first epoch.
 */
export async function runFit(
  network: Network,
  data: { train: BatchSource; validation?: BatchSource },
  options: NetworkFitOptions,
  onStart?: () => void,
): Promise<EpochRecord[]> {
  let { train, validation } = data;
  const rate = options.learningRate;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new RangeError(`Invalid learning rate: expected a positive number, got ${rate}`);
  }
  const split = options.validationSplit;
  if (split !== undefined) {
    const held = Math.floor(train.size * split);
    if (held < 1 || held >= train.size) {
      throw new RangeError(
        `Invalid validationSplit: ${split} of ${train.size} samples leaves ${held} for validation and ${
          train.size - held
        } for training (each needs at least 1)`,
      );
    }
    validation = sliceSource(train, train.size - held, held);
    train = sliceSource(train, 0, train.size - held);
  }
  const early = options.earlyStop;
  const monitor = early?.monitor ?? (validation !== undefined ? "val_loss" : "loss");
  const checkpointMonitor = options.checkpoint?.monitor ?? (early !== undefined ? monitor : undefined) ??
    (validation !== undefined ? "val_loss" : "loss");
  const classifier = isClassifier(network);
  for (
    const watched of [
      early !== undefined ? monitor : "",
      options.checkpoint?.bestOnly ? checkpointMonitor : "",
    ]
  ) {
    if (watched.startsWith("val_") && validation === undefined) {
      throw new RangeError(`Cannot monitor "${watched}": there is no validationData or validationSplit`);
    }
    if (watched.endsWith("accuracy") && !classifier) {
      throw new RangeError(
        `Cannot monitor "${watched}": the network is not a classifier (a softmax output or one sigmoid output)`,
      );
    }
  }
  if (options.trackAccuracy && !classifier) {
    throw new RangeError(
      "Invalid trackAccuracy: the network is not a classifier (a softmax output or one sigmoid output)",
    );
  }
  let callbacks = options.callbacks;
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined) {
    // saving is one more hook, after the given ones
    const improvement = new EarlyStopping({ monitor: checkpointMonitor, patience: Infinity, minDelta: 0 });
    callbacks = [...callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks], {
      async onEpochEnd(record: EpochRecord) {
        const improved = improvement.update(monitoredValue(record, checkpointMonitor)) === "improved";
        if (!checkpoint.bestOnly || improved) await saveModel(checkpoint.path, network);
      },
    }];
  }
  const history: EpochRecord[] = [];
  const run = trainingRun(network, train, {
    ...options,
    seed: shuffleSeed(network, options.seed),
    optimizer: optimizerFor(network, options),
    momentum: undefined,
    nesterov: undefined,
    l2: undefined,
    learningRate: undefined,
    trackAccuracy: options.trackAccuracy || monitor === "accuracy" || checkpointMonitor === "accuracy",
    validation,
    earlyStop: early === undefined ? undefined : { ...early, monitor },
    callbacks,
    // a turn of the event loop (timers, signals) every 100 ms of training
    yieldEveryMs: 100,
  });
  for await (const step of run) {
    if (step.type === "start") onStart?.();
    if (step.type === "epoch") history.push(step.record);
    if (step.type === "end" && step.divergence !== undefined) {
      throw new TrainingDivergedError(step.divergence);
    }
  }
  return history;
}
