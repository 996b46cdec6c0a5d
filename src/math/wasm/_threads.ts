// Threads: helper Workers that share the kernel memory and take jobs through a spin-waited control block.
//
// A job is posted by writing its arguments into the control block and bumping a sequence number; the
// output is cut into chunks that the calling thread and the workers claim with compare-and-swap, so the
// calling thread never waits for a worker that has not started (it takes the chunks itself) and only
// waits for chunks already being computed. Nothing is allocated and no message is sent per job. An idle
// worker spins for a while, then sleeps in Atomics.wait and is woken with Atomics.notify.
//
// Workers start on the first job (or `start()`), and stop again when no job came for `idleMilliseconds`, so
// a program that used them exits by itself: a running Worker keeps the process alive and Deno has no
// `unref()` for Web Workers. The next job starts fresh workers; until they are up, the calling thread
// computes every chunk itself.

import type { KernelFunction } from "./_kernels.ts";
import { claimChunk, CONTROL, MAX_CHUNKS, type WorkerInit, workerUrl } from "./_worker.ts";

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
  /** Milliseconds without a job after which the workers stop (they start again on the next job). */
  idleMilliseconds: number;
}

/** One product split into chunks along rows or columns of C. */
export interface Job {
  /** Kernel index (the same kernel as `kernel`, for the workers). */
  index: number;
  /** The calling thread's instance of the kernel. */
  kernel: KernelFunction;
  /** Byte address of C. */
  c: number;
  /** Byte address of A. */
  a: number;
  /** Byte address of B. */
  b: number;
  /** Rows of C. */
  m: number;
  /** The inner size. */
  k: number;
  /** Columns of C. */
  n: number;
  /** Split C's columns (else its rows). */
  byColumns: boolean;
  /** Columns (or rows) per chunk, a whole number of register blocks. */
  chunkSize: number;
  /** Number of chunks, at most `MAX_CHUNKS`. */
  chunks: number;
  /** Scratch of thread t at scratch + t · scratchStride. */
  scratch: number;
  /** Bytes of scratch per thread. */
  scratchStride: number;
}

// How long the calling thread spins for chunks being computed by a worker before it sleeps (the worker is
// then probably descheduled, and spinning would only take the core it needs).
const MAIN_SPIN_MILLISECONDS = 0.2;

/** A fixed number of helper workers that compute chunks of products alongside the calling thread. */
export class ThreadPool {
  #options: ThreadPoolOptions;
  #workers: Worker[] = [];
  #control: Int32Array;
  #ready: Promise<void> = Promise.resolve();
  #seq = 0;
  // Jobs run so far, and the count when the idle timer last looked.
  #jobs = 0;
  #jobsSeen = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  /** A pool of `options.workers` workers, started on the first job or by `start()`. */
  constructor(options: ThreadPoolOptions) {
    this.#options = options;
    this.#control = new Int32Array(new SharedArrayBuffer(4));
  }

  /** Number of helper workers (running or not). */
  get size(): number {
    return this.#options.workers;
  }

  /** Whether the workers are running. */
  get running(): boolean {
    return this.#workers.length > 0;
  }

  /**
   * Starts the workers unless they run; resolves once each has instantiated the module (jobs do not need to
   * wait for this: the calling thread computes the chunks no worker takes). Rejects when a worker fails.
   */
  start(): Promise<void> {
    if (this.#disposed) throw new Error("Cannot start the kernel workers: the pool was disposed");
    if (this.#workers.length > 0) return this.#ready;
    const options = this.#options;
    // A fresh control block: workers count jobs from 0, and the stopped ones were told to stop in the old one.
    const control = new SharedArrayBuffer((CONTROL.SIZE + options.workers + 1) * 4);
    this.#control = new Int32Array(control);
    this.#seq = 0;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let w = 1; w <= options.workers; w++) {
      const worker = new Worker(workerUrl(), { type: "module" });
      workers.push(worker);
      ready.push(
        new Promise((resolve, reject) => {
          worker.onmessage = () => {
            worker.onmessage = null;
            resolve();
          };
          // A worker that fails leaves its chunks to the calling thread; the error must not end the process.
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
        index: w,
        layout: CONTROL,
        kernels: options.kernels,
        spinMilliseconds: options.spinMilliseconds,
      };
      worker.postMessage(init);
    }
    this.#workers = workers;
    this.#ready = Promise.all(ready).then(() => {});
    // Nobody may be awaiting `ready`; a failure is then only seen as the calling thread doing all the work.
    this.#ready.catch(() => {});
    this.#jobsSeen = this.#jobs;
    this.#armIdleTimer();
    return this.#ready;
  }

  #armIdleTimer(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#jobs === this.#jobsSeen) {
        this.release();
      } else {
        this.#jobsSeen = this.#jobs;
        this.#armIdleTimer();
      }
    }, this.#options.idleMilliseconds);
  }

  /** Computes `job` on the calling thread and the workers; returns when every chunk is done. */
  run(job: Job): void {
    if (this.#workers.length === 0) {
      if (this.#disposed) {
        throw new Error("Cannot compute the matrix product: the kernel workers were disposed");
      }
      this.start();
    }
    this.#jobs = (this.#jobs + 1) | 0;
    const control = this.#control;
    const chunks = Math.min(job.chunks, MAX_CHUNKS);
    const seq = (this.#seq + 1) | 0;
    this.#seq = seq;
    const a = CONTROL.ARGS;
    control[CONTROL.KERNEL] = job.index;
    control[a] = job.c;
    control[a + 1] = job.a;
    control[a + 2] = job.b;
    control[a + 3] = job.m;
    control[a + 4] = job.k;
    control[a + 5] = job.n;
    control[a + 6] = job.byColumns ? 1 : 0;
    control[a + 7] = job.chunkSize;
    control[a + 8] = job.byColumns ? job.n : job.m;
    control[a + 9] = job.scratch;
    control[a + 10] = job.scratchStride;
    Atomics.store(control, CONTROL.FINISHED, 0);
    Atomics.store(control, CONTROL.NEXT, ((seq & 0x3ffffff) << 6) | chunks);
    // Sequentially consistent: the plain writes above are visible to a worker that sees the new SEQ.
    Atomics.store(control, CONTROL.SEQ, seq);
    for (let w = 1; w <= this.#workers.length; w++) {
      if (Atomics.load(control, CONTROL.WORKER_SLEEPING + w) === 1) {
        Atomics.notify(control, CONTROL.SEQ);
        break;
      }
    }
    const limit = job.byColumns ? job.n : job.m;
    for (let chunk = claimChunk(control, CONTROL.NEXT, seq); chunk >= 0;) {
      const from = chunk * job.chunkSize, to = Math.min(limit, from + job.chunkSize);
      if (job.byColumns) {
        job.kernel(job.c, job.a, job.b, job.m, job.k, job.n, 0, job.m, from, to, job.scratch);
      } else job.kernel(job.c, job.a, job.b, job.m, job.k, job.n, from, to, 0, job.n, job.scratch);
      Atomics.add(control, CONTROL.FINISHED, 1);
      chunk = claimChunk(control, CONTROL.NEXT, seq);
    }
    this.#waitFinished(chunks);
    if (control[CONTROL.FAILED] === 1) {
      throw new Error("Cannot compute the matrix product: a kernel worker failed");
    }
  }

  #waitFinished(chunks: number): void {
    const control = this.#control;
    let finished = Atomics.load(control, CONTROL.FINISHED);
    let spins = 0;
    let deadline = 0;
    while (finished !== chunks) {
      if ((++spins & 255) === 0) {
        const now = performance.now();
        if (deadline === 0) {
          deadline = now + MAIN_SPIN_MILLISECONDS;
        } else if (now > deadline) {
          Atomics.store(control, CONTROL.MAIN_SLEEPING, 1);
          finished = Atomics.load(control, CONTROL.FINISHED);
          if (finished !== chunks) Atomics.wait(control, CONTROL.FINISHED, finished, 10);
          Atomics.store(control, CONTROL.MAIN_SLEEPING, 0);
        }
      }
      finished = Atomics.load(control, CONTROL.FINISHED);
    }
  }

  /** Stops the workers now (between jobs); the next job starts them again. */
  release(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#workers.length === 0) return;
    const control = this.#control;
    control[CONTROL.KERNEL] = -1;
    Atomics.store(control, CONTROL.SEQ, (this.#seq + 1) | 0);
    Atomics.notify(control, CONTROL.SEQ);
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }

  /** Stops the workers; the pool must not be used afterwards. */
  dispose(): void {
    this.release();
    this.#disposed = true;
  }
}
