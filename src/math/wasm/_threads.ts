// Threads: helper Workers that share the kernel memory and take jobs through spin-waited control blocks.
//
// A job is posted by writing its arguments into the worker's control block and bumping a sequence
// number; the worker, spinning on that number, runs it and publishes the number back. Nothing is
// allocated and no message is sent per job. A sleeping worker (idle for longer than its spin budget) is
// woken with Atomics.notify, which only happens after a pause.

import { CONTROL, type WorkerInit, workerUrl } from "./_worker.ts";

/** Options of `ThreadPool.create`. */
export interface ThreadPoolOptions {
  /** The compiled kernel module (each worker instantiates its own copy). */
  module: WebAssembly.Module;
  /** The shared memory. */
  memory: WebAssembly.Memory;
  /** Export names in kernel-index order. */
  kernels: readonly string[];
  /** Number of helper workers. */
  workers: number;
  /** Milliseconds a worker spins for the next job before sleeping. */
  spinMilliseconds: number;
}

// How long the main thread spins for a worker to finish before it sleeps (the worker is then probably
// descheduled, and spinning would only take the core it needs).
const MAIN_SPIN_MILLISECONDS = 0.2;

/** A fixed set of helper workers that run kernel calls on request. */
export class ThreadPool {
  #workers: Worker[];
  #controls: Int32Array[];
  #seq: number[];
  #disposed = false;

  /** Wraps started workers and their control blocks; use `ThreadPool.create`. */
  constructor(workers: Worker[], controls: Int32Array[]) {
    this.#workers = workers;
    this.#controls = controls;
    this.#seq = controls.map(() => 0);
  }

  /** Starts the workers and resolves once each has instantiated the module. */
  static async create(options: ThreadPoolOptions): Promise<ThreadPool> {
    const workers: Worker[] = [];
    const controls: Int32Array[] = [];
    const ready: Promise<void>[] = [];
    for (let w = 0; w < options.workers; w++) {
      const worker = new Worker(workerUrl(), { type: "module" });
      const control = new SharedArrayBuffer(CONTROL.SIZE * 4);
      workers.push(worker);
      controls.push(new Int32Array(control));
      ready.push(
        new Promise((resolve, reject) => {
          worker.onmessage = () => resolve();
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(`Cannot start a kernel worker: ${event.message}`));
          };
        }),
      );
      const init: WorkerInit = {
        module: options.module,
        memory: options.memory,
        control,
        layout: CONTROL,
        kernels: options.kernels,
        spinMilliseconds: options.spinMilliseconds,
      };
      worker.postMessage(init);
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    for (const worker of workers) {
      worker.onmessage = null;
      worker.onerror = null;
    }
    return new ThreadPool(workers, controls);
  }

  /** Number of helper workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Posts kernel `kernel` with its eleven i32 arguments to worker `w`; returns at once. */
  post(
    w: number,
    kernel: number,
    c: number,
    a: number,
    b: number,
    m: number,
    k: number,
    n: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    scratch: number,
  ): void {
    const control = this.#controls[w];
    const args = CONTROL.ARGS;
    control[CONTROL.KERNEL] = kernel;
    control[args] = c;
    control[args + 1] = a;
    control[args + 2] = b;
    control[args + 3] = m;
    control[args + 4] = k;
    control[args + 5] = n;
    control[args + 6] = i0;
    control[args + 7] = i1;
    control[args + 8] = j0;
    control[args + 9] = j1;
    control[args + 10] = scratch;
    const seq = (this.#seq[w] + 1) | 0;
    this.#seq[w] = seq;
    // The store is sequentially consistent, so the plain writes above are visible before it.
    Atomics.store(control, CONTROL.SEQ, seq);
    if (Atomics.load(control, CONTROL.WORKER_SLEEPING) === 1) Atomics.notify(control, CONTROL.SEQ);
  }

  /** Waits until worker `w` has finished its latest job; throws if that job failed. */
  wait(w: number): void {
    const control = this.#controls[w];
    const seq = this.#seq[w];
    let done = Atomics.load(control, CONTROL.DONE);
    let spins = 0;
    let deadline = 0;
    while (done !== seq) {
      if ((++spins & 255) === 0) {
        const now = performance.now();
        if (deadline === 0) deadline = now + MAIN_SPIN_MILLISECONDS;
        else if (now > deadline) {
          Atomics.store(control, CONTROL.MAIN_SLEEPING, 1);
          done = Atomics.load(control, CONTROL.DONE);
          if (done !== seq) Atomics.wait(control, CONTROL.DONE, done, 10);
          Atomics.store(control, CONTROL.MAIN_SLEEPING, 0);
        }
      }
      done = Atomics.load(control, CONTROL.DONE);
    }
    if (control[CONTROL.FAILED] === 1) {
      throw new Error("Cannot compute the matrix product: a kernel worker failed");
    }
  }

  /** Stops the workers; the pool must not be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#workers.forEach((worker, w) => {
      const control = this.#controls[w];
      control[CONTROL.KERNEL] = -1;
      Atomics.store(control, CONTROL.SEQ, (this.#seq[w] + 1) | 0);
      Atomics.notify(control, CONTROL.SEQ);
      worker.terminate();
    });
  }
}
