// The training session: epochs of shuffled mini-batches over any batch source (trainingRun drives it batch by batch).

import { getLoss, type Loss, type LossName } from "../math/losses.ts";
import { type AnyMatrix, Matrix } from "../math/matrix.ts";
import { Rng } from "../math/random.ts";
import { DropoutRng } from "./dropout.ts";
import type { Network } from "./network.ts";
import {
  clipGradientNorm,
  createOptimizer,
  type Optimizer,
  type OptimizerName,
  type OptimizerState,
} from "./optimizers.ts";
import { describeSchedule, type Schedule, Scheduler, type SchedulerState } from "./schedules.ts";

/** Where batches come from: a dataset that copies chosen rows into the batch buffers. */
export interface BatchSource {
  /** Number of samples. */
  readonly size: number;
  /** Features per sample. */
  readonly inputSize: number;
  /** Target values per sample. */
  readonly targetSize: number;
  /** Writes samples order[start], order[start + 1], … (x.rows of them) into x and y. Must not allocate. */
  gather(x: AnyMatrix, y: AnyMatrix, order: Uint32Array, start: number): void;
}

/**
 * A batch source over two matrices held in memory (features and targets, one sample per row).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../math/matrix.ts";
 * import { matrixSource } from "./fit.ts";
 *
 * const source = matrixSource(Matrix.from([[0, 0], [0, 1], [1, 0]]), Matrix.from([[0], [1], [1]]));
 * const x = Matrix.zeros(2, 2), y = Matrix.zeros(2, 1);
 * source.gather(x, y, new Uint32Array([2, 0, 1]), 0); // rows 2 and 0
 * assert.deepEqual(x.toArray(), [[1, 0], [0, 0]]);
 * assert.deepEqual(y.toArray(), [[1], [0]]);
 * ```
 */
export function matrixSource(x: AnyMatrix, y: AnyMatrix): BatchSource {
  if (x.rows !== y.rows) {
    throw new TypeError(`Invalid training data: ${x.rows} input rows but ${y.rows} target rows`);
  }
  return {
    size: x.rows,
    inputSize: x.cols,
    targetSize: y.cols,
    gather(outX, outY, order, start) {
      const n = x.cols, t = y.cols, X = x.data, Y = y.data, outXData = outX.data, outYData = outY.data;
      for (let r = 0; r < outX.rows; r++) {
        const row = order[start + r];
        for (let j = 0; j < n; j++) outXData[r * n + j] = X[row * n + j];
        for (let j = 0; j < t; j++) outYData[r * t + j] = Y[row * t + j];
      }
    },
  };
}

/** Options of the training loop (`net.fit` and the trainer). */
export interface FitOptions {
  /** Number of passes over the data (default 1, like Keras). */
  epochs?: number;
  /** Samples per mini-batch (default 32, capped at the data size); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Step size (default: the optimizer's, 0.01 for SGD and momentum, 0.001 for Adam). */
  learningRate?: number;
  /** Loss (default: cross_entropy after softmax, binary_cross_entropy after sigmoid, mse otherwise). */
  loss?: LossName;
  /** Optimizer by name or instance (default `"sgd"`). */
  optimizer?: OptimizerName | Optimizer;
  /** Momentum μ for `"momentum"` (default 0.9). */
  momentum?: number;
  /** Nesterov form for `"momentum"` (default false). */
  nesterov?: boolean;
  /** L2 weight decay λ (default 0). */
  l2?: number;
  /** Shuffle the samples before every epoch (default true). */
  shuffle?: boolean;
  /**
   * Seed of the shuffling and dropout (default: the network's seed; `net.fit` calls after the first use a seed
   * derived from it and the number of earlier calls, so repeated fits do not repeat one order).
   */
  seed?: number;
  /** Count correct predictions in each training batch and report the epoch's running accuracy (classifiers). */
  trackAccuracy?: boolean;
  /**
   * A learning-rate schedule (default: a constant rate): every epoch's rate follows its formula from
   * `learningRate` (see `schedules.ts`). `plateau` watches the validation loss when `net.fit` has validation data
   * (the CLI's trainer: the test loss when there is a test set), else the training loss.
   */
  schedule?: Schedule;
  /** Clip the gradient by global norm to at most this before every update (default: no clipping). */
  clipNorm?: number;
  /** Called after every epoch; returning `false` stops training. */
  onEpoch?: (record: EpochRecord) => void | boolean;
}

/** Options of a `FitSession` beyond `FitOptions`. */
export interface FitSessionOptions extends FitOptions {
  /**
   * Whether the caller feeds the plateau schedule its monitored loss through `observe` (e.g. the test loss);
   * default false: the session observes each epoch's training loss itself.
   */
  externalMonitor?: boolean;
}

/**
 * Everything a `FitSession` needs to go on after its last completed epoch exactly as if it had not stopped
 * (`saveState` / `loadState`): the weights, the optimizer's state, both random streams and the schedule's state.
 */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  /** The optimizer's current rate (after the schedule and any rate set by hand). */
  learningRate: number;
  /** Every parameter's values, in the order of `network.parameters`. */
  parameters: Float64Array[];
  /** The optimizer's state. */
  optimizer: OptimizerState;
  /** The shuffling generator's state (`Rng.getState`). */
  shuffle: number[];
  /** The sample order after the last shuffle (the next shuffle permutes it again). */
  order: Uint32Array;
  /** The dropout generator's four 32-bit words, when the network has dropout. */
  dropout?: number[];
  /** The schedule's state, with a schedule. */
  scheduler?: SchedulerState;
}

/** What one epoch did. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches, weighted by batch size (NaN if it diverged). */
  loss: number;
  /** Learning rate used. */
  learningRate: number;
  /** Samples trained on (fewer than the data size when stopped early). */
  samples: number;
  /** Seconds the epoch took (in `trainingRun`: time at work, pauses left out). */
  seconds: number;
  /** Share of the epoch's training samples predicted right as they were trained on, with `trackAccuracy`. */
  accuracy?: number;
  /** With `clipNorm`: how many of the epoch's batches had their gradient clipped. */
  clippedBatches?: number;
  /** With validation data (`net.fit`'s, `trainingRun`'s, the trainer's test set): its mean loss after the epoch. */
  valLoss?: number;
  /** With validation data, for classifiers: the share of it classified right after the epoch. */
  valAccuracy?: number;
}

/**
 * Counts the rows of a batch whose prediction matches the target: argmax against argmax for several outputs,
 * the 0.5 threshold for one output.
 */
export function countCorrect(predicted: AnyMatrix, target: AnyMatrix): number {
  const n = predicted.cols, P = predicted.data, Y = target.data;
  let correct = 0;
  for (let r = 0; r < predicted.rows; r++) {
    const base = r * n;
    if (n === 1) {
      if ((P[base] >= 0.5) === (Y[base] >= 0.5)) correct++;
      continue;
    }
    let best = 0, bestTarget = 0;
    for (let j = 1; j < n; j++) {
      if (P[base + j] > P[base + best]) best = j;
      if (Y[base + j] > Y[base + bestTarget]) bestTarget = j;
    }
    if (best === bestTarget) correct++;
  }
  return correct;
}

/** What `net.evaluate` measures. */
export interface EvaluateResult {
  /** Mean loss over the samples. */
  loss: number;
  /** Share of samples classified right (classifiers: softmax output, or one sigmoid output). */
  accuracy?: number;
}

/** Whether the network is a classifier for accuracy: a softmax output, or a single sigmoid output. */
export function isClassifier(network: Network): boolean {
  const last = network.layers[network.layers.length - 1];
  return last.activation.name === "softmax" || (last.units === 1 && last.activation.name === "sigmoid");
}

/** Mean loss (and accuracy for classifiers) of `network` over every sample of `source`, 256 rows at a time. */
export function evaluateSource(network: Network, source: BatchSource, loss: Loss): EvaluateResult {
  const chunk = Math.min(256, source.size);
  const order = new Uint32Array(source.size);
  for (let i = 0; i < source.size; i++) order[i] = i;
  const full = new Matrix(chunk, source.targetSize);
  const classifier = isClassifier(network);
  let lossSum = 0, correct = 0;
  for (let start = 0; start < source.size; start += chunk) {
    const rows = Math.min(chunk, source.size - start);
    const x = network.inputBuffer(rows);
    const y = rows === chunk ? full : new Matrix(rows, source.targetSize);
    source.gather(x, y, order, start);
    const output = network.forwardBatch(x);
    lossSum += loss.value(output, y) * rows;
    if (classifier) correct += countCorrect(output, y);
  }
  const result: EvaluateResult = { loss: lossSum / source.size };
  if (classifier) result.accuracy = correct / source.size;
  return result;
}

/**
 * The default loss for an output activation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultLoss } from "./fit.ts";
 *
 * assert.equal(defaultLoss("softmax"), "cross_entropy");
 * assert.equal(defaultLoss("sigmoid"), "binary_cross_entropy");
 * assert.equal(defaultLoss("linear"), "mse");
 * ```
 */
export function defaultLoss(outputActivation: string): LossName {
  if (outputActivation === "softmax") return "cross_entropy";
  if (outputActivation === "sigmoid") return "binary_cross_entropy";
  return "mse";
}

/**
 * Resolves after one turn of the event loop (a zero-delay timer), so keys, signals and timers get their turn.
 *
 * @example
 * ```ts
 * import { yieldToEventLoop } from "./fit.ts";
 * await yieldToEventLoop();
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A training run in progress: the optimizer, the shuffled order and the batch buffers, kept across epochs.
 * `trainingRun` (and so `net.fit` and the CLI's trainer) drives one batch at a time; `runEpochSync` runs a whole
 * epoch for scripts and benchmarks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FitSession, Matrix, matrixSource, Network } from "../../mod.ts";
 *
 * const net = new Network({ input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });
 * const xor = matrixSource(Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), Matrix.from([[0], [1], [1], [0]]));
 * const session = new FitSession(net, xor, { batchSize: 4, learningRate: 2, loss: "mse", seed: 1 });
 * const first = session.runEpochSync();
 * let last = first;
 * for (let epoch = 2; epoch <= 3000; epoch++) last = session.runEpochSync();
 * assert.equal(last.epoch, 3000);
 * assert.ok(last.loss < first.loss / 10);
 * ```
 */
export class FitSession {
  /** The network being trained. */
  readonly network: Network;
  /** The training data. */
  readonly source: BatchSource;
  /** The loss being minimised. */
  readonly loss: Loss;
  /** The optimizer. */
  readonly optimizer: Optimizer;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether samples are reshuffled before each epoch. */
  readonly shuffle: boolean;
  /** Whether training batches are scored for the running accuracy. */
  readonly trackAccuracy: boolean;
  /** The learning-rate schedule applied, if any. */
  readonly scheduler: Scheduler | undefined;
  /** The gradient-clipping norm, if any. */
  readonly clipNorm: number | undefined;
  #epoch = 0;
  #clipped = 0;
  #externalMonitor: boolean;
  // The source of dropout masks (seeded like the shuffling), when the network has dropout.
  #dropout: DropoutRng | undefined;
  #correct = 0;
  // The epoch's Σ loss · rows and the last batch's mean loss (indices below the class), and its Σ rows.
  #sums = new Float64Array(2);
  #samples = 0;
  // The epoch begun with beginEpoch(): where its next batch starts, whether its losses stayed finite, its start.
  #next = 0;
  #finite = true;
  #started = 0;
  #order: Uint32Array;
  #rng: Rng;
  #seed: number;
  // Views of #targetFull by rows, and the one used last (fields, not a Map: no allocation per step).
  #targets: (AnyMatrix | undefined)[] = [];
  #targetLast: AnyMatrix | undefined;
  #targetFull: AnyMatrix | undefined;
  // The learning rate the options asked for (before a schedule, a hand-set rate or a loaded state): a restart's.
  #initialRate: number;

  /** Prepares training of `network` on `source`; checks the shapes and options once. */
  constructor(network: Network, source: BatchSource, options: FitSessionOptions = {}) {
    if (source.inputSize !== network.input) {
      throw new TypeError(
        `Invalid training data: the network takes ${network.input} features, the data has ${source.inputSize}`,
      );
    }
    if (source.targetSize !== network.output) {
      throw new TypeError(
        `Invalid training data: the network has ${network.output} outputs, the targets have ${source.targetSize} columns`,
      );
    }
    if (source.size < 1) throw new RangeError("Invalid training data: there are no samples");
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`Invalid batch size: expected a positive integer, got ${batchSize}`);
    }
    this.network = network;
    this.source = source;
    const outputActivation = network.layers[network.layers.length - 1].activation.name;
    this.loss = getLoss(options.loss ?? defaultLoss(outputActivation));
    if (this.loss.name === "cross_entropy" && outputActivation !== "softmax") {
      throw new RangeError(
        `Invalid loss: cross_entropy needs a softmax output layer, got ${outputActivation}`,
      );
    }
    const optimizer = options.optimizer ?? "sgd";
    this.optimizer = typeof optimizer === "string"
      ? createOptimizer(optimizer, {
        learningRate: options.learningRate,
        momentum: options.momentum,
        nesterov: options.nesterov,
        l2: options.l2,
      })
      : optimizer;
    if (typeof optimizer !== "string" && options.learningRate !== undefined) {
      this.optimizer.learningRate = options.learningRate;
    }
    this.#initialRate = this.optimizer.learningRate;
    this.batchSize = Math.min(batchSize, source.size);
    this.shuffle = options.shuffle ?? true;
    this.trackAccuracy = options.trackAccuracy ?? false;
    this.#seed = options.seed ?? network.seed;
    this.#rng = new Rng(this.#seed);
    this.#order = new Uint32Array(source.size);
    for (let i = 0; i < source.size; i++) this.#order[i] = i;
    const clipNorm = options.clipNorm;
    if (clipNorm !== undefined && (!(clipNorm > 0) || !Number.isFinite(clipNorm))) {
      throw new RangeError(`Invalid clip norm: expected a positive number, got ${clipNorm}`);
    }
    this.clipNorm = clipNorm;
    this.scheduler = options.schedule === undefined ? undefined : new Scheduler(options.schedule, {
      learningRate: this.optimizer.learningRate,
      epochs: options.epochs ?? 1,
    });
    this.#externalMonitor = options.externalMonitor ?? false;
    if (this.scheduler !== undefined) this.optimizer.learningRate = this.scheduler.rateFor(1);
    // masks from their own stream, derived from the seed, so that dropout does not change the shuffling
    this.#dropout = network.dropout.some((rate) => rate > 0)
      ? new DropoutRng(this.#seed + 0x5eed)
      : undefined;
  }

  /** A short name of the schedule for headers and logs (`cosine warm-up 2`), or undefined without one. */
  get scheduleName(): string | undefined {
    return this.scheduler === undefined ? undefined : describeSchedule(this.scheduler.schedule);
  }

  /**
   * Gives the plateau schedule the monitored loss of the epoch just finished (with `externalMonitor`); the next
   * epoch's rate follows from it. Other schedules ignore it.
   */
  observe(loss: number): void {
    this.scheduler?.observe(loss);
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The current learning rate (may be changed between epochs or batches). */
  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  /** Setting it with a schedule scales the schedule's later rates by the same ratio (see `Scheduler`). */
  set learningRate(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`Invalid learning rate: expected a positive number, got ${value}`);
    }
    this.optimizer.learningRate = value;
    this.scheduler?.override(value, this.#epoch + 1);
  }

  /**
   * Starts over: the network's initial weights again, a fresh optimizer state, the first shuffle order, the
   * first dropout masks and the options' learning rate (the schedule's first rate, with a schedule): a rate set
   * since, by hand or by a loaded state, is dropped.
   */
  restart(): void {
    this.network.reinitialize();
    this.optimizer.reset();
    this.#rng = new Rng(this.#seed);
    for (let i = 0; i < this.#order.length; i++) this.#order[i] = i;
    this.#epoch = 0;
    this.#dropout?.reset();
    this.optimizer.learningRate = this.#initialRate;
    if (this.scheduler !== undefined) {
      this.scheduler.reset();
      this.optimizer.learningRate = this.scheduler.rateFor(1);
    }
  }

  /**
   * Copies the state after the last completed epoch (call it between epochs) into `into`'s arrays when they fit,
   * else into new ones.
   */
  saveState(into?: FitState): FitState {
    const optimizer = this.optimizer;
    if (optimizer.saveState === undefined) {
      throw new TypeError(
        `Cannot save the training state: optimizer ${optimizer.name} cannot save its state`,
      );
    }
    const parameters = this.network.parameters;
    const fits = into !== undefined && into.parameters.length === parameters.length &&
      into.parameters.every((p, i) => p.length === parameters[i].value.length) &&
      into.order.length === this.#order.length;
    const state: FitState = {
      epoch: this.#epoch,
      learningRate: optimizer.learningRate,
      parameters: fits ? into.parameters : parameters.map((p) => new Float64Array(p.value.length)),
      optimizer: optimizer.saveState(parameters, into?.optimizer),
      shuffle: this.#rng.getState(),
      order: fits ? into.order : new Uint32Array(this.#order.length),
    };
    parameters.forEach((p, i) => state.parameters[i].set(p.value));
    state.order.set(this.#order);
    if (this.#dropout !== undefined) state.dropout = [...this.#dropout.state];
    if (this.scheduler !== undefined) state.scheduler = this.scheduler.saveState();
    return state;
  }

  /**
   * Continues from a state given by `saveState` for the same network, data size and options: the next epoch is
   * `state.epoch + 1`. A `RangeError` says what does not fit.
   */
  loadState(state: FitState): void {
    const optimizer = this.optimizer, parameters = this.network.parameters;
    if (optimizer.loadState === undefined) {
      throw new TypeError(`Cannot load the training state: optimizer ${optimizer.name} cannot load a state`);
    }
    if (
      state.parameters.length !== parameters.length ||
      state.parameters.some((p, i) => p.length !== parameters[i].value.length)
    ) {
      throw new RangeError("Cannot load the training state: its parameters do not fit the network");
    }
    if (state.order.length !== this.#order.length) {
      throw new RangeError(
        `Cannot load the training state: it orders ${state.order.length} samples, the data has ${this.#order.length}`,
      );
    }
    if ((state.dropout !== undefined) !== (this.#dropout !== undefined)) {
      throw new RangeError(
        "Cannot load the training state: dropout is used in only one of the state and the network",
      );
    }
    if ((state.scheduler !== undefined) !== (this.scheduler !== undefined)) {
      throw new RangeError(
        "Cannot load the training state: a schedule is used in only one of the state and the run",
      );
    }
    optimizer.loadState(parameters, state.optimizer, this.network.backend);
    parameters.forEach((p, i) => p.value.set(state.parameters[i]));
    this.#rng.setState(state.shuffle);
    this.#order.set(state.order);
    if (this.#dropout !== undefined && state.dropout !== undefined) this.#dropout.state.set(state.dropout);
    if (this.scheduler !== undefined && state.scheduler !== undefined) {
      this.scheduler.loadState(state.scheduler);
    }
    this.#epoch = state.epoch;
    optimizer.learningRate = state.learningRate;
  }

  #targetBuffer(rows: number): AnyMatrix {
    const last = this.#targetLast;
    if (last !== undefined && last.rows === rows) return last;
    if (this.#targetFull === undefined || this.#targetFull.rows < rows) {
      this.#targetFull = this.network.backend.allocate(rows, this.source.targetSize);
      this.#targets = [];
    }
    const cols = this.source.targetSize;
    let result = this.#targets[rows];
    if (result === undefined) {
      result = new Matrix(rows, cols, this.#targetFull.data.subarray(0, rows * cols));
      this.#targets[rows] = result;
    }
    this.#targetLast = result;
    return result;
  }

  /**
   * Trains on the batch starting at position `start` of the order; adds its loss · rows and rows to the
   * epoch's sums and keeps its mean loss in `#sums[LAST_LOSS]` (a typed array, so no number is boxed).
   */
  #trainBatchAt(start: number): void {
    const rows = Math.min(this.batchSize, this.source.size - start);
    const x = this.network.inputBuffer(rows);
    const y = this.#targetBuffer(rows);
    this.source.gather(x, y, this.#order, start);
    const network = this.network;
    // forward (through dropout masks), backward, clip, update; the output buffer still holds the predictions
    // made before the update
    const output = network.forwardBatch(x, this.#dropout);
    network.backpropagate(x, y, this.loss);
    if (this.trackAccuracy) this.#correct += countCorrect(output, y);
    if (this.clipNorm !== undefined && clipGradientNorm(network.parameters, this.clipNorm) > this.clipNorm) {
      this.#clipped++;
    }
    this.optimizer.step(network.parameters, network.backend);
    // Read after the calls, so that no float is held across one (which a mid-tier compilation boxes).
    const sums = this.#sums, loss = network.lastLoss[0];
    sums[LOSS_SUM] += loss * rows;
    sums[LAST_LOSS] = loss;
    this.#samples += rows;
  }

  #beginEpoch(): void {
    if (this.scheduler !== undefined) this.optimizer.learningRate = this.scheduler.rateFor(this.#epoch + 1);
    this.#clipped = 0;
    this.#correct = 0;
    this.#sums.fill(0);
    this.#samples = 0;
    if (this.shuffle) this.#rng.shuffle(this.#order);
  }

  #finishEpoch(finite: boolean, started: number): EpochRecord {
    this.#epoch++;
    const samples = this.#samples;
    const lossSum = finite ? this.#sums[LOSS_SUM] : NaN;
    const record: EpochRecord = {
      epoch: this.#epoch,
      loss: samples > 0 ? lossSum / samples : NaN,
      learningRate: this.optimizer.learningRate,
      samples,
      seconds: (performance.now() - started) / 1000,
      accuracy: this.trackAccuracy && samples > 0 ? this.#correct / samples : undefined,
    };
    if (this.clipNorm !== undefined) record.clippedBatches = this.#clipped;
    if (!this.#externalMonitor) this.scheduler?.observe(record.loss);
    return record;
  }

  /** Batches in one epoch (the last may be smaller). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.source.size / this.batchSize);
  }

  /** Batches of the epoch begun with {@linkcode FitSession.beginEpoch} trained so far. */
  get batchesDone(): number {
    return Math.ceil(this.#next / this.batchSize);
  }

  /** Whether the epoch begun with {@linkcode FitSession.beginEpoch} has no batch left (or its loss diverged). */
  get epochDone(): boolean {
    return this.#next >= this.source.size || !this.#finite;
  }

  /**
   * Begins an epoch one batch at a time, for a caller that steers between batches (the trainer pauses, quits
   * and changes the rate there): `beginEpoch()`, then `trainNextBatch()` until `epochDone`, then `finishEpoch()`.
   */
  beginEpoch(): void {
    this.#started = performance.now();
    this.#beginEpoch();
    this.#next = 0;
    this.#finite = true;
  }

  /** Trains the next batch of the epoch begun with `beginEpoch()`; returns false once the loss is not finite. */
  trainNextBatch(): boolean {
    this.#trainBatchAt(this.#next);
    this.#next += this.batchSize;
    if (!Number.isFinite(this.#sums[LAST_LOSS])) this.#finite = false;
    return this.#finite;
  }

  /**
   * Ends the epoch begun with `beginEpoch()` (whole, or cut short: `samples` says how much ran) and returns its
   * record; the loss is NaN when it diverged.
   */
  finishEpoch(): EpochRecord {
    return this.#finishEpoch(this.#finite, this.#started);
  }

  /** Runs one epoch without yielding (fastest; for scripts and tests). Stops at the first non-finite loss. */
  runEpochSync(): EpochRecord {
    const started = performance.now();
    this.#beginEpoch();
    for (let start = 0; start < this.source.size; start += this.batchSize) {
      this.#trainBatchAt(start);
      if (!Number.isFinite(this.#sums[LAST_LOSS])) return this.#finishEpoch(false, started);
    }
    return this.#finishEpoch(true, started);
  }
}

// Slots of FitSession's #sums.
const LOSS_SUM = 0, LAST_LOSS = 1;
