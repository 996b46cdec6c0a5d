// Network: a stack of Dense layers with forward propagation, backpropagation by the chain rule, and training.

import { type ActivationName, getActivation } from "../math/activations.ts";
import type { Backend } from "../math/backend.ts";
import { type BackendKind, defaultBackend } from "../math/create_backend.ts";
import { INIT_NAMES, initializeWeights, type InitName } from "../math/initializers.ts";
import { getLoss, type Loss, type LossName } from "../math/losses.ts";
import {
  type AnyMatrix,
  type DType,
  DTYPES,
  Matrix,
  type MatrixLike,
  toFloat64,
  toMatrix,
} from "../math/matrix.ts";
import { Rng } from "../math/random.ts";
import { Dense } from "./dense.ts";
import { Dropout, type DropoutRng } from "./dropout.ts";
import {
  type BatchSource,
  type EpochRecord,
  type EvaluateResult,
  evaluateSource,
  isClassifier,
} from "./fit.ts";
import {
  checkFitOptions,
  checkSourceFinite,
  checkSourceShape,
  type DescribedSource,
  type FitInput,
  type InputPreprocessing,
  isBatchSource,
  lossFor,
  type NetworkFitOptions,
  runFit,
  samplesSource,
  toTypedMatrix,
  type TypedMatrix,
} from "./fit_loop.ts";
import type { Optimizer, Parameter } from "./optimizers.ts";
import { type ModelJson, networkFromJson, networkToJson } from "./serialize.ts";

/** One layer of a network: how many units and which activation. */
export interface LayerSpec {
  /** Number of neurons. */
  units: number;
  /** Activation; defaults to the network's `activation` (hidden) or `outputActivation` (last layer). */
  activation?: ActivationName;
}

/** How to build a `Network`: the tutorial's form (`input`, `hidden`, `output`) or a list of `layers`. */
export interface NetworkOptions {
  /** Number of input features. */
  input: number;
  /** Hidden layer sizes, e.g. `[3, 3]`, or specs with their own activations. */
  hidden?: readonly (number | LayerSpec)[];
  /** Number of output units (with `hidden`). */
  output?: number;
  /** Every layer, the output layer last (instead of `hidden` and `output`). */
  layers?: readonly LayerSpec[];
  /** Activation of hidden layers (default `"sigmoid"`, as in the tutorial). */
  activation?: ActivationName;
  /** Activation of the output layer (default: the same as `activation`). */
  outputActivation?: ActivationName;
  /** Weight initialiser (default `"xavier"`); biases start at zero. */
  init?: InitName;
  /** Seed of the initial weights (default 42): the same seed gives bit-identical weights. */
  seed?: number;
  /**
   * Where the matrices live and which kernels multiply them: a `Backend`, or which default backend to use —
   * `"auto"` (the default: WebAssembly SIMD when the runtime has it, else the plain TypeScript kernels;
   * `TERMNET_BACKEND=js` forces the plain ones), `"js"` or `"wasm"` (see `defaultBackend`).
   */
  backend?: Backend | BackendKind;
  /**
   * Threads computing each large matrix product, the calling thread included (default 1). More than one
   * uses Worker threads, which stop by themselves after half a second without work (`dispose()` stops them
   * at once). Only with a default backend: a `Backend` object brings its own threads.
   */
  threads?: number;
  /**
   * Inverted dropout after the hidden layers during training (`fit`, the trainer): one rate p in [0, 1) for
   * every hidden layer or one per hidden layer (default 0, none). Off in `predict`, `forward`, `gradients` and
   * exports; saved in model files.
   */
  dropout?: number | readonly number[];
  /**
   * The element type of parameters, activations and gradients: `"float64"` (the default and the reference)
   * or `"float32"` (half the memory, twice the SIMD lanes; products accumulate in float32). Inputs and
   * outputs of `predict`, `forward` and `gradients` stay float64 Matrices either way. With a `Backend`
   * object, its dtype must match (or leave this out to take the backend's).
   */
  dtype?: DType;
}

/** The dtype `options` ask for, checked against a backend object's own. */
function resolveDtype(options: { dtype?: DType; backend?: Backend | BackendKind }): DType {
  const dtype = options.dtype;
  if (dtype !== undefined && !DTYPES.includes(dtype)) {
    throw new RangeError(
      `Invalid network: dtype must be one of ${DTYPES.map((d) => `"${d}"`).join(", ")}, got ${
        JSON.stringify(dtype)
      }`,
    );
  }
  const backend = options.backend;
  if (typeof backend === "object" && backend !== null) {
    const own = backend.dtype ?? "float64";
    if (dtype !== undefined && dtype !== own) {
      throw new TypeError(`Invalid network: dtype "${dtype}" differs from the backend's "${own}"`);
    }
    return own;
  }
  return dtype ?? "float64";
}

/** The per-hidden-layer dropout rates `dropout` asks for (checked), given `hidden` hidden layers. */
function resolveDropout(dropout: number | readonly number[] | undefined, hidden: number): number[] {
  if (dropout === undefined) return new Array(hidden).fill(0);
  if (!Array.isArray(dropout) && typeof dropout !== "number") {
    throw new TypeError(
      "Invalid network: dropout must be a number or a list of numbers, one per hidden layer",
    );
  }
  const rates: unknown[] = typeof dropout === "number" ? new Array(hidden).fill(dropout) : [...dropout];
  if (rates.length !== hidden) {
    throw new RangeError(
      `Invalid network: dropout lists ${rates.length} rates for ${hidden} hidden layers (give one per hidden layer)`,
    );
  }
  rates.forEach((rate, i) => {
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
      throw new RangeError(
        `Invalid network: dropout[${i}] must be a number from 0 up to (not including) 1, got ${
          JSON.stringify(rate)
        }`,
      );
    }
  });
  return rates as number[];
}

/**
 * The backend `options` ask for: the given object, or the default backend of that kind and thread count for
 * a network whose largest layer has `largestLayerWeights` weights.
 */
function resolveBackend(
  options: { backend?: Backend | BackendKind; threads?: number },
  largestLayerWeights: number,
  dtype: DType,
): Backend {
  const backend = options.backend;
  if (typeof backend === "object" && backend !== null) {
    if (options.threads !== undefined) {
      throw new TypeError("Invalid network: give threads or a backend object, not both (it has its threads)");
    }
    return backend;
  }
  return defaultBackend({ kind: backend, threads: options.threads, largestLayerWeights, dtype });
}

/** What `forward` exposes: each layer's z and a (copies), and the output. */
export interface ForwardResult {
  /** z = a_prev · Wᵀ + b of every layer, first hidden layer first   (batch, units). */
  z: Matrix[];
  /** a = f(z) of every layer   (batch, units). */
  a: Matrix[];
  /** The network's output, equal to the last `a`. */
  output: Matrix;
}

/** The gradients of the mean loss, with the same shapes as the parameters. */
export interface Gradients {
  /** The mean loss over the batch. */
  loss: number;
  /** ∂L/∂W per layer   (units, inputs). */
  weights: Matrix[];
  /** ∂L/∂b per layer   (units). */
  biases: Float64Array[];
}

/** What `classify` says about one sample. */
export interface ClassifyResult {
  /** The class index: the largest output, or for one sigmoid output 1 when it is at least 0.5. */
  index: number;
  /** The class's name, when the network carries `classNames`. */
  name?: string;
  /** The output for that class (for one sigmoid output: p for class 1, 1 − p for class 0). */
  probability: number;
}

/** Whether `x` is one sample (a flat array of numbers or a typed array) rather than a batch. */
function isOneSample(x: unknown): x is readonly number[] | Float64Array | Float32Array {
  if (x instanceof Float64Array || x instanceof Float32Array) return true;
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === "number");
}

/** Rows per chunk when `predict` runs over a large batch, bounding the buffers it needs. */
const PREDICT_CHUNK_ROWS = 256;

function checkPositiveInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`Invalid network: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Resolves the two option forms into the list of layers, checking sizes and names. */
function resolveLayers(options: NetworkOptions): { units: number; activation: ActivationName }[] {
  const hiddenActivation = options.activation ?? "sigmoid";
  const outputActivation = options.outputActivation ?? hiddenActivation;
  let specs: LayerSpec[];
  if (options.layers !== undefined) {
    if (options.hidden !== undefined || options.output !== undefined) {
      throw new TypeError("Invalid network: give either layers or hidden and output, not both");
    }
    specs = [...options.layers];
  } else {
    if (options.output === undefined) throw new TypeError("Invalid network: output size is missing");
    const hidden = (options.hidden ?? []).map((h) => typeof h === "number" ? { units: h } : h);
    specs = [...hidden, { units: options.output, activation: outputActivation }];
  }
  if (specs.length === 0) throw new RangeError("Invalid network: it needs at least one layer");
  return specs.map((spec, i) => {
    const last = i === specs.length - 1;
    const units = checkPositiveInteger(spec?.units, `layers[${i}].units`);
    const activation = spec.activation ?? (last ? outputActivation : hiddenActivation);
    getActivation(activation);
    if (activation === "softmax" && !last) {
      throw new RangeError(`Invalid network: layers[${i}]: softmax is for the output layer only`);
    }
    if (activation === "softmax" && units < 2) {
      throw new RangeError(`Invalid network: layers[${i}]: softmax needs at least 2 units, got ${units}`);
    }
    return { units, activation };
  });
}

/**
 * A feed-forward neural network of dense layers, trained by backpropagation.
 *
 * @example
 * ```ts
 * import { Network } from "./network.ts";
 * const net = new Network({ input: 2, hidden: [3, 3], output: 1, seed: 1 });
 * const y = net.predict([[0, 1]]);
 * console.assert(y.rows === 1 && y.cols === 1);
 * ```
 */
export class Network {
  /** Number of input features. */
  readonly input: number;
  /** The layers, first hidden layer first, output layer last. */
  readonly layers: readonly Dense[];
  /** The weight initialiser. */
  readonly init: InitName;
  /** The seed the weights were drawn from. */
  readonly seed: number;
  /** The backend whose memory and kernels the network uses. */
  readonly backend: Backend;
  /** The element type of its parameters, activations and gradients. */
  readonly dtype: DType;
  #parameters: Parameter[];
  // Views of #inputFull by rows, and the one used last (fields, not a Map: no allocation per step).
  #inputViews: (AnyMatrix | undefined)[] = [];
  #inputLast: AnyMatrix | undefined;
  /**
   * `[L]`: the mean loss of the batch of the last `backpropagate` (or `backwardBatch`, `trainBatch`), in a typed
   * array so that neither storing nor reading it boxes a number.
   */
  readonly lastLoss: Float64Array = new Float64Array(1);
  #inputFull: AnyMatrix | undefined;
  #ownsBackend: boolean;
  /** The dropout rate after each hidden layer (0: none), one per hidden layer. */
  readonly dropout: readonly number[];
  // Dropout after layer l (undefined: none), and whether the last forward pass applied masks.
  #dropouts: (Dropout | undefined)[];
  #masked = false;
  #lastLoss: LossName | undefined;
  /**
   * The per-column scaling of raw inputs, x = (raw − shift) · factor, when the network carries one (set by
   * `fit` on a `Dataset` and by `loadNetwork`): `predict`, `classify` and `evaluate` apply it to the samples
   * they are given, and `saveModel` writes it. Undefined: inputs are used as they are.
   */
  preprocessing: InputPreprocessing | undefined;
  /** Class names of a classifier, in output order (set like `preprocessing`); `classify` reports them. */
  classNames: readonly string[] | undefined;

  /** Builds the network and draws its initial weights from `seed`. */
  constructor(options: NetworkOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Invalid network: options missing");
    }
    this.input = checkPositiveInteger(options.input, "input");
    this.init = options.init ?? "xavier";
    if (!INIT_NAMES.includes(this.init)) {
      throw new RangeError(
        `Invalid network: unknown init "${this.init}": expected one of ${INIT_NAMES.join(", ")}`,
      );
    }
    this.seed = options.seed ?? 42;
    const specs = resolveLayers(options);
    let largest = 0;
    specs.forEach((spec, i) => {
      largest = Math.max(largest, spec.units * (i === 0 ? this.input : specs[i - 1].units));
    });
    this.dtype = resolveDtype(options);
    this.backend = resolveBackend(options, largest, this.dtype);
    this.#ownsBackend = typeof options.backend !== "object" || options.backend === null;
    let inputs = this.input;
    this.layers = specs.map((spec) => {
      const layer = new Dense({
        inputs,
        units: spec.units,
        activation: getActivation(spec.activation),
        backend: this.backend,
      });
      inputs = spec.units;
      return layer;
    });
    this.dropout = Object.freeze(resolveDropout(options.dropout, specs.length - 1));
    this.#dropouts = this.layers.map((layer, l) =>
      l < this.dropout.length && this.dropout[l] > 0
        ? new Dropout({ rate: this.dropout[l], units: layer.units, backend: this.backend })
        : undefined
    );
    this.#parameters = this.layers.flatMap((layer) => [
      { value: layer.weights.data, gradient: layer.dW.data, decay: true },
      { value: layer.biases, gradient: layer.dB, decay: false },
    ]);
    this.reinitialize();
  }

  /** Number of output units. */
  get output(): number {
    return this.layers[this.layers.length - 1].units;
  }

  /** Total number of trainable parameters. */
  get parameterCount(): number {
    return this.layers.reduce((sum, layer) => sum + layer.parameterCount, 0);
  }

  /** Every weight and bias array with its gradient, for optimizers (the same objects on every call). */
  get parameters(): readonly Parameter[] {
    return this.#parameters;
  }

  /** Draws the initial weights again from the network's seed (the same weights as after construction). */
  reinitialize(): void {
    const rng = new Rng(this.seed);
    for (const layer of this.layers) {
      initializeWeights(layer.weights.data, {
        init: this.init,
        inputs: layer.inputs,
        units: layer.units,
        rng,
      });
      layer.biases.fill(0);
    }
  }

  /** Checks that `x` is a batch of this network's inputs and returns it as a Matrix. */
  #checkInput(x: MatrixLike, what = "input"): Matrix {
    const matrix = toMatrix(x);
    if (matrix.cols !== this.input) {
      throw new TypeError(
        `Invalid ${what}: the network takes ${this.input} features per row, got ${matrix.rows}×${matrix.cols}`,
      );
    }
    return matrix;
  }

  #checkTarget(y: MatrixLike, rows: number): Matrix {
    const matrix = toMatrix(y);
    if (matrix.cols !== this.output || matrix.rows !== rows) {
      throw new TypeError(
        `Invalid target: expected ${rows}×${this.output} (one row per input row), got ${matrix.rows}×${matrix.cols}`,
      );
    }
    return matrix;
  }

  /** A buffer in the backend's memory for `rows` input rows (views of one allocation, one per size). */
  inputBuffer(rows: number): AnyMatrix {
    const last = this.#inputLast;
    if (last !== undefined && last.rows === rows) return last;
    if (this.#inputFull === undefined || this.#inputFull.rows < rows) {
      this.#inputFull = this.backend.allocate(rows, this.input);
      this.#inputViews = [];
    }
    let view = this.#inputViews[rows];
    if (view === undefined) {
      view = new Matrix(rows, this.input, this.#inputFull.data.subarray(0, rows * this.input));
      this.#inputViews[rows] = view;
    }
    this.#inputLast = view;
    return view;
  }

  /**
   * Forward propagation through every layer for a batch already in the right shape; returns the output buffer
   * (batch, outputs), which the next call with the same batch size overwrites. Hot path: no checks, no allocation.
   * Given `dropout` (training), the hidden layers with a dropout rate pass a ⊙ m on, with masks m drawn from it,
   * and the next `backpropagate` goes back through the same masks.
   */
  forwardBatch(x: AnyMatrix, dropout?: DropoutRng): AnyMatrix {
    const layers = this.layers, dropouts = this.#dropouts;
    let a = x;
    this.#masked = false;
    for (let l = 0; l < layers.length; l++) {
      a = layers[l].forward(a);
      const mask = dropouts[l];
      if (dropout !== undefined && mask !== undefined) {
        // a ← a ⊙ m, with m = 0 or 1/q per unit   (batch, units)
        a = mask.forward(a, dropout);
        this.#masked = true;
      }
    }
    return a;
  }

  /**
   * Backpropagation by the chain rule for the batch of the last `forwardBatch`: fills every layer's dW and dB with
   * the gradients of the mean loss and returns that loss. Hot path: no checks, no allocation.
   */
  backwardBatch(x: AnyMatrix, y: AnyMatrix, loss: Loss): number {
    this.backpropagate(x, y, loss);
    return this.lastLoss[0];
  }

  /**
   * `backwardBatch` without the return value: the loss goes to `lastLoss[0]`, so that a training loop that
   * is not inlined with this method gets no boxed number per step.
   */
  backpropagate(x: AnyMatrix, y: AnyMatrix, loss: Loss): void {
    const layers = this.layers, last = layers.length - 1, rows = x.rows;
    const output = layers[last].buffers(rows);
    this.lastLoss[0] = loss.value(output.a, y);
    // Output layer: dZ = ∂L/∂z directly when the loss cancels with the activation, else dA = ∂L/∂a then dZ.
    if (loss.fusedGradient !== undefined && loss.fusedActivation === layers[last].activation.name) {
      loss.fusedGradient(output.dZ, output.a, y);
    } else {
      loss.gradient(output.dA, output.a, y);
      layers[last].activationBackward(rows);
    }
    const dropouts = this.#dropouts, masked = this.#masked;
    for (let l = last; l > 0; l--) {
      const below = layers[l - 1].buffers(rows);
      const mask = masked ? dropouts[l - 1] : undefined;
      // dW, dB of this layer, and dA of the layer below (its input was a ⊙ m under dropout)
      layers[l].backward(mask === undefined ? below.a : mask.output(rows), below.dA);
      // under dropout, ∂L/∂a = ∂L/∂(a ⊙ m) ⊙ m
      if (mask !== undefined) mask.backward(below.dA);
      // dZ of the layer below = dA ⊙ f'(z)
      layers[l - 1].activationBackward(rows);
    }
    // the first layer: dW, dB; no dA for the input
    layers[0].backward(x, undefined);
  }

  /** One training step on a batch: forward, backward, and an optimizer update. Returns the batch's mean loss. */
  trainBatch(x: AnyMatrix, y: AnyMatrix, loss: Loss, optimizer: Optimizer): number {
    this.forwardBatch(x);
    const value = this.backwardBatch(x, y, loss);
    optimizer.step(this.#parameters, this.backend);
    return value;
  }

  /**
   * Raw samples as network inputs: a Matrix (a copy with `preprocessing` applied, when the network carries one).
   */
  #prepared(x: FitInput, what = "input", p = this.preprocessing): Matrix {
    const typed = toTypedMatrix(x, what);
    if (typed.cols !== this.input) {
      throw new TypeError(
        `Invalid ${what}: the network takes ${this.input} features per row, got ${typed.rows}×${typed.cols}`,
      );
    }
    if (p === undefined) {
      return typed instanceof Matrix && typed.data instanceof Float64Array
        ? typed
        : new Matrix(typed.rows, typed.cols, Float64Array.from(typed.data));
    }
    const out = new Matrix(typed.rows, typed.cols), n = typed.cols;
    for (let i = 0; i < out.data.length; i++) {
      const j = i % n;
      out.data[i] = (typed.data[i] - p.shift[j]) * p.factor[j];
    }
    return out;
  }

  /** Samples as given, or preprocessed when the network carries a preprocessing (then checked for shape). */
  #raw(x: FitInput): FitInput {
    return this.preprocessing === undefined ? x : this.#prepared(x, "training input");
  }

  /**
   * The network's output: for one sample (`number[]` or a typed array) its output row as `number[]`; for a batch
   * (one sample per row: a Matrix, nested arrays or `{ data, rows, cols }`) a new Matrix, computed in chunks.
   * A network that carries `preprocessing` applies it first, so raw inputs go in.
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const net = new Network({ input: 2, output: 2, outputActivation: "softmax" });
   * const p = net.predict([[1, 2], [3, 4]]);
   * console.assert(Math.abs(p.get(0, 0) + p.get(0, 1) - 1) < 1e-12);
   * const one = net.predict([1, 2]); // one sample in, one row out
   * console.assert(one.length === 2 && one[0] === p.get(0, 0));
   * ```
   */
  predict(x: readonly number[] | Float64Array | Float32Array): number[];
  /** The outputs for a batch of samples, one row each, as a new Matrix. */
  predict(x: FitInput): Matrix;
  predict(x: FitInput | readonly number[] | Float64Array | Float32Array): number[] | Matrix {
    if (isOneSample(x)) {
      return Array.from(this.predict({ rows: 1, cols: x.length, data: Float64Array.from(x) }).data);
    }
    const input = this.#prepared(x as FitInput);
    const out = new Matrix(input.rows, this.output);
    for (let start = 0; start < input.rows; start += PREDICT_CHUNK_ROWS) {
      const rows = Math.min(PREDICT_CHUNK_ROWS, input.rows - start);
      const chunk = this.inputBuffer(rows);
      chunk.data.set(input.data.subarray(start * this.input, (start + rows) * this.input));
      out.data.set(this.forwardBatch(chunk).data, start * this.output);
    }
    return out;
  }

  /**
   * The class of each sample for a classifier: the output's largest column (or, for one output, 1 when it is at
   * least 0.5), its name when the network carries `classNames`, and its probability. One sample gives one
   * answer, a batch an array.
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const net = new Network({ input: 2, output: 3, outputActivation: "softmax" });
   * net.classNames = ["cat", "dog", "eel"];
   * const answer = net.classify([0.5, -1]);
   * console.assert(answer.name === net.classNames[answer.index]);
   * console.assert(answer.probability === Math.max(...net.predict([0.5, -1])));
   * ```
   */
  classify(x: readonly number[] | Float64Array | Float32Array): ClassifyResult;
  /** The class of every sample of a batch. */
  classify(x: FitInput): ClassifyResult[];
  classify(x: FitInput | readonly number[] | Float64Array | Float32Array): ClassifyResult | ClassifyResult[] {
    if (!isClassifier(this)) {
      const last = this.layers[this.layers.length - 1];
      throw new TypeError(
        `Cannot classify: the network is not a classifier (it ends in ${last.units} ${last.activation.name} units; expected softmax or one sigmoid unit)`,
      );
    }
    if (isOneSample(x)) return this.classify({ rows: 1, cols: x.length, data: Float64Array.from(x) })[0];
    const out = this.predict(x as FitInput), n = out.cols, results: ClassifyResult[] = [];
    for (let r = 0; r < out.rows; r++) {
      let index = 0, probability: number;
      if (n === 1) {
        const p = out.data[r];
        index = p >= 0.5 ? 1 : 0;
        probability = index === 1 ? p : 1 - p;
      } else {
        for (let j = 1; j < n; j++) if (out.data[r * n + j] > out.data[r * n + index]) index = j;
        probability = out.data[r * n + index];
      }
      const name = this.classNames?.[index];
      results.push(name === undefined ? { index, probability } : { index, name, probability });
    }
    return results;
  }

  /**
   * The mean loss (and, for a classifier, the accuracy) of the network on samples `x` with targets `y`, or on
   * every sample of a batch source such as a `Dataset` (`net.evaluate(dataset)`). The loss is `options.loss`,
   * else the last `fit`'s, else the default for the output activation.
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const net = new Network({ input: 2, output: 1, seed: 1 });
   * const { loss, accuracy } = net.evaluate([[0, 0], [1, 1]], [[0], [1]]);
   * console.assert(loss > 0 && accuracy !== undefined);
   * ```
   */
  evaluate(source: BatchSource, options?: { loss?: LossName }): EvaluateResult;
  /** The loss (and accuracy) on samples `x` with targets `y`. */
  evaluate(x: FitInput, y: FitInput, options?: { loss?: LossName }): EvaluateResult;
  evaluate(
    x: FitInput | BatchSource,
    y?: FitInput | { loss?: LossName },
    options?: { loss?: LossName },
  ): EvaluateResult {
    const fromSource = isBatchSource(x);
    if (fromSource && y !== undefined) {
      if (Array.isArray(y) || y instanceof Matrix || ArrayBuffer.isView((y as TypedMatrix).data)) {
        throw new TypeError(
          "Invalid evaluate: a batch source such as a Dataset carries its targets (call evaluate(dataset, options))",
        );
      }
      options = y as { loss?: LossName };
    }
    options ??= {};
    for (const key of Object.keys(options)) {
      if (key !== "loss") {
        throw new TypeError(`Invalid evaluate options: unknown option "${key}" (expected loss)`);
      }
    }
    const loss = lossFor(this, options.loss ?? this.#lastLoss);
    if (fromSource) return evaluateSource(this, x, loss);
    if (y === undefined) throw new TypeError("Invalid evaluate: the targets are missing");
    return evaluateSource(this, samplesSource(this, this.#prepared(x), y as FitInput, "evaluation"), loss);
  }

  /** Forward propagation that exposes every layer's z and a (copies, safe to keep). */
  forward(x: MatrixLike): ForwardResult {
    const input = this.#checkInput(x);
    const batch = this.inputBuffer(input.rows);
    batch.data.set(input.data);
    this.forwardBatch(batch);
    const z = this.layers.map((layer) => toFloat64(layer.buffers(input.rows).z));
    const a = this.layers.map((layer) => toFloat64(layer.buffers(input.rows).a));
    return { z, a, output: a[a.length - 1] };
  }

  /**
   * The gradients of the mean loss over the batch (x, y) with respect to every weight and bias (copies).
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const net = new Network({ input: 2, hidden: [3], output: 1 });
   * const g = net.gradients([[0, 1]], [[1]], "mse");
   * console.assert(g.weights[0].rows === 3 && g.weights[0].cols === 2);
   * ```
   */
  gradients(x: MatrixLike, y: MatrixLike, loss: LossName | Loss): Gradients {
    const input = this.#checkInput(x);
    const target = this.#checkTarget(y, input.rows);
    const lossFunction = typeof loss === "string" ? getLoss(loss) : loss;
    const batch = this.inputBuffer(input.rows);
    batch.data.set(input.data);
    this.forwardBatch(batch);
    const value = this.backwardBatch(batch, target, lossFunction);
    return {
      loss: value,
      weights: this.layers.map((layer) => toFloat64(layer.dW)),
      biases: this.layers.map((layer) => Float64Array.from(layer.dB)),
    };
  }

  /** The mean loss of the network's predictions on (x, y). */
  evaluateLoss(x: MatrixLike, y: MatrixLike, loss: LossName | Loss): number {
    const input = this.#checkInput(x);
    const target = this.#checkTarget(y, input.rows);
    const lossFunction = typeof loss === "string" ? getLoss(loss) : loss;
    return lossFunction.value(this.predict(input), target);
  }

  /**
   * Trains the network with shuffled mini-batches and resolves to the per-epoch history: on samples
   * `fit(x, y, options)` (Matrix, nested arrays or `{ data, rows, cols }` typed arrays, uint8 converted per
   * batch), or on a batch source `fit(dataset, options)` such as a `Dataset`, whose preprocessing and class names
   * the network then keeps. Options (see `NetworkFitOptions`): validation data or split, early stopping, async
   * callbacks, checkpoints, schedules; options that do not apply are errors. Inputs and targets with a NaN or
   * infinity are refused up front; a non-finite loss restores the last good weights and throws
   * `TrainingDivergedError`. A later `fit` with the same optimizer settings goes on with the optimizer's state.
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const net = new Network({ input: 2, hidden: [3], output: 1, seed: 3 });
   * const history = await net.fit([[0, 0], [1, 1]], [[0], [1]], { epochs: 5, learningRate: 0.5 });
   * console.assert(history.length === 5);
   * ```
   */
  fit(data: DescribedSource, options?: NetworkFitOptions): Promise<EpochRecord[]>;
  /** Trains on samples `x` with targets `y`. */
  fit(x: FitInput, y: FitInput, options?: NetworkFitOptions): Promise<EpochRecord[]>;
  async fit(
    x: FitInput | DescribedSource,
    y?: FitInput | NetworkFitOptions,
    options?: NetworkFitOptions,
  ): Promise<EpochRecord[]> {
    const fromSource = isBatchSource(x);
    if (
      fromSource && (Array.isArray(y) || y instanceof Matrix || ArrayBuffer.isView((y as TypedMatrix)?.data))
    ) {
      throw new TypeError(
        "Invalid training data: a batch source such as a Dataset carries its targets (call fit(dataset, options))",
      );
    }
    const resolved = (fromSource ? y as NetworkFitOptions | undefined : options) ?? {};
    checkFitOptions(resolved);
    let train: BatchSource;
    if (fromSource) {
      train = x;
      checkSourceShape(this, train, "training");
      checkSourceFinite(train, "training");
    } else {
      if (y === undefined) throw new TypeError("Invalid training data: the targets are missing");
      train = samplesSource(this, this.#raw(x), y as FitInput, "training");
    }
    let validation: BatchSource | undefined;
    const given = resolved.validationData;
    if (given !== undefined) {
      if (isBatchSource(given)) {
        checkSourceShape(this, given, "validation");
        checkSourceFinite(given, "validation");
        validation = given;
      } else if (Array.isArray(given) && given.length === 2) {
        // raw inputs, as predict takes them: preprocessed as the training Dataset's (which the network keeps)
        const kept = fromSource ? (x as DescribedSource).preprocessing : undefined;
        const inputs = kept !== undefined
          ? this.#prepared(given[0], "validation input", kept)
          : this.#raw(given[0]);
        validation = samplesSource(this, inputs, given[1], "validation");
      } else {
        throw new TypeError("Invalid validationData: expected [x, y] or a batch source such as a Dataset");
      }
    }
    this.#lastLoss = resolved.loss;
    // the Dataset's preprocessing and class names go on the network once the options passed every check, before
    // the first epoch, so that checkpoints written during this fit carry them too
    const history = await runFit(this, { train, validation }, resolved, () => {
      if (!fromSource) return;
      const described = x as DescribedSource;
      if (described.preprocessing !== undefined) {
        const { kind, shift, factor } = described.preprocessing;
        this.preprocessing = { kind, shift: [...shift], factor: [...factor] };
      }
      if (described.classNames !== undefined) this.classNames = [...described.classNames];
    });
    return history;
  }

  /**
   * Stops the worker threads of the network's default backend now, instead of after half a second without
   * work; they start again if a network needs them. Optional: programs exit by themselves either way. A
   * backend object you passed in is yours to dispose; this leaves it alone.
   */
  dispose(): void {
    if (this.#ownsBackend) this.backend.dispose();
  }

  /** The network as a version-1 model file object (see `serialize.ts`). */
  toJSON(): ModelJson {
    return networkToJson(this);
  }

  /** Builds a network from a model file object, validating every field (throws `ModelFileError`). */
  static fromJSON(
    value: unknown,
    options: { file?: string; backend?: Backend | BackendKind; threads?: number } = {},
  ): Network {
    return networkFromJson(value, options);
  }

  /**
   * A table like Keras's `model.summary()`: each layer's output shape, parameter count and activation.
   *
   * @example
   * ```ts
   * import { Network } from "./network.ts";
   * const text = new Network({ input: 2, hidden: [3, 3], output: 1 }).summary();
   * console.assert(text.includes("Total params: 25"));
   * ```
   */
  summary(): string {
    const header = ["Layer", "Output shape", "Param #", "Activation"];
    const rows = [
      ["input", `(batch, ${this.input})`, "0", ""],
      ...this.layers.map((layer, i) => [
        `dense_${i + 1} (${layer.inputs}→${layer.units})`,
        `(batch, ${layer.units})`,
        layer.parameterCount.toLocaleString("en-US"),
        layer.activation.name,
      ]),
    ];
    const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c].length)));
    const format = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join("   ").trimEnd();
    const rule = "─".repeat(widths.reduce((sum, w) => sum + w, 0) + 3 * (widths.length - 1));
    return [
      rule,
      format(header),
      rule,
      ...rows.map(format),
      rule,
      `Total params: ${this.parameterCount.toLocaleString("en-US")}`,
      rule,
    ].join("\n");
  }
}
