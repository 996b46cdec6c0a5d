// Optimizers, simplest first: SGD, momentum (classical or Nesterov), Adam. Each has optional L2 weight decay.
//
// Each update below is the reference. Given a backend with `optimizerStep`, an optimizer hands it each
// parameter instead (bit-identical results, see backend.ts) and keeps its state in the backend's memory.

import type { Backend, OptimizerUpdate } from "../math/backend.ts";
import type { FloatArray } from "../math/matrix.ts";

/** One trainable array and its gradient (a layer's weights or biases). */
export interface Parameter {
  /** The values, updated in place. */
  readonly value: FloatArray;
  /** ∂L/∂value from the last backward pass. */
  readonly gradient: FloatArray;
  /** Whether L2 weight decay applies (weights yes, biases no, as in Keras's kernel_regularizer). */
  readonly decay: boolean;
}

/** The optimizer names, as written in configs. */
export type OptimizerName = "sgd" | "momentum" | "adam";

/** The optimizer names. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["sgd", "momentum", "adam"];

/** Updates parameters from their gradients; keeps whatever per-parameter state it needs. */
export interface Optimizer {
  /** Its name, e.g. `"adam"`. */
  readonly name: OptimizerName;
  /** The step size; may be changed between steps (the dashboard's `+`/`-`). */
  learningRate: number;
  /**
   * Applies one update to every parameter, through `backend`'s fast path when it has one. Allocates state on
   * the first call only.
   */
  step(parameters: readonly Parameter[], backend?: Backend): void;
  /** Forgets all state (velocities, moments, step count). */
  reset(): void;
  /**
   * Copies the state kept for `parameters` (in their order) into `into`'s buffers when they fit, else into new
   * ones: what a checkpoint needs to continue bit for bit. Optimizers without the method cannot be checkpointed.
   */
  saveState?(parameters: readonly Parameter[], into?: OptimizerState): OptimizerState;
  /** Continues from a state given by `saveState` for the same parameters; a `RangeError` when it does not fit. */
  loadState?(parameters: readonly Parameter[], state: OptimizerState, backend?: Backend): void;
}

/**
 * An optimizer's state in the order of the parameters: the step count t (Adam's bias correction; 0 for the
 * others) and its arrays, one per parameter for momentum (the velocity v), two for Adam (m, then v), none for SGD.
 */
export interface OptimizerState {
  /** Which optimizer kept it. */
  name: OptimizerName;
  /** Updates applied so far (counted by Adam only). */
  step: number;
  /** The per-parameter arrays (zeros for a parameter not yet updated). */
  buffers: Float64Array[];
}

/** Copies `sources` into `into`'s buffers when every length matches, else into new arrays. */
function copyBuffers(
  sources: readonly (FloatArray | undefined)[],
  lengths: readonly number[],
  into?: OptimizerState,
) {
  const fits = into !== undefined && into.buffers.length === lengths.length &&
    into.buffers.every((b, i) => b.length === lengths[i]);
  const buffers = fits ? into.buffers : lengths.map((n) => new Float64Array(n));
  sources.forEach((source, i) => source === undefined ? buffers[i].fill(0) : buffers[i].set(source));
  return buffers;
}

/** Checks that a loaded state belongs to `name` and has `count` arrays of the given lengths. */
function checkState(state: OptimizerState, name: OptimizerName, lengths: readonly number[]): void {
  if (state.name !== name) {
    throw new RangeError(`Cannot load the optimizer state: it was saved by ${state.name}, not ${name}`);
  }
  if (
    state.buffers.length !== lengths.length || state.buffers.some((b, i) => b.length !== lengths[i]) ||
    !Number.isSafeInteger(state.step) || state.step < 0
  ) {
    throw new RangeError(`Cannot load the optimizer state: its arrays do not fit the parameters`);
  }
}

/** Options shared by all optimizers. */
export interface OptimizerOptions {
  /** Step size η (default 0.01, Keras's SGD default; Adam's default is 0.001). */
  learningRate?: number;
  /** L2 weight decay λ: the gradient of weights gains λ·w, i.e. the loss gains (λ/2)·Σw² (default 0). */
  l2?: number;
}

/**
 * Checks an optimizer's options: no unknown keys (`lr` for `learningRate` would be ignored), L2 decay ≥ 0 and
 * finite, and each named fraction in [0, 1) (momentum, Adam's betas); returns the L2 decay (default 0).
 */
function checkOptions(
  options: OptimizerOptions,
  optimizer: string,
  known: readonly string[],
  fractions: readonly string[] = [],
): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Invalid ${optimizer} options: expected an object`);
  }
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    if (!["learningRate", "l2", ...known].includes(key)) {
      throw new TypeError(
        `Invalid ${optimizer} options: unknown option "${key}" (expected one of ${
          ["learningRate", "l2", ...known].join(", ")
        })`,
      );
    }
  }
  const values = options as Record<string, unknown>;
  for (const key of fractions) {
    const value = values[key];
    if (value !== undefined && !(typeof value === "number" && value >= 0 && value < 1)) {
      throw new RangeError(`Invalid ${key}: expected a number from 0 up to (not including) 1, got ${value}`);
    }
  }
  const l2 = options.l2 ?? 0;
  if (typeof l2 !== "number" || !(l2 >= 0) || !Number.isFinite(l2)) {
    throw new RangeError(`Invalid l2: expected a non-negative number, got ${l2}`);
  }
  return l2;
}

function checkRate(learningRate: number): number {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`Invalid learning rate: expected a positive number, got ${learningRate}`);
  }
  return learningRate;
}

/**
 * A reusable update description for `Backend.optimizerStep` (filled in per parameter). The numbers start as
 * NaN, not 0, so that V8 stores them as doubles from the start: a field that turns from small integer to
 * double later changes the object's shape and throws away the optimized training step.
 */
function newUpdate(kind: OptimizerUpdate["kind"]): OptimizerUpdate {
  const empty = new Float64Array(0);
  return {
    kind,
    value: empty,
    gradient: empty,
    first: undefined,
    second: undefined,
    learningRate: NaN,
    decay: NaN,
    momentum: NaN,
    beta1: NaN,
    oneMinusBeta1: NaN,
    beta2: NaN,
    oneMinusBeta2: NaN,
    correction1: NaN,
    correction2: NaN,
    epsilon: NaN,
  };
}

/** A zero-filled state array for `w`, in `backend`'s memory when it has an optimizer fast path. */
function newState(w: FloatArray, backend: Backend | undefined): FloatArray {
  if (backend?.optimizerStep !== undefined) return backend.allocate(1, w.length).data;
  return w instanceof Float32Array ? new Float32Array(w.length) : new Float64Array(w.length);
}

/** g + λw when decay applies, else g. */
function decayed(parameter: Parameter, l2: number, i: number): number {
  return parameter.decay && l2 !== 0
    ? parameter.gradient[i] + l2 * parameter.value[i]
    : parameter.gradient[i];
}

/**
 * Plain stochastic gradient descent: w ← w − η · g.
 *
 * @example
 * ```ts
 * import { Sgd } from "./optimizers.ts";
 * const w = new Float64Array([1]);
 * new Sgd({ learningRate: 0.5 }).step([{ value: w, gradient: new Float64Array([2]), decay: true }]);
 * console.assert(w[0] === 0);
 * ```
 */
export class Sgd implements Optimizer {
  /** Always `"sgd"`. */
  readonly name = "sgd";
  /** The step size η. */
  learningRate: number;
  /** L2 weight decay λ. */
  readonly l2: number;
  #update = newUpdate("sgd");

  /** Creates the optimizer. */
  constructor(options: OptimizerOptions = {}) {
    this.l2 = checkOptions(options, "sgd", []);
    this.learningRate = checkRate(options.learningRate ?? 0.01);
  }

  /** w ← w − η · (g + λw). */
  step(parameters: readonly Parameter[], backend?: Backend): void {
    const rate = this.learningRate, l2 = this.l2, update = this.#update;
    for (let p = 0; p < parameters.length; p++) {
      const parameter = parameters[p];
      const w = parameter.value, g = parameter.gradient;
      if (backend?.optimizerStep !== undefined) {
        update.value = w;
        update.gradient = g;
        update.learningRate = rate;
        update.decay = parameter.decay ? l2 : 0;
        if (backend.optimizerStep(update)) continue;
      }
      if (parameter.decay && l2 !== 0) {
        for (let i = 0; i < w.length; i++) w[i] -= rate * (g[i] + l2 * w[i]);
      } else {
        for (let i = 0; i < w.length; i++) w[i] -= rate * g[i];
      }
    }
  }

  /** SGD keeps no state. */
  reset(): void {}

  /** SGD keeps no state: no arrays. */
  saveState(_parameters: readonly Parameter[]): OptimizerState {
    return { name: "sgd", step: 0, buffers: [] };
  }

  /** Checks that the state is SGD's (there is nothing to load). */
  loadState(_parameters: readonly Parameter[], state: OptimizerState): void {
    checkState(state, "sgd", []);
  }
}

/** Options for `Momentum`. */
export interface MomentumOptions extends OptimizerOptions {
  /** μ, the share of the previous velocity kept (default 0.9). */
  momentum?: number;
  /** Use Nesterov's look-ahead form (default false: classical momentum). */
  nesterov?: boolean;
}

/**
 * SGD with momentum (Polyak's classical form by default): v ← μv − ηg, w ← w + v.
 * With `nesterov: true` (Sutskever et al., 2013, as in Keras): v ← μv − ηg, w ← w + μv − ηg.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Momentum } from "./optimizers.ts";
 *
 * const w = new Float64Array([1]);
 * const optimizer = new Momentum({ learningRate: 0.1, momentum: 0.5 });
 * const parameter = { value: w, gradient: new Float64Array([1]), decay: true };
 * optimizer.step([parameter]); // v = −0.1, w = 0.9
 * optimizer.step([parameter]); // v = 0.5 · −0.1 − 0.1 = −0.15, w = 0.75
 * assert.ok(Math.abs(w[0] - 0.75) < 1e-12);
 * ```
 */
export class Momentum implements Optimizer {
  /** Always `"momentum"`. */
  readonly name = "momentum";
  /** The step size η. */
  learningRate: number;
  /** μ. */
  readonly momentum: number;
  /** Whether the Nesterov form is used. */
  readonly nesterov: boolean;
  /** L2 weight decay λ. */
  readonly l2: number;
  #velocity = new Map<FloatArray, FloatArray>();
  #update: OptimizerUpdate;

  /** Creates the optimizer. */
  constructor(options: MomentumOptions = {}) {
    this.l2 = checkOptions(options, "momentum", ["momentum", "nesterov"], ["momentum"]);
    this.learningRate = checkRate(options.learningRate ?? 0.01);
    this.momentum = options.momentum ?? 0.9;
    if (options.nesterov !== undefined && typeof options.nesterov !== "boolean") {
      throw new TypeError(`Invalid nesterov: expected true or false, got ${options.nesterov}`);
    }
    this.nesterov = options.nesterov ?? false;
    this.#update = newUpdate(this.nesterov ? "nesterov" : "momentum");
  }

  /** One momentum update of every parameter. */
  step(parameters: readonly Parameter[], backend?: Backend): void {
    const rate = this.learningRate, mu = this.momentum, l2 = this.l2, update = this.#update;
    for (let p = 0; p < parameters.length; p++) {
      const parameter = parameters[p];
      const w = parameter.value;
      let v = this.#velocity.get(w);
      if (v === undefined) this.#velocity.set(w, v = newState(w, backend));
      if (backend?.optimizerStep !== undefined) {
        update.value = w;
        update.gradient = parameter.gradient;
        update.first = v;
        update.learningRate = rate;
        update.decay = parameter.decay ? l2 : 0;
        update.momentum = mu;
        if (backend.optimizerStep(update)) continue;
      }
      for (let i = 0; i < w.length; i++) {
        const g = decayed(parameter, l2, i);
        v[i] = mu * v[i] - rate * g;
        w[i] += this.nesterov ? mu * v[i] - rate * g : v[i];
      }
    }
  }

  /** Forgets the velocities (zeroes them, keeping the arrays). */
  reset(): void {
    for (const v of this.#velocity.values()) v.fill(0);
  }

  /** The velocity of every parameter. */
  saveState(parameters: readonly Parameter[], into?: OptimizerState): OptimizerState {
    const sources = parameters.map((p) => this.#velocity.get(p.value));
    const buffers = copyBuffers(sources, parameters.map((p) => p.value.length), into);
    return { name: "momentum", step: 0, buffers };
  }

  /** Takes the velocities of a saved state. */
  loadState(parameters: readonly Parameter[], state: OptimizerState, backend?: Backend): void {
    checkState(state, "momentum", parameters.map((p) => p.value.length));
    parameters.forEach((p, i) => {
      let v = this.#velocity.get(p.value);
      if (v === undefined) this.#velocity.set(p.value, v = newState(p.value, backend));
      v.set(state.buffers[i]);
    });
  }
}

/** Options for `Adam`. */
export interface AdamOptions extends OptimizerOptions {
  /** β1, decay of the first moment (default 0.9). */
  beta1?: number;
  /** β2, decay of the second moment (default 0.999). */
  beta2?: number;
  /** ε, added to the denominator (default 1e-8). */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba, 2015, Algorithm 1): m ← β1m + (1−β1)g, v ← β2v + (1−β2)g²,
 * m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ), w ← w − η·m̂/(√v̂ + ε).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam } from "./optimizers.ts";
 *
 * // the first Adam step moves every weight by about η, whatever the gradient's size
 * const w = new Float64Array([1, 1]);
 * new Adam({ learningRate: 0.01 }).step([{ value: w, gradient: new Float64Array([1000, 0.001]), decay: true }]);
 * assert.ok(Math.abs(w[0] - 0.99) < 1e-6 && Math.abs(w[1] - 0.99) < 1e-4);
 * ```
 */
export class Adam implements Optimizer {
  /** Always `"adam"`. */
  readonly name = "adam";
  /** The step size η (default 0.001). */
  learningRate: number;
  /** β1. */
  readonly beta1: number;
  /** β2. */
  readonly beta2: number;
  /** ε. */
  readonly epsilon: number;
  /** L2 weight decay λ (added to the gradient, not decoupled). */
  readonly l2: number;
  #moments = new Map<FloatArray, { m: FloatArray; v: FloatArray }>();
  #t = 0;
  #update = newUpdate("adam");

  /** Creates the optimizer. */
  constructor(options: AdamOptions = {}) {
    this.l2 = checkOptions(options, "adam", ["beta1", "beta2", "epsilon"], ["beta1", "beta2"]);
    this.learningRate = checkRate(options.learningRate ?? 0.001);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    if (!(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new RangeError(`Invalid epsilon: expected a positive number, got ${this.epsilon}`);
    }
  }

  /** One Adam update of every parameter (the step count t advances once per call). */
  step(parameters: readonly Parameter[], backend?: Backend): void {
    this.#t++;
    const { beta1, beta2, epsilon, l2 } = this;
    const correction1 = 1 - beta1 ** this.#t, correction2 = 1 - beta2 ** this.#t;
    const rate = this.learningRate, update = this.#update;
    for (let p = 0; p < parameters.length; p++) {
      const parameter = parameters[p];
      const w = parameter.value;
      let state = this.#moments.get(w);
      if (state === undefined) {
        state = { m: newState(w, backend), v: newState(w, backend) };
        this.#moments.set(w, state);
      }
      const { m, v } = state;
      if (backend?.optimizerStep !== undefined) {
        update.value = w;
        update.gradient = parameter.gradient;
        update.first = m;
        update.second = v;
        update.learningRate = rate;
        update.decay = parameter.decay ? l2 : 0;
        update.beta1 = beta1;
        update.oneMinusBeta1 = 1 - beta1;
        update.beta2 = beta2;
        update.oneMinusBeta2 = 1 - beta2;
        update.correction1 = correction1;
        update.correction2 = correction2;
        update.epsilon = epsilon;
        if (backend.optimizerStep(update)) continue;
      }
      for (let i = 0; i < w.length; i++) {
        const g = decayed(parameter, l2, i);
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        const mHat = m[i] / correction1, vHat = v[i] / correction2;
        w[i] -= rate * mHat / (Math.sqrt(vHat) + epsilon);
      }
    }
  }

  /** Forgets the moments (zeroes them, keeping the arrays) and the step count. */
  reset(): void {
    for (const { m, v } of this.#moments.values()) {
      m.fill(0);
      v.fill(0);
    }
    this.#t = 0;
  }

  /** The step count and the moments m, v of every parameter. */
  saveState(parameters: readonly Parameter[], into?: OptimizerState): OptimizerState {
    const sources = parameters.flatMap((p) => {
      const state = this.#moments.get(p.value);
      return [state?.m, state?.v];
    });
    const buffers = copyBuffers(sources, parameters.flatMap((p) => [p.value.length, p.value.length]), into);
    return { name: "adam", step: this.#t, buffers };
  }

  /** Takes the step count and the moments of a saved state. */
  loadState(parameters: readonly Parameter[], state: OptimizerState, backend?: Backend): void {
    checkState(state, "adam", parameters.flatMap((p) => [p.value.length, p.value.length]));
    parameters.forEach((p, i) => {
      let moments = this.#moments.get(p.value);
      if (moments === undefined) {
        moments = { m: newState(p.value, backend), v: newState(p.value, backend) };
        this.#moments.set(p.value, moments);
      }
      moments.m.set(state.buffers[2 * i]);
      moments.v.set(state.buffers[2 * i + 1]);
    });
    this.#t = state.step;
  }
}

/**
 * Gradient clipping by global norm (Pascanu et al., 2013; Keras's `global_clipnorm`): with
 * ‖g‖ = √(Σ over every parameter's gradient of g²), when ‖g‖ > c every gradient is scaled by c / ‖g‖, so the
 * whole gradient keeps its direction and its norm becomes c. Weight decay is added later, by the optimizer.
 * Returns ‖g‖ before clipping.
 *
 * @example
 * ```ts
 * import { clipGradientNorm } from "./optimizers.ts";
 * const g = new Float64Array([3, 4]);
 * const norm = clipGradientNorm([{ value: new Float64Array(2), gradient: g, decay: true }], 2.5);
 * if (norm !== 5 || g[0] !== 1.5 || g[1] !== 2) throw new Error();
 * ```
 */
export function clipGradientNorm(parameters: readonly Parameter[], clipNorm: number): number {
  let sum = 0;
  for (let p = 0; p < parameters.length; p++) {
    const g = parameters[p].gradient;
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  const norm = Math.sqrt(sum);
  if (norm > clipNorm) {
    const scale = clipNorm / norm;
    for (let p = 0; p < parameters.length; p++) {
      const g = parameters[p].gradient;
      for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
  }
  return norm;
}

/** Options for `createOptimizer`: the union of every optimizer's options. */
export interface CreateOptimizerOptions extends MomentumOptions, AdamOptions {}

/** `options` without its undefined fields. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Creates an optimizer by name; unset learning rates take each optimizer's default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam, createOptimizer } from "./optimizers.ts";
 *
 * const optimizer = createOptimizer("adam");
 * assert.ok(optimizer instanceof Adam);
 * assert.equal(optimizer.learningRate, 0.001); // Adam's default
 * ```
 */
export function createOptimizer(name: OptimizerName, options: CreateOptimizerOptions = {}): Optimizer {
  // each constructor gets its own options only (they refuse the others); unset ones stay unset
  const { learningRate, l2, momentum, nesterov, beta1, beta2, epsilon } = options;
  switch (name) {
    case "sgd":
      return new Sgd(defined({ learningRate, l2 }));
    case "momentum":
      return new Momentum(defined({ learningRate, l2, momentum, nesterov }));
    case "adam":
      return new Adam(defined({ learningRate, l2, beta1, beta2, epsilon }));
    default:
      throw new RangeError(`Unknown optimizer "${name}": expected one of ${OPTIMIZER_NAMES.join(", ")}`);
  }
}
