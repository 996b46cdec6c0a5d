// Training callbacks: the hooks, the context they steer, and the runner the training loop (trainingRun) calls.

import type { EpochRecord, FitSession } from "./fit.ts";
import type { Network } from "./network.ts";

/** What a callback can see and steer: the network, the epoch, the learning rate, and stopping. */
export interface FitContext {
  /** The network being trained. */
  readonly network: Network;
  /** Epochs completed so far in this `fit`. */
  readonly epoch: number;
  /** The learning rate of the next update; setting it takes effect at once (a schedule goes on from it). */
  learningRate: number;
  /** Ends training after the current batch (or, between epochs, before the next epoch). */
  stop(): void;
  /** Whether `stop()` was called (or early stopping decided to stop). */
  readonly stopRequested: boolean;
}

/** Hooks called during `net.fit` and `train()`; each may return a promise, which training awaits before going on. */
export interface FitCallbacks {
  /** Before the first epoch. */
  onTrainBegin?(context: FitContext): void | Promise<void>;
  /** Before every epoch; `epoch` is 1-based. */
  onEpochBegin?(epoch: number, context: FitContext): void | Promise<void>;
  /** After every batch with the batch's 1-based number in its epoch and its mean loss. */
  onBatchEnd?(batch: number, loss: number, context: FitContext): void | Promise<void>;
  /** After every epoch, with its record (validation metrics included). */
  onEpochEnd?(record: EpochRecord, context: FitContext): void | Promise<void>;
  /** After the last epoch (and after the best weights were restored), with the whole history. */
  onTrainEnd?(history: readonly EpochRecord[], context: FitContext): void | Promise<void>;
}

/** The hooks `FitCallbacks` may have, in the order they run. */
const HOOKS: readonly string[] = ["onTrainBegin", "onEpochBegin", "onBatchEnd", "onEpochEnd", "onTrainEnd"];

/**
 * Rejects a callbacks object whose hooks would never run: a method or field named like a hook (`on` and a capital)
 * that is not one (`onEpochStart`, Keras's `onBatchBegin`), or a hook that is not a function. Other members (a
 * class's own state and helpers) are left alone.
 */
function checkHooks(callbacks: FitCallbacks, index: number, list: readonly FitCallbacks[]): void {
  const where = list.length > 1 ? `callbacks[${index}]` : "callbacks";
  if (callbacks === null || typeof callbacks !== "object") {
    throw new TypeError(`Invalid ${where}: expected an object with hooks, got ${callbacks}`);
  }
  const names = new Set<string>();
  for (let o: object | null = callbacks; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  }
  for (const name of names) {
    if (!/^on[A-Z]/.test(name)) continue;
    if (!HOOKS.includes(name)) {
      throw new TypeError(`Invalid ${where}: unknown hook "${name}" (expected one of ${HOOKS.join(", ")})`);
    }
    const hook = (callbacks as Record<string, unknown>)[name];
    if (hook !== undefined && typeof hook !== "function") {
      throw new TypeError(`Invalid ${where}: "${name}" must be a function, got ${typeof hook}`);
    }
  }
}

/**
 * Calls a list of `FitCallbacks` in order, awaiting each, with one `FitContext` over a `FitSession`: how
 * `trainingRun` (and so `net.fit` and `train()`) runs callbacks. Internal: not exported from `mod.ts`.
 */
export class Callbacks {
  /** The context every hook receives. */
  readonly context: FitContext;
  #list: FitCallbacks[];
  #batchHooks: FitCallbacks[];
  #stop = false;

  /**
   * @param network The network being trained.
   * @param session The session whose epoch and learning rate the context shows and sets.
   * @param callbacks One set of hooks, a list of them, or none.
   */
  constructor(
    network: Network,
    session: FitSession,
    callbacks?: FitCallbacks | readonly FitCallbacks[],
  ) {
    this.#list = callbacks === undefined
      ? []
      : Array.isArray(callbacks)
      ? [...callbacks]
      : [callbacks as FitCallbacks];
    this.#list.forEach(checkHooks);
    this.#batchHooks = this.#list.filter((c) => c.onBatchEnd !== undefined);
    const stop = () => void (this.#stop = true);
    const stopped = () => this.#stop;
    this.context = {
      network,
      get epoch() {
        return session.epoch;
      },
      get learningRate() {
        return session.learningRate;
      },
      set learningRate(value: number) {
        session.learningRate = value;
      },
      stop,
      get stopRequested() {
        return stopped();
      },
    };
  }

  /** Whether a hook called `context.stop()` (or `requestStop` was called). */
  get stopRequested(): boolean {
    return this.#stop;
  }

  /** Asks training to stop, as `context.stop()` does. */
  requestStop(): void {
    this.#stop = true;
  }

  /** Whether there are hooks at all (the loop skips the per-epoch awaits otherwise). */
  get hasHooks(): boolean {
    return this.#list.length > 0;
  }

  /** Whether any hook runs after every batch (the batch loop skips the call otherwise). */
  get hasBatchHooks(): boolean {
    return this.#batchHooks.length > 0;
  }

  /** Runs `onTrainBegin`. */
  async trainBegin(): Promise<void> {
    for (const callback of this.#list) await callback.onTrainBegin?.(this.context);
  }

  /** Runs `onEpochBegin` for the 1-based `epoch`. */
  async epochBegin(epoch: number): Promise<void> {
    for (const callback of this.#list) await callback.onEpochBegin?.(epoch, this.context);
  }

  /** Runs `onBatchEnd`; returns a promise only when a hook did (synchronous hooks cost no await). */
  batchEnd(batch: number, loss: number): Promise<void> | void {
    for (let i = 0; i < this.#batchHooks.length; i++) {
      const done = this.#batchHooks[i].onBatchEnd!(batch, loss, this.context);
      if (done instanceof Promise) return this.#batchEndFrom(i + 1, batch, loss, done);
    }
  }

  async #batchEndFrom(next: number, batch: number, loss: number, pending: Promise<void>): Promise<void> {
    await pending;
    for (let i = next; i < this.#batchHooks.length; i++) {
      await this.#batchHooks[i].onBatchEnd!(batch, loss, this.context);
    }
  }

  /** Runs `onEpochEnd` with the epoch's record. */
  async epochEnd(record: EpochRecord): Promise<void> {
    for (const callback of this.#list) await callback.onEpochEnd?.(record, this.context);
  }

  /** Runs `onTrainEnd` with the history. */
  async trainEnd(history: readonly EpochRecord[]): Promise<void> {
    for (const callback of this.#list) await callback.onTrainEnd?.(history, this.context);
  }
}
