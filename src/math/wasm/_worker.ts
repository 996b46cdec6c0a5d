// Worker: the code a helper thread runs, serialised into a blob URL so that no file is read to start it.
//
// The worker instantiates the kernel module over the shared memory, then loops: spin on the job sequence
// number (bounded, then Atomics.wait), claim chunks of the job's output until none is left, count each
// finished chunk. The calling thread claims chunks the same way, so a worker that is late or descheduled
// only means the calling thread does more of the chunks itself.

/** Slots (Int32) of the control block shared by the calling thread and every worker. */
export const CONTROL = {
  /** Sequence number of the latest job, written by the calling thread. */
  SEQ: 0,
  /** Kernel index into `KERNEL_NAMES`, or -1 to stop. */
  KERNEL: 1,
  /**
   * First of the job's arguments: c, a, b, m, k, n, byColumns (1 or 0), chunk size (along the split side),
   * limit (n or m), scratch base, scratch stride (bytes per thread).
   */
  ARGS: 2,
  /** Claim counter: (job sequence number mod 2²⁶) · 64 + chunks not yet claimed (own cache line). */
  NEXT: 16,
  /** Chunks finished in the current job (own cache line). */
  FINISHED: 32,
  /** 1 while the calling thread sleeps in Atomics.wait on FINISHED. */
  MAIN_SLEEPING: 33,
  /** 1 after a chunk failed. */
  FAILED: 34,
  /** Worker w's "sleeping in Atomics.wait on SEQ" flag is at WORKER_SLEEPING + w. */
  WORKER_SLEEPING: 48,
  /** Slots before the per-worker flags end; the block has WORKER_SLEEPING + workers + 1 slots. */
  SIZE: 48,
} as const;

/** Most chunks a job may be split into (the claim counter keeps the count in 6 bits). */
export const MAX_CHUNKS = 63;

/** What the calling thread posts once to start worker `index` (1-based; the calling thread is 0). */
export interface WorkerInit {
  /** The compiled kernel module. */
  module: WebAssembly.Module;
  /** The shared memory all threads compute in. */
  memory: WebAssembly.Memory;
  /** The control block. */
  control: SharedArrayBuffer;
  /** This worker's index, from 1. */
  index: number;
  /** The control layout (the worker's code cannot import it). */
  layout: typeof CONTROL;
  /** Export names, in kernel-index order. */
  kernels: readonly string[];
  /** How long to spin for the next job before sleeping, in milliseconds. */
  spinMilliseconds: number;
}

/**
 * Claims the next chunk of job `seq`: returns its index, or -1 when the job has no chunk left (or is no
 * longer the current job). Shared by the calling thread and, as source text, the workers.
 */
export function claimChunk(control: Int32Array, next: number, seq: number): number {
  const tag = seq & 0x3ffffff;
  while (true) {
    const value = Atomics.load(control, next);
    const left = value & 63;
    if (value >>> 6 !== tag || left === 0) return -1;
    if (Atomics.compareExchange(control, next, value, value - 1) === value) return left - 1;
  }
}

/**
 * The worker's entry point. It runs in the worker with no imports, so it uses only what it is given, the
 * globals of a worker and `claimChunk` (whose source is sent along).
 */
function workerMain(): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent) => void) | null;
    postMessage(message: unknown): void;
    close(): void;
  };
  scope.onmessage = (event: MessageEvent) => {
    scope.onmessage = null;
    const init = event.data as WorkerInit;
    const layout = init.layout;
    const control = new Int32Array(init.control);
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    const kernels = init.kernels.map((name) => instance.exports[name] as (...args: number[]) => void);
    const sleeping = layout.WORKER_SLEEPING + init.index;
    scope.postMessage("ready");
    // Jobs are numbered from 1; reading SEQ here instead could skip a job posted right after "ready".
    let seq = 0;
    while (true) {
      // Wait for a new job: spin (a wake-up from Atomics.wait costs tens of µs), then sleep.
      let next = Atomics.load(control, layout.SEQ);
      if (next === seq) {
        const deadline = performance.now() + init.spinMilliseconds;
        let spins = 0;
        while (next === seq) {
          if ((++spins & 1023) === 0 && performance.now() > deadline) {
            Atomics.store(control, sleeping, 1);
            if (Atomics.load(control, layout.SEQ) === seq) Atomics.wait(control, layout.SEQ, seq);
            Atomics.store(control, sleeping, 0);
          }
          next = Atomics.load(control, layout.SEQ);
        }
      }
      seq = next;
      const kernel = kernels[control[layout.KERNEL]];
      if (kernel === undefined) break;
      const a = layout.ARGS;
      const c = control[a], aPointer = control[a + 1], b = control[a + 2];
      const m = control[a + 3], k = control[a + 4], n = control[a + 5];
      const byColumns = control[a + 6] === 1, size = control[a + 7], limit = control[a + 8];
      const scratch = control[a + 9] + init.index * control[a + 10];
      // claimChunk is defined next to this function in the worker's source.
      for (let chunk = claimChunk(control, layout.NEXT, seq); chunk >= 0;) {
        const from = chunk * size, to = Math.min(limit, from + size);
        try {
          if (byColumns) kernel(c, aPointer, b, m, k, n, 0, m, from, to, scratch);
          else kernel(c, aPointer, b, m, k, n, from, to, 0, n, scratch);
        } catch {
          Atomics.store(control, layout.FAILED, 1);
        }
        Atomics.add(control, layout.FINISHED, 1);
        if (Atomics.load(control, layout.MAIN_SLEEPING) === 1) Atomics.notify(control, layout.FINISHED);
        chunk = claimChunk(control, layout.NEXT, seq);
      }
    }
    scope.close();
  };
}

let cachedUrl: string | undefined;

/** A blob URL of a module that runs `workerMain` (created once per process). */
export function workerUrl(): string {
  if (cachedUrl === undefined) {
    const source = `${claimChunk.toString()}\n(${workerMain.toString()})();\n`;
    cachedUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  }
  return cachedUrl;
}
