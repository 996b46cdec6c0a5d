// Worker: the code a helper thread runs, serialised into a blob URL so that no file is read to start it.
//
// The worker instantiates the kernel module over the shared memory, then loops: spin on the control
// block's sequence number (bounded, then Atomics.wait), run the product it describes, publish completion.

/** Offsets (in Int32 slots) of one worker's control block; jobs are posted without postMessage. */
export const CONTROL = {
  /** Sequence number of the latest job, written by the main thread. */
  SEQ: 0,
  /** Kernel index into `KERNEL_NAMES`, or -1 to stop. */
  KERNEL: 1,
  /** First of the eleven i32 kernel arguments (c, a, b, m, k, n, i0, i1, j0, j1, scratch). */
  ARGS: 2,
  /** Sequence number of the latest finished job, written by the worker (on its own cache line). */
  DONE: 16,
  /** 1 while the worker sleeps in Atomics.wait on SEQ. */
  WORKER_SLEEPING: 17,
  /** 1 while the main thread sleeps in Atomics.wait on DONE. */
  MAIN_SLEEPING: 18,
  /** 1 after a job failed (the worker then stops). */
  FAILED: 19,
  /** Slots per worker (128 bytes: two cache lines). */
  SIZE: 32,
} as const;

/** What the main thread posts once to start a worker. */
export interface WorkerInit {
  /** The compiled kernel module. */
  module: WebAssembly.Module;
  /** The shared memory all threads compute in. */
  memory: WebAssembly.Memory;
  /** This worker's control block (`CONTROL.SIZE` Int32 slots). */
  control: SharedArrayBuffer;
  /** The control layout (the worker's code cannot import it). */
  layout: typeof CONTROL;
  /** Export names, in kernel-index order. */
  kernels: readonly string[];
  /** How long to spin for the next job before sleeping, in milliseconds. */
  spinMilliseconds: number;
}

/**
 * The worker's entry point. It runs in the worker with no imports, so it must only use what it is given
 * and the globals of a worker.
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
    scope.postMessage("ready");
    const a = layout.ARGS;
    // Jobs are numbered from 1; reading SEQ here instead would miss a job posted right after "ready".
    let seq = 0;
    while (true) {
      // Wait for a new job: spin (a wake-up from Atomics.wait costs tens of µs), then sleep.
      let next = Atomics.load(control, layout.SEQ);
      if (next === seq) {
        const deadline = performance.now() + init.spinMilliseconds;
        let spins = 0;
        while (next === seq) {
          if ((++spins & 1023) === 0 && performance.now() > deadline) {
            Atomics.store(control, layout.WORKER_SLEEPING, 1);
            if (Atomics.load(control, layout.SEQ) === seq) Atomics.wait(control, layout.SEQ, seq);
            Atomics.store(control, layout.WORKER_SLEEPING, 0);
          }
          next = Atomics.load(control, layout.SEQ);
        }
      }
      seq = next;
      const kernel = control[layout.KERNEL];
      if (kernel < 0) break;
      try {
        kernels[kernel](
          control[a],
          control[a + 1],
          control[a + 2],
          control[a + 3],
          control[a + 4],
          control[a + 5],
          control[a + 6],
          control[a + 7],
          control[a + 8],
          control[a + 9],
          control[a + 10],
        );
      } catch {
        Atomics.store(control, layout.FAILED, 1);
      }
      Atomics.store(control, layout.DONE, seq);
      if (Atomics.load(control, layout.MAIN_SLEEPING) === 1) Atomics.notify(control, layout.DONE);
      if (control[layout.FAILED] === 1) break;
    }
    scope.close();
  };
}

let cachedUrl: string | undefined;

/** A blob URL of a module that runs `workerMain` (created once per process). */
export function workerUrl(): string {
  if (cachedUrl === undefined) {
    const source = `(${workerMain.toString()})();\n`;
    cachedUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  }
  return cachedUrl;
}
