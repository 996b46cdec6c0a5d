// Fast backend: the three matrix products in WebAssembly f64x2 SIMD over a shared memory, on one thread
// or split between the calling thread and helper Workers; `createBackend` picks it or the plain one.
//
// Matrices from `allocate` are views into the module's memory and are used in place. Any other Matrix
// works too: its values are copied into a reused scratch area and the result copied back out.

import type { ActivationName } from "../activations.ts";
import { type Backend, jsBackend, jsBackend32, type OptimizerUpdate } from "../backend.ts";
import {
  type AnyMatrix,
  checkMatmul,
  checkMatmulTransposeA,
  checkMatmulTransposeB,
  type DType,
  type FloatArray,
  matmulTransposeAUnchecked,
  matmulTransposeBUnchecked,
  matmulUnchecked,
  Matrix,
} from "../matrix.ts";
import { Arena, PAGE_BYTES } from "./_arena.ts";
import {
  BACKWARD_ACTIVATIONS,
  FORWARD_ACTIVATIONS,
  OPTIMIZER_CONSTANTS,
  OPTIMIZER_KERNELS,
} from "./_elementwise.ts";
import { detectFeatures } from "./_features.ts";
import {
  blockRows,
  KERNEL_NAMES,
  type KernelFunction,
  kernelModuleBytes,
  type KernelOptions,
  PANEL_COLS,
  panelStride,
} from "./_kernels.ts";
import { blockRows32, kernelModuleBytes32, PANEL_COLS_32, scratchBytes32 } from "./_kernels32.ts";
import { type Job, ThreadPool } from "./_threads.ts";

/** Which backend `createBackend` returns: the fastest available (`"auto"`), plain JS, or WebAssembly. */
export type BackendKind = "auto" | "js" | "wasm";

/** The environment variable that overrides `kind: "auto"` (read only when env access is already granted). */
export const BACKEND_ENV_VARIABLE = "TERMNET_BACKEND";

/**
 * Default size, in multiply-adds (m·n·k), from which a product is split between threads. Measured with
 * `bench/matmul_gflops.ts --threshold` on two idle cores: two threads were slower up to 28³ (0.9×) and
 * faster from 32³ = 2¹⁵ (1.15×, 1.6× at 64³); below it the hand-off costs more than the second thread saves.
 */
export const DEFAULT_PARALLEL_THRESHOLD = 1 << 15;

/** Options of the WebAssembly backend. */
export interface WasmBackendOptions {
  /** Threads computing each large product, the calling thread included (default 1). */
  threads?: number;
  /** Use the relaxed fused multiply-add (default: when the runtime has relaxed SIMD); false forces mul + add. */
  fma?: boolean;
  /** Products with at least this many multiply-adds (m·n·k) are split between threads. */
  parallelThreshold?: number;
  /** The most memory the backend may grow to, in bytes (default and limit 4 GiB). */
  maxMemoryBytes?: number;
  /** Milliseconds an idle worker spins before it sleeps (default 2). */
  spinMilliseconds?: number;
  /**
   * Milliseconds without a product to split after which the worker threads stop (default 500), so that a
   * program exits by itself; the next large product starts them again.
   */
  idleMilliseconds?: number;
  /** Optimizer updates of at least this many values are split between threads. */
  elementwiseParallelThreshold?: number;
  /**
   * Products with fewer multiply-adds per row of the result (k·n) than this run the plain TypeScript kernel
   * instead (default 0: every product in WebAssembly). For tiny products the call costs more than the kernel
   * saves. The choice does not depend on the number of rows, so a row's result is the same in any batch.
   */
  smallProductThreshold?: number;
  /**
   * Elementwise steps (bias + activation, activation gradient, column sums, optimizer updates) over fewer
   * values than this decline, so that the caller runs the reference code (default 0: none declines).
   */
  smallElementwiseThreshold?: number;
  /**
   * The element type of the matrices (default `"float64"`). `"float32"` multiplies with the f32x4 kernels;
   * its elementwise steps and optimizer updates run the reference code on the Float32Arrays.
   */
  dtype?: DType;
}

/** Options of `createBackend`. */
export interface BackendOptions extends WasmBackendOptions {
  /**
   * `"auto"` (default) picks WebAssembly SIMD when available and plain JS otherwise; `"wasm"` throws when it
   * is unavailable. With `"auto"` or no kind, the environment variable `TERMNET_BACKEND` (`auto`, `js` or
   * `wasm`) overrides the choice when the process may already read it.
   */
  kind?: BackendKind;
}

/** The WebAssembly backend: a `Backend` plus what it was built with. */
export interface WasmBackend<T extends FloatArray = Float64Array> extends Backend {
  /** Threads that share a large product. */
  readonly threads: number;
  /** Whether the kernels use the fused multiply-add. */
  readonly fma: boolean;
  /** The shared memory the matrices from `allocate` live in. */
  readonly memory: WebAssembly.Memory;
  /** A zero-filled matrix in the backend's memory (float64, or float32 for a float32 backend). */
  allocate(rows: number, cols: number): Matrix<T>;
  /** Whether worker threads are running now (they start on a large product and stop when idle). */
  readonly workersRunning: boolean;
  /** z += b, then a = f(z) for linear, relu and leaky_relu; false for other activations or outside arrays. */
  biasActivation(a: AnyMatrix, z: AnyMatrix, biases: FloatArray, activation: ActivationName): boolean;
  /** dZ = dA ⊙ f'(z), dB = Σ_rows dZ for every activation but softmax; false for it or outside arrays. */
  activationBackwardSum(
    dZ: AnyMatrix,
    dA: AnyMatrix,
    z: AnyMatrix,
    a: AnyMatrix,
    dB: FloatArray,
    activation: ActivationName,
  ): boolean;
  /** dB = Σ_rows dZ; false for arrays outside the backend's memory. */
  columnSum(dB: FloatArray, dZ: AnyMatrix): boolean;
  /** One SGD, momentum or Adam update, split between threads when long; false for outside arrays. */
  optimizerStep(update: OptimizerUpdate): boolean;
}

/**
 * Default length from which an optimizer update is split between threads. An update streams three or four
 * arrays through memory once; below this the hand-off costs more than the second thread saves.
 */
export const DEFAULT_ELEMENTWISE_PARALLEL_THRESHOLD = 1 << 14;

// The kernels the thread pool can run, by index: the products first, then the optimizer updates.
const POOL_KERNELS = [...KERNEL_NAMES, ...OPTIMIZER_KERNELS];
const OPTIMIZER_BASE = KERNEL_NAMES.length;
type ElementwiseFunction = (...pointersAndSizes: number[]) => void;

const MAX_PAGES = 65536;
const INITIAL_PAGES = 16;
// Scratch slots for operands that do not live in the backend's memory.
const SLOT_A = 0, SLOT_B = 1, SLOT_OUT = 2;
// Chunks per thread a split product is cut into: enough that a late worker costs the calling thread
// little waiting, few enough that the per-chunk overhead (packing B again for row splits) stays small.
const CHUNKS_PER_THREAD = 2;

interface Parts {
  module: WebAssembly.Module;
  arena: Arena;
  kernelOptions: KernelOptions;
  pool: ThreadPool | undefined;
  options: WasmBackendOptions;
  /** A process-wide default backend: `dispose()` only stops its workers, and it stays usable. */
  shared: boolean;
  /** The element type: float32 uses the f32x4 products of _kernels32.ts and no fused elementwise kernels. */
  dtype: DType;
}

class WasmSimdBackend implements WasmBackend<FloatArray> {
  readonly name: string;
  readonly threads: number;
  readonly fma: boolean;
  readonly memory: WebAssembly.Memory;
  readonly dtype: DType;
  #float32: boolean;
  #panelCols: number;
  #arena: Arena;
  #kernels: KernelFunction[];
  #kernelOptions: KernelOptions;
  #pool: ThreadPool | undefined;
  #threshold: number;
  #scratch = 0;
  #scratchBytes = 0;
  #slotAddress = [0, 0, 0];
  #slotCapacity = [-1, -1, -1];
  #slotView: (FloatArray | undefined)[] = [undefined, undefined, undefined];
  #disposed = false;
  #job: Job;
  #forward: Partial<Record<ActivationName, ElementwiseFunction>> = {};
  #backward: Partial<Record<ActivationName, ElementwiseFunction>> = {};
  #columnSum: ElementwiseFunction;
  #constants: number;
  #elementwiseThreshold: number;
  #blockRows: number;
  #panelStride: number;
  #smallProduct: number;
  #smallElementwise: number;
  #shared: boolean;

  constructor(parts: Parts) {
    const instance = new WebAssembly.Instance(parts.module, { env: { memory: parts.arena.memory } });
    this.dtype = parts.dtype;
    this.#float32 = parts.dtype === "float32";
    this.#panelCols = this.#float32 ? PANEL_COLS_32 : PANEL_COLS;
    this.#kernels = POOL_KERNELS.map((name) => instance.exports[name] as KernelFunction);
    for (const name of FORWARD_ACTIVATIONS) {
      this.#forward[name] = instance.exports[`bias_${name}`] as ElementwiseFunction;
    }
    for (const name of BACKWARD_ACTIVATIONS) {
      this.#backward[name] = instance.exports[`backward_${name}`] as ElementwiseFunction;
    }
    this.#columnSum = instance.exports.columnSum as ElementwiseFunction;
    this.#blockRows = this.#float32 ? blockRows32(parts.kernelOptions) : blockRows(parts.kernelOptions);
    this.#panelStride = panelStride(parts.kernelOptions);
    this.#constants = parts.arena.allocate(8 * OPTIMIZER_CONSTANTS.COUNT);
    this.#elementwiseThreshold = parts.options.elementwiseParallelThreshold ??
      DEFAULT_ELEMENTWISE_PARALLEL_THRESHOLD;
    this.#arena = parts.arena;
    this.memory = parts.arena.memory;
    this.#kernelOptions = parts.kernelOptions;
    this.#pool = parts.pool;
    this.threads = 1 + (parts.pool?.size ?? 0);
    this.fma = parts.kernelOptions.fma;
    this.#threshold = parts.options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD;
    this.#smallProduct = parts.options.smallProductThreshold ?? 0;
    this.#smallElementwise = parts.options.smallElementwiseThreshold ?? 0;
    this.#shared = parts.shared;
    this.#job = {
      index: 0,
      kernel: this.#kernels[0],
      c: 0,
      a: 0,
      b: 0,
      m: 0,
      k: 0,
      n: 0,
      byColumns: true,
      chunkSize: 0,
      chunks: 0,
      scratch: 0,
      scratchStride: 0,
    };
    this.name = (this.fma ? "wasm-simd" : "wasm-simd-nofma") + (this.#float32 ? "-f32" : "") +
      (this.threads > 1 ? `×${this.threads}` : "");
  }

  /** The worker threads, or undefined on one thread. */
  get pool(): ThreadPool | undefined {
    return this.#pool;
  }

  get workersRunning(): boolean {
    return this.#pool?.running ?? false;
  }

  allocate(rows: number, cols: number): Matrix<FloatArray> {
    this.#checkLive();
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new RangeError(
        `Cannot allocate a matrix: shape must be two non-negative integers, got "${rows}×${cols}"`,
      );
    }
    if (this.#float32) return new Matrix(rows, cols, this.#arena.allocateArray32(rows * cols));
    return new Matrix<FloatArray>(rows, cols, this.#arena.allocateArray(rows * cols));
  }

  // Shapes are checked here too (O(1)): a wrong shape would otherwise read or write other matrices of
  // the shared memory instead of failing.
  matmul(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
    checkMatmul(out, a, b);
    // Tiny products: the reference kernel, faster there than a call into WebAssembly.
    if (a.cols * b.cols < this.#smallProduct) return matmulUnchecked(out, a, b);
    this.#product(0, out, a, b, a.rows, a.cols, b.cols);
  }

  matmulTransposeB(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
    checkMatmulTransposeB(out, a, b);
    // Tiny products: the reference kernel, faster there than a call into WebAssembly.
    if (a.cols * b.rows < this.#smallProduct) return matmulTransposeBUnchecked(out, a, b);
    this.#product(1, out, a, b, a.rows, a.cols, b.rows);
  }

  matmulTransposeA(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
    checkMatmulTransposeA(out, a, b);
    // Tiny products: the reference kernel, faster there than a call into WebAssembly.
    if (a.rows * b.cols < this.#smallProduct) return matmulTransposeAUnchecked(out, a, b);
    this.#product(2, out, a, b, a.cols, a.rows, b.cols);
  }

  biasActivation(a: AnyMatrix, z: AnyMatrix, biases: FloatArray, activation: ActivationName): boolean {
    if (z.data.length < this.#smallElementwise) return false;
    const kernel = this.#forward[activation];
    if (kernel === undefined) return false;
    this.#checkLive();
    if (a.rows !== z.rows || a.cols !== z.cols || biases.length !== z.cols) {
      throw new TypeError(
        `Cannot add biases: shapes differ (a ${a.rows}×${a.cols}, z ${z.rows}×${z.cols}, b ${biases.length})`,
      );
    }
    const arena = this.#arena;
    const pz = arena.addressOf(z.data), pa = arena.addressOf(a.data), pb = arena.addressOf(biases);
    if (pz < 0 || pa < 0 || pb < 0) return false;
    kernel(pz, pa, pb, z.rows, z.cols);
    return true;
  }

  activationBackwardSum(
    dZ: AnyMatrix,
    dA: AnyMatrix,
    z: AnyMatrix,
    a: AnyMatrix,
    dB: FloatArray,
    activation: ActivationName,
  ): boolean {
    if (dZ.data.length < this.#smallElementwise) return false;
    const kernel = this.#backward[activation];
    if (kernel === undefined) return false;
    this.#checkLive();
    const { rows, cols } = dZ;
    if (
      dA.rows !== rows || dA.cols !== cols || z.rows !== rows || z.cols !== cols || a.rows !== rows ||
      a.cols !== cols || dB.length !== cols
    ) {
      throw new TypeError(`Cannot compute the activation gradient: shapes differ (dZ ${rows}×${cols})`);
    }
    const arena = this.#arena;
    const pdZ = arena.addressOf(dZ.data), pdA = arena.addressOf(dA.data);
    const pz = arena.addressOf(z.data), pa = arena.addressOf(a.data), pdB = arena.addressOf(dB);
    if (pdZ < 0 || pdA < 0 || pz < 0 || pa < 0 || pdB < 0) return false;
    kernel(pdZ, pdA, pz, pa, pdB, rows, cols);
    return true;
  }

  columnSum(dB: FloatArray, dZ: AnyMatrix): boolean {
    if (dZ.data.length < this.#smallElementwise) return false;
    this.#checkLive();
    if (dB.length !== dZ.cols) {
      throw new TypeError(`Cannot sum columns: ${dZ.rows}×${dZ.cols} into ${dB.length} values`);
    }
    const pdZ = this.#arena.addressOf(dZ.data), pdB = this.#arena.addressOf(dB);
    if (pdZ < 0 || pdB < 0) return false;
    this.#columnSum(pdZ, 0, 0, 0, pdB, dZ.rows, dZ.cols);
    return true;
  }

  optimizerStep(update: OptimizerUpdate): boolean {
    if (update.value.length < this.#smallElementwise) return false;
    this.#checkLive();
    const { value, gradient, first, second, kind } = update;
    const length = value.length;
    const stateful = kind !== "sgd", adam = kind === "adam";
    if (
      gradient.length !== length || (stateful && first?.length !== length) ||
      (adam && second?.length !== length)
    ) {
      throw new TypeError(`Cannot update a parameter of ${length} values: its gradient or state differs`);
    }
    const arena = this.#arena;
    const pw = arena.addressOf(value), pg = arena.addressOf(gradient);
    const p1 = stateful ? arena.addressOf(first!) : 0, p2 = adam ? arena.addressOf(second!) : 0;
    if (pw < 0 || pg < 0 || p1 < 0 || p2 < 0) return false;
    const C = OPTIMIZER_CONSTANTS, heap = this.#float32 ? this.#constants32() : arena.heap;
    const base = this.#float32 ? 0 : this.#constants / 8;
    heap[base + C.RATE] = update.learningRate;
    heap[base + C.L2] = update.decay;
    heap[base + C.MOMENTUM] = update.momentum;
    heap[base + C.BETA1] = update.beta1;
    heap[base + C.ONE_MINUS_BETA1] = update.oneMinusBeta1;
    heap[base + C.BETA2] = update.beta2;
    heap[base + C.ONE_MINUS_BETA2] = update.oneMinusBeta2;
    heap[base + C.CORRECTION1] = update.correction1;
    heap[base + C.CORRECTION2] = update.correction2;
    heap[base + C.EPSILON] = update.epsilon;
    // sgdStep, momentumStep, nesterovStep, adamStep; each followed by its weight-decay form.
    const form = kind === "sgd" ? 0 : kind === "momentum" ? 2 : kind === "nesterov" ? 4 : 6;
    const index = OPTIMIZER_BASE + form + (update.decay !== 0 ? 1 : 0);
    if (this.#pool === undefined || length < this.#elementwiseThreshold) {
      this.#kernels[index](pw, pg, this.#constants, p1, p2, length, 0, 0, 0, length, 0);
      return true;
    }
    // Chunks of whole cache lines (8 values), a few per thread, claimed like the chunks of a product.
    const chunks = Math.min(CHUNKS_PER_THREAD * this.threads, Math.ceil(length / 8));
    const job = this.#job;
    job.index = index;
    job.kernel = this.#kernels[index];
    job.c = pw;
    job.a = pg;
    job.b = this.#constants;
    job.m = p1;
    job.k = p2;
    job.n = length;
    job.byColumns = true;
    job.chunkSize = Math.ceil(length / chunks / 8) * 8;
    job.chunks = Math.ceil(length / job.chunkSize);
    job.scratch = 0;
    job.scratchStride = 0;
    this.#pool.run(job);
    return true;
  }

  dispose(): void {
    if (this.#shared) return this.#pool?.release();
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool?.dispose();
  }

  #constantsView: Float32Array | undefined;

  /** The float32 view of the optimizer constants (float32 kernels read them as float32). */
  #constants32(): Float32Array {
    if (this.#constantsView === undefined || this.#constantsView.buffer !== this.memory.buffer) {
      this.#constantsView = new Float32Array(this.memory.buffer, this.#constants, OPTIMIZER_CONSTANTS.COUNT);
    }
    return this.#constantsView;
  }

  #checkLive(): void {
    if (this.#disposed) throw new Error(`Cannot use the "${this.name}" backend: it was disposed`);
  }

  /** C (m×n) = the product `kernel` of a and b, with k the inner size. */
  #product(
    kernel: number,
    out: AnyMatrix,
    a: AnyMatrix,
    b: AnyMatrix,
    m: number,
    k: number,
    n: number,
  ): void {
    this.#checkLive();
    if (m === 0 || n === 0) return;
    const arena = this.#arena;
    let pa = arena.addressOf(a.data);
    if (pa < 0) pa = this.#stage(SLOT_A, a.data);
    let pb = arena.addressOf(b.data);
    if (pb < 0) pb = this.#stage(SLOT_B, b.data);
    let pc = arena.addressOf(out.data);
    const outside = pc < 0;
    if (outside) pc = this.#slot(SLOT_OUT, m * n);
    const parallel = this.#pool !== undefined && m * n * k >= this.#threshold;
    const threads = parallel ? this.threads : 1;
    // scratchBytes() of _kernels.ts: the A panels of m rows and one B panel, each k deep
    const perThread = this.#float32
      ? scratchBytes32(k, n)
      : (Math.ceil(m / this.#blockRows) * this.#panelStride + 32) * k;
    if (perThread * threads > this.#scratchBytes) {
      this.#scratchBytes = Math.max(perThread * threads, 2 * this.#scratchBytes);
      arena.free(this.#scratch);
      this.#scratch = arena.allocate(this.#scratchBytes);
    }
    if (threads === 1) {
      this.#kernels[kernel](pc, pa, pb, m, k, n, 0, m, 0, n, this.#scratch);
    } else {
      this.#split(kernel, pc, pa, pb, m, k, n, perThread);
    }
    if (outside) out.data.set(this.#view(SLOT_OUT, m * n));
  }

  /**
   * Splits C along its longer side (in whole register blocks) into a few chunks per thread, which the
   * calling thread and the workers claim in turn. Each element is computed by one thread, in the same order
   * as on one thread, so results do not depend on who computed what.
   */
  #split(
    kernel: number,
    pc: number,
    pa: number,
    pb: number,
    m: number,
    k: number,
    n: number,
    perThread: number,
  ): void {
    const rowBlock = this.#blockRows, colBlock = this.#panelCols;
    const rowBlocks = Math.ceil(m / rowBlock), colBlocks = Math.ceil(n / colBlock);
    const byColumns = colBlocks >= rowBlocks;
    const blocks = byColumns ? colBlocks : rowBlocks;
    const blocksPerChunk = Math.ceil(blocks / Math.min(blocks, CHUNKS_PER_THREAD * this.threads));
    const job = this.#job;
    job.index = kernel;
    job.kernel = this.#kernels[kernel];
    job.c = pc;
    job.a = pa;
    job.b = pb;
    job.m = m;
    job.k = k;
    job.n = n;
    job.byColumns = byColumns;
    job.chunkSize = blocksPerChunk * (byColumns ? colBlock : rowBlock);
    job.chunks = Math.ceil(blocks / blocksPerChunk);
    job.scratch = this.#scratch;
    job.scratchStride = perThread;
    this.#pool!.run(job);
  }

  /** Address of scratch slot `slot` with room for `length` values (reallocated only when it grows). */
  #slot(slot: number, length: number): number {
    if (length > this.#slotCapacity[slot]) {
      const capacity = Math.max(length, 2 * this.#slotCapacity[slot]);
      this.#arena.free(this.#slotAddress[slot]);
      this.#slotAddress[slot] = this.#arena.allocate(capacity * 8);
      this.#slotCapacity[slot] = capacity;
      this.#slotView[slot] = undefined;
    }
    return this.#slotAddress[slot];
  }

  /** Copies `data` into scratch slot `slot` and returns its address. */
  #stage(slot: number, data: FloatArray): number {
    const address = this.#slot(slot, data.length);
    if (this.#float32) new Float32Array(this.memory.buffer, address, data.length).set(data);
    else this.#arena.heap.set(data, address / 8);
    return address;
  }

  /** A view of the first `length` values of slot `slot` (cached, so repeated shapes allocate nothing). */
  #view(slot: number, length: number): FloatArray {
    let view = this.#slotView[slot];
    if (view === undefined || view.length !== length || view.buffer !== this.memory.buffer) {
      view = this.#float32
        ? new Float32Array(this.memory.buffer, this.#slotAddress[slot], length)
        : this.#arena.view(this.#slotAddress[slot], length);
      this.#slotView[slot] = view;
    }
    return view;
  }
}

function resolveKernelOptions(options: WasmBackendOptions): KernelOptions {
  const features = detectFeatures();
  if (!features.simd || !features.sharedMemory) {
    throw new Error("Cannot create the wasm backend: this runtime lacks WebAssembly SIMD or shared memory");
  }
  const fma = options.fma ?? features.relaxedSimd;
  if (fma && !features.relaxedSimd) {
    throw new Error("Cannot create the wasm backend with fma: this runtime lacks WebAssembly relaxed SIMD");
  }
  return { fma };
}

function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(
      `Cannot create the wasm backend: "threads" must be an integer from 1 to 64, got "${threads}"`,
    );
  }
}

function maximumPages(options: WasmBackendOptions): number {
  const bytes = options.maxMemoryBytes ?? MAX_PAGES * PAGE_BYTES;
  if (!(bytes >= PAGE_BYTES)) {
    throw new RangeError(`Cannot create the wasm backend: "maxMemoryBytes" must be at least ${PAGE_BYTES}`);
  }
  return Math.min(MAX_PAGES, Math.floor(bytes / PAGE_BYTES));
}

/** Default `idleMilliseconds`: long enough that a training run never stops its workers between batches. */
export const DEFAULT_IDLE_MILLISECONDS = 500;

/**
 * Default `smallProductThreshold` (multiply-adds per row of the result, k·n) of `createBackend` and
 * `defaultBackend`. Measured with the plain and the WebAssembly kernels on the same arrays: equal speed at
 * 4×3×3 (k·n = 9), WebAssembly 4× faster at 8³ (k·n = 64); XOR's products have k·n from 3 to 12.
 */
export const DEFAULT_SMALL_PRODUCT_THRESHOLD = 16;

/** Default `smallElementwiseThreshold` of `createBackend` and `defaultBackend` (XOR's arrays have 1–12 values). */
export const DEFAULT_SMALL_ELEMENTWISE_THRESHOLD = 64;

type Prepared = Pick<Parts, "module" | "arena" | "kernelOptions" | "dtype">;

function prepare(options: WasmBackendOptions): Prepared {
  const kernelOptions = resolveKernelOptions(options);
  const pages = maximumPages(options);
  const bytes = options.dtype === "float32"
    ? kernelModuleBytes32(kernelOptions, pages)
    : kernelModuleBytes(kernelOptions, pages);
  const module = new WebAssembly.Module(bytes);
  const arena = new Arena(Math.min(INITIAL_PAGES, pages), pages);
  return { module, arena, kernelOptions, dtype: options.dtype ?? "float64" };
}

/** The workers of a backend with `threads` threads (started on its first large product), or undefined for one. */
function newPool(prepared: Prepared, options: WasmBackendOptions, threads: number): ThreadPool | undefined {
  checkThreads(threads);
  if (threads === 1) return undefined;
  if (!detectFeatures().workers) {
    throw new Error("Cannot create the wasm backend with threads: this runtime has no Worker");
  }
  return new ThreadPool({
    module: prepared.module,
    memory: prepared.arena.memory,
    kernels: POOL_KERNELS,
    workers: threads - 1,
    spinMilliseconds: options.spinMilliseconds ?? 2,
    idleMilliseconds: options.idleMilliseconds ?? DEFAULT_IDLE_MILLISECONDS,
  });
}

/**
 * Creates the WebAssembly backend synchronously (the module is small enough to compile at once), with
 * `threads` threads: the caller plus `threads - 1` Workers that share the memory, started on the first large
 * product and stopped again after `idleMilliseconds` without one. Throws when the runtime lacks WebAssembly
 * SIMD or shared memory.
 *
 * @example
 * ```ts
 * import { createWasmBackendSync } from "./backend_wasm.ts";
 * const backend = createWasmBackendSync();
 * const a = backend.allocate(2, 3), b = backend.allocate(3, 2), out = backend.allocate(2, 2);
 * a.data.set([1, 2, 3, 4, 5, 6]);
 * b.data.set([1, 0, 0, 1, 1, 1]);
 * backend.matmul(out, a, b);
 * console.assert(out.get(1, 1) === 11);
 * backend.dispose();
 * ```
 */
export function createWasmBackendSync(
  options: WasmBackendOptions & { dtype: "float32" },
): WasmBackend<Float32Array>;
export function createWasmBackendSync(options?: WasmBackendOptions & { dtype?: "float64" }): WasmBackend;
export function createWasmBackendSync(options: WasmBackendOptions): WasmBackend<FloatArray>;
export function createWasmBackendSync(options: WasmBackendOptions = {}): WasmBackend<FloatArray> {
  const prepared = prepare(options);
  const pool = newPool(prepared, options, options.threads ?? 1);
  return new WasmSimdBackend({ ...prepared, pool, options, shared: false });
}

/**
 * Creates the WebAssembly backend with `threads` threads like `createWasmBackendSync`, and resolves once
 * its workers are running. `dispose()` stops them at once; otherwise they stop after `idleMilliseconds`
 * without a large product, and the process can exit.
 */
export async function createWasmBackend(
  options: WasmBackendOptions & { dtype: "float32" },
): Promise<WasmBackend<Float32Array>>;
export async function createWasmBackend(
  options?: WasmBackendOptions & { dtype?: "float64" },
): Promise<WasmBackend>;
export async function createWasmBackend(options: WasmBackendOptions): Promise<WasmBackend<FloatArray>>;
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend<FloatArray>> {
  const backend = createWasmBackendSync(options);
  const pool = (backend as WasmSimdBackend).pool;
  if (pool !== undefined) {
    try {
      await pool.start();
    } catch (error) {
      backend.dispose();
      throw error;
    }
  }
  return backend;
}

/** The kind named by `TERMNET_BACKEND`, or undefined when it is unset or may not be read without a prompt. */
function kindFromEnvironment(): BackendKind | undefined {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  let value: string | undefined;
  try {
    const status = deno?.permissions?.querySync?.({ name: "env", variable: BACKEND_ENV_VARIABLE });
    if (status?.state !== "granted") return undefined;
    value = deno?.env.get(BACKEND_ENV_VARIABLE);
  } catch {
    return undefined;
  }
  if (value === undefined || value === "") return undefined;
  if (value !== "auto" && value !== "js" && value !== "wasm") {
    throw new RangeError(
      `Cannot read "${BACKEND_ENV_VARIABLE}": expected "auto", "js" or "wasm", got "${value}"`,
    );
  }
  return value;
}

/** The kind to use: `requested`, or for `"auto"` what `TERMNET_BACKEND` names, else `"auto"`. */
function resolveKind(requested: BackendKind | undefined): BackendKind {
  const kind = requested ?? "auto";
  if (kind !== "auto" && kind !== "js" && kind !== "wasm") {
    throw new RangeError(`Cannot create a backend: "kind" must be "auto", "js" or "wasm", got "${kind}"`);
  }
  return kind === "auto" ? kindFromEnvironment() ?? "auto" : kind;
}

/** Whether this runtime can run the WebAssembly backend. */
function wasmAvailable(): boolean {
  const features = detectFeatures();
  return features.simd && features.sharedMemory;
}

/**
 * Creates a backend: the WebAssembly SIMD one when `kind` is `"wasm"`, or `"auto"` and the runtime supports
 * it; otherwise the plain JS backend (`jsBackend`, whose `dispose` does nothing). With `"auto"`, products and
 * elementwise steps too small to gain from WebAssembly run the plain kernels (see
 * `DEFAULT_SMALL_PRODUCT_THRESHOLD`). The backend has memory of its own; `new Network(...)` without a
 * backend uses the process-wide one of `defaultBackend` instead.
 *
 * @example
 * ```ts
 * import { createBackend } from "./backend_wasm.ts";
 * import { Matrix } from "../matrix.ts";
 * const backend = await createBackend({ kind: "auto" });
 * const out = backend.allocate(1, 1);
 * backend.matmul(out, Matrix.from([[1, 2]]), Matrix.from([[3], [4]]));
 * console.assert(out.get(0, 0) === 11);
 * backend.dispose();
 * ```
 */
export async function createBackend(options: BackendOptions = {}): Promise<Backend> {
  const kind = resolveKind(options.kind);
  const plain = options.dtype === "float32" ? jsBackend32 : jsBackend;
  if (kind === "js") return plain;
  if (kind === "wasm") return await createWasmBackend(options);
  if (!wasmAvailable()) return plain;
  const threads = detectFeatures().workers ? options.threads ?? 1 : 1;
  return await createWasmBackend({
    smallProductThreshold: DEFAULT_SMALL_PRODUCT_THRESHOLD,
    smallElementwiseThreshold: DEFAULT_SMALL_ELEMENTWISE_THRESHOLD,
    ...options,
    threads,
  });
}

/** Options of `defaultBackend`. */
export interface DefaultBackendOptions {
  /** `"auto"` (default: WebAssembly SIMD when available, overridable by `TERMNET_BACKEND`), `"js"` or `"wasm"`. */
  kind?: BackendKind;
  /** Threads computing each large product, the calling thread included (default 1). */
  threads?: number;
  /**
   * The most weights (inputs × units) of any layer of the network the backend is for. With `"auto"`, a
   * network whose every layer has fewer than `DEFAULT_SMALL_PRODUCT_THRESHOLD` gets the plain backend: each
   * of its products would run the plain kernels anyway, and the calls into WebAssembly only add overhead.
   */
  largestLayerWeights?: number;
  /** The element type of the matrices (default `"float64"`); `"float32"` gives a float32 backend. */
  dtype?: DType;
}

// The process-wide default backends, one per dtype and thread count; those of a dtype share one module and
// one memory.
const sharedParts: Partial<Record<DType, Prepared>> = {};
const sharedBackends: Record<DType, (WasmSimdBackend | undefined)[]> = { float64: [], float32: [] };

/** The process-wide WebAssembly backend with `threads` threads (created on first use, synchronously). */
function sharedWasmBackend(threads: number, dtype: DType): Backend {
  checkThreads(threads);
  let backend = sharedBackends[dtype][threads];
  if (backend === undefined) {
    const parts = sharedParts[dtype] ??= prepare({ dtype });
    const options: WasmBackendOptions = {
      smallProductThreshold: DEFAULT_SMALL_PRODUCT_THRESHOLD,
      smallElementwiseThreshold: DEFAULT_SMALL_ELEMENTWISE_THRESHOLD,
    };
    const pool = newPool(parts, options, threads);
    backend = new WasmSimdBackend({ ...parts, pool, options, shared: true });
    sharedBackends[dtype][threads] = backend;
  }
  return backend;
}

/**
 * The backend a `Network` uses when given none: synchronously, the process-wide WebAssembly SIMD backend
 * with `threads` threads when the runtime has it (and neither `kind: "js"` nor `TERMNET_BACKEND=js` says
 * otherwise, and the network is not tiny: see `largestLayerWeights`), else the plain `jsBackend`. Every network on it shares one memory, and the blocks of a network
 * that is garbage-collected are reused. Its worker threads start on the first large product and stop after
 * `DEFAULT_IDLE_MILLISECONDS` without one, so programs exit by themselves; its `dispose()` only stops them
 * early (the backend stays usable).
 *
 * @example
 * ```ts
 * import { defaultBackend } from "./backend_wasm.ts";
 * import { jsBackend } from "../backend.ts";
 * const backend = defaultBackend();
 * console.assert(backend === defaultBackend());
 * console.assert(defaultBackend({ kind: "js" }) === jsBackend);
 * ```
 */
export function defaultBackend(options: DefaultBackendOptions = {}): Backend {
  const threads = options.threads ?? 1;
  checkThreads(threads);
  const kind = resolveKind(options.kind);
  const plain = options.dtype === "float32" ? jsBackend32 : jsBackend;
  if (kind === "js") {
    if (options.kind === "js" && threads > 1) {
      throw new RangeError(`Cannot use ${threads} threads on the js backend: threads need the wasm backend`);
    }
    return plain;
  }
  if (kind === "auto") {
    const tiny = (options.largestLayerWeights ?? Infinity) < DEFAULT_SMALL_PRODUCT_THRESHOLD;
    if (tiny || !wasmAvailable()) return plain;
  }
  return sharedWasmBackend(
    kind === "auto" && !detectFeatures().workers ? 1 : threads,
    options.dtype ?? "float64",
  );
}
