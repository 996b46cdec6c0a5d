// Kernels: emits the WebAssembly module with the three matrix products (A·B, A·Bᵀ, Aᵀ·B) in f64x2 SIMD.
//
// Each product is a driver that walks an output sub-block C[i0:i1, j0:j1] (so threads can split C) in
// register blocks, calling one micro-kernel per block. Every output element is one chain of
// multiply-adds over p = 0, 1, …, k-1 in a fixed order that does not depend on the block it falls in, so
// splitting C between threads gives bit-identical results.
//
//   A·B and Aᵀ·B ("panel" kernels): a block of R rows × 4 columns of C is R × 2 f64x2 accumulators; at each
//   p, two vectors of B's row p are multiplied by each of the R values a(i, p) broadcast to both lanes.
//   B's 4 columns are first packed into a contiguous panel (32 bytes per p), which avoids cache-set
//   conflicts when B's rows are a power-of-two apart; for Aᵀ·B the R values of A are packed too. V8 keeps
//   15 SIMD registers allocatable on x64 (PERF-NOTES.md): 6 × 4 is 12 accumulators + 2 B vectors + 1
//   broadcast, which only fits with a fused multiply-add. Deno runs WebAssembly with explicit bounds
//   checks (a compare and branch per load, measured from the generated code), so loads cost more than
//   usual: Aᵀ·B loads two packed values of A at once and broadcasts each lane with a shuffle (5 × 4 then
//   fits: 10 + 2 + 2), which measured ~10% faster. The checks cannot be dropped from inside the program:
//   with Deno 2.9.6 (V8 15.0) a non-shared memory, or one with a smaller maximum, runs the kernels at the
//   same speed as the shared one (V8 uses guard regions and a trap handler only when the embedder installs
//   one), while the diagnostic, unsafe flag --no-wasm-bounds-checks makes them ~25% faster (21–22 → 26–28
//   GFLOP/s on one core at the network's shapes).
//
//   A·Bᵀ ("dot" kernel): C[i][j] = a_i · b_j with both rows contiguous, vectorised over p: lane 0 sums the
//   even p, lane 1 the odd p, then lane 0 + lane 1, then the last term when k is odd. R rows of A × 2 rows
//   of B per block.

import { elementwiseFunctions } from "./_elementwise.ts";
import { Code, encodeModule, type FunctionDef, I32, V128 } from "./_emitter.ts";

/** How the kernels are built: with the relaxed fused multiply-add or with f64x2.mul then f64x2.add. */
export interface KernelOptions {
  /** Use `f64x2.relaxed_madd` (needs relaxed SIMD); otherwise `f64x2.mul` + `f64x2.add`. */
  fma: boolean;
  /** Rows of C per panel block (A·B and Aᵀ·B); default 6 with FMA, 4 without. */
  panelRows?: number;
  /** Rows of A per dot block (A·Bᵀ); default 6 with FMA, 4 without. */
  dotRows?: number;
  /** Values of p per iteration of the panel kernels' inner loop; default 4. */
  unroll?: number;
  /** Rows of C per block of Aᵀ·B; default 5 with pairs, else `panelRows`. */
  transposedRows?: number;
  /** Aᵀ·B loads two rows of the packed A panel at once and broadcasts each with a shuffle (default: fma). */
  pairs?: boolean;
}

/** Columns of C per panel block (two f64x2 vectors). */
export const PANEL_COLS = 4;
/** Rows of B (columns of C) per dot block. */
export const DOT_COLS = 2;

/** The signature of the three exported drivers: C[i0:i1, j0:j1] of the product, all pointers in bytes. */
export type KernelFunction = (
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
) => void;

/** The names the module exports, one per product form. */
export const KERNEL_NAMES = ["matmul", "matmulTransposeB", "matmulTransposeA"] as const;

/** One of the three product forms. */
export type KernelName = typeof KERNEL_NAMES[number];

type Form = "ab" | "atb" | "abt";

// Micro-kernel parameters, shared by every micro-kernel: pointers to a(i, 0) (or a(0, i) for Aᵀ·B),
// to the first value of B the block reads, to c(i, j); k; and two byte strides (see driverArgs).
const AP = 0, BP = 1, CP = 2, K = 3, S1 = 4, S2 = 5;
const MICRO_PARAMS = [I32, I32, I32, I32, I32, I32] as const;

const LO_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HI_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
const DUP_LO_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7];
const DUP_HI_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const SWAP_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

function madd(code: Code, a: number, b: number, acc: number, fma: boolean): void {
  if (fma) {
    code.get(a).get(b).get(acc).f64x2RelaxedMadd().set(acc);
  } else {
    code.get(a).get(b).f64x2Mul().get(acc).f64x2Add().set(acc);
  }
}

/**
 * A·B or Aᵀ·B micro-kernel for an R × W block of C (W = 1…4 columns), reading B from a packed panel:
 * 4 values of B's row p at bP + 32·p (zero-padded when W < 4). A·B reads A in place: a(i + r, p) at
 * aP + r·s1 + 8·p with s1 = k·8. Aᵀ·B reads a packed panel of A: a(p, i + r) at aP + `panelStride`·p + 8·r.
 * s2 = n·8 (between rows of C). The loop over p is unrolled by `unroll`.
 */
function panelKernel(
  form: "ab" | "atb",
  rows: number,
  cols: number,
  options: { fma: boolean; unroll: number; panelStride: number; pairs: boolean },
): Code {
  const { fma, unroll, panelStride, pairs } = options;
  const code = new Code(MICRO_PARAMS.length);
  const acc = Array.from({ length: rows }, () => [code.local(V128), code.local(V128)]);
  const bv = [code.local(V128), code.local(V128)];
  const av = code.local(V128);
  const pair = code.local(V128);
  const aStep = form === "ab" ? 8 : panelStride;
  // A·B: rowOffset[r] = r·s1.
  const rowOffset: number[] = [-1];
  if (form === "ab") {
    for (let r = 1; r < rows; r++) {
      rowOffset.push(code.local(I32));
      code.get(S1).i32Const(r).i32Mul().set(rowOffset[r]);
    }
  }
  const step = (u: number) => {
    code.get(BP).v128Load(32 * u).set(bv[0]);
    code.get(BP).v128Load(32 * u + 16).set(bv[1]);
    if (form === "atb" && pairs) {
      // Two rows per load: (a(p, i + r), a(p, i + r + 1)), each lane broadcast by a shuffle.
      for (let r = 0; r < rows; r += 2) {
        if (r + 1 === rows) {
          code.get(AP).v128Load64Splat(panelStride * u + 8 * r).set(av);
          madd(code, av, bv[0], acc[r][0], fma);
          madd(code, av, bv[1], acc[r][1], fma);
          continue;
        }
        code.get(AP).v128Load(panelStride * u + 8 * r).tee(pair).get(pair).i8x16Shuffle(DUP_LO_LANES).set(av);
        madd(code, av, bv[0], acc[r][0], fma);
        madd(code, av, bv[1], acc[r][1], fma);
        code.get(pair).get(pair).i8x16Shuffle(DUP_HI_LANES).set(pair);
        madd(code, pair, bv[0], acc[r + 1][0], fma);
        madd(code, pair, bv[1], acc[r + 1][1], fma);
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      code.get(AP);
      if (form === "ab") {
        if (r > 0) code.get(rowOffset[r]).i32Add();
        code.v128Load64Splat(8 * u);
      } else {
        code.v128Load64Splat(panelStride * u + 8 * r);
      }
      code.set(av);
      madd(code, av, bv[0], acc[r][0], fma);
      madd(code, av, bv[1], acc[r][1], fma);
    }
  };
  const advance = (count: number) => {
    code.get(AP).i32Const(aStep * count).i32Add().set(AP);
    code.get(BP).i32Const(32 * count).i32Add().set(BP);
  };
  // Main loop: `unroll` values of p per iteration while at least that many remain.
  code.block().get(K).i32Const(unroll).i32LtS().brIf(0).loop();
  for (let u = 0; u < unroll; u++) step(u);
  advance(unroll);
  code.get(K).i32Const(unroll).i32Sub().tee(K).i32Const(unroll).i32GeS().brIf(0);
  code.end().end();
  // The remaining k mod unroll values, one at a time.
  if (unroll > 1) {
    code.block().get(K).i32Eqz().brIf(0).loop();
    step(0);
    advance(1);
    code.get(K).i32Const(1).i32Sub().tee(K).brIf(0);
    code.end().end();
  }
  for (let r = 0; r < rows; r++) {
    for (let col = 0; col < cols; col += 2) {
      code.get(CP).get(acc[r][col >> 1]);
      if (col + 1 < cols) code.v128Store(col * 8);
      else code.v128Store64Lane(0, col * 8);
    }
    if (r + 1 < rows) code.get(CP).get(S2).i32Add().set(CP);
  }
  return code;
}

/**
 * Packs R values of each of k rows of A (Aᵀ·B: a(p, i…i+R-1), contiguous) into a panel with `panelStride`
 * bytes per p. Parameters: (dst, src, k, stride of A's rows in bytes).
 */
function packRowsKernel(rows: number, panelStride: number): Code {
  const dst = 0, src = 1, k = 2, stride = 3;
  const code = new Code(4);
  code.block().get(k).i32Eqz().brIf(0).loop();
  for (let r = 0; r < rows; r += 2) {
    code.get(dst);
    if (r + 1 < rows) code.get(src).v128Load(r * 8).v128Store(r * 8);
    else code.get(src).v128Load64Zero(r * 8).v128Store(r * 8);
  }
  code.get(dst).i32Const(panelStride).i32Add().set(dst);
  code.get(src).get(stride).i32Add().set(src);
  code.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
  code.end().end();
  return code;
}

/**
 * Packs W (1…4) columns of B, starting at `src`, for k rows of stride s2 into `dst` as 4 values per row
 * (zero-padded). Parameters: (dst, src, k, s2).
 */
function packColumnsKernel(cols: number): Code {
  const dst = 0, src = 1, k = 2, stride = 3;
  const code = new Code(4);
  code.block().get(k).i32Eqz().brIf(0).loop();
  for (let col = 0; col < 4; col += 2) {
    code.get(dst);
    if (col + 1 < cols) code.get(src).v128Load(col * 8);
    else if (col < cols) code.get(src).v128Load64Zero(col * 8);
    else code.v128Zero();
    code.v128Store(col * 8);
  }
  code.get(dst).i32Const(32).i32Add().set(dst);
  code.get(src).get(stride).i32Add().set(src);
  code.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
  code.end().end();
  return code;
}

/** A·Bᵀ micro-kernel for R rows of A × W (1 or 2) rows of B. s1 = k·8 (row stride of A and B), s2 = n·8. */
function dotKernel(rows: number, cols: number, fma: boolean): Code {
  const code = new Code(MICRO_PARAMS.length);
  const acc = Array.from({ length: rows }, () => Array.from({ length: cols }, () => code.local(V128)));
  const bv = Array.from({ length: cols }, () => code.local(V128));
  const av = code.local(V128);
  const offset = code.local(I32);
  const end = code.local(I32);
  const aRow = [AP];
  for (let r = 1; r < rows; r++) {
    aRow.push(code.local(I32));
    code.get(AP).get(S1).i32Const(r).i32Mul().i32Add().set(aRow[r]);
  }
  const bRow = [BP];
  for (let c = 1; c < cols; c++) {
    bRow.push(code.local(I32));
    code.get(BP).get(S1).i32Const(c).i32Mul().i32Add().set(bRow[c]);
  }
  // end = 16 · ⌊k / 2⌋: the byte offset just past the last pair of values.
  code.get(K).i32Const(1).i32ShrU().i32Const(4).i32Shl().set(end);
  const pair = (byteOffset: number) => {
    for (let c = 0; c < cols; c++) code.get(bRow[c]).get(offset).i32Add().v128Load(byteOffset).set(bv[c]);
    for (let r = 0; r < rows; r++) {
      code.get(aRow[r]).get(offset).i32Add().v128Load(byteOffset).set(av);
      for (let c = 0; c < cols; c++) madd(code, av, bv[c], acc[r][c], fma);
    }
  };
  // Two pairs per iteration while at least two remain, then the last one (same order of summation).
  code.block().get(end).i32Const(32).i32LtS().brIf(0).loop();
  pair(0);
  pair(16);
  code.get(offset).i32Const(32).i32Add().tee(offset).i32Const(32).i32Add().get(end).i32GtS().i32Eqz().brIf(0);
  code.end().end();
  code.get(offset).get(end).i32Ne().if();
  pair(0);
  code.end();
  // Horizontal sums into acc[r][0]: lane c holds lane 0 + lane 1 of acc[r][c].
  for (let r = 0; r < rows; r++) {
    if (cols === 2) {
      code.get(acc[r][0]).get(acc[r][1]).i8x16Shuffle(LO_LANES);
      code.get(acc[r][0]).get(acc[r][1]).i8x16Shuffle(HI_LANES);
    } else {
      code.get(acc[r][0]);
      code.get(acc[r][0]).get(acc[r][0]).i8x16Shuffle(SWAP_LANES);
    }
    code.f64x2Add().set(acc[r][0]);
  }
  // The last term when k is odd: bv[0] = (b(j, k-1), b(j+1, k-1)).
  code.get(K).i32Const(1).i32And().if();
  code.get(bRow[0]).get(end).i32Add().v128Load64Zero();
  if (cols === 2) {
    code.set(bv[0]).get(bRow[1]).get(end).i32Add().get(bv[0]).v128Load64Lane(1);
  }
  code.set(bv[0]);
  for (let r = 0; r < rows; r++) {
    code.get(aRow[r]).get(end).i32Add().v128Load64Splat().set(av);
    madd(code, av, bv[0], acc[r][0], fma);
  }
  code.end();
  for (let r = 0; r < rows; r++) {
    code.get(CP).get(acc[r][0]);
    if (cols === 2) code.v128Store();
    else code.v128Store64Lane(0);
    if (r + 1 < rows) code.get(CP).get(S2).i32Add().set(CP);
  }
  return code;
}

// Driver parameters: the output, the operands, the sizes, the block of C to compute, and this thread's
// scratch area (`scratchBytes` long) for packed panels.
const C = 0, A = 1, B = 2, M = 3, DK = 4, N = 5, I0 = 6, I1 = 7, J0 = 8, J1 = 9, SCRATCH = 10;
const DRIVER_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

/** Calls `emit(v)` for the one v in 1…max equal to the i32 local `value`. */
function dispatch(code: Code, value: number, max: number, emit: (v: number) => void): void {
  for (let v = 1; v <= max; v++) {
    code.get(value).i32Const(v).i32Eq().if();
    emit(v);
    code.end();
  }
}

/**
 * Emits `for (x = from; x < to; x += step) body(width)` where width = min(step, to - x) is a compile-time
 * constant in each copy of the body: the full-width loop, then one copy per narrower remainder.
 */
function blockLoop(
  code: Code,
  x: number,
  range: { from: number; to: number; step: number; scratch: number },
  body: (width: number) => void,
): void {
  code.get(range.from).set(x);
  code.block().loop();
  code.get(x).i32Const(range.step).i32Add().get(range.to).i32GtS().brIf(1);
  body(range.step);
  code.get(x).i32Const(range.step).i32Add().set(x).br(0);
  code.end().end();
  code.get(range.to).get(x).i32Sub().set(range.scratch);
  dispatch(code, range.scratch, range.step - 1, body);
}

interface DriverParts {
  rows: number;
  cols: number;
  micro: (r: number, w: number) => number;
  packColumns: (w: number) => number;
  packRows: (r: number) => number;
}

/**
 * The driver computes C[i0:i1, j0:j1] in R × W blocks with full-size blocks first and the narrower ones at
 * the right and bottom edges; each micro-kernel call gets (a pointer, b pointer, c pointer, k, s1, s2).
 *
 *   A·B:  for each column block j: pack B[:, j:j+W] (k × 32 bytes), then for each row block i: micro.
 *   Aᵀ·B: pack all column blocks of B, then for each row block i: pack A[:, i:i+R] (k × panelStride
 *         bytes after the B panels), then for each column block j: micro.
 *   A·Bᵀ: for each column block j, for each row block i: micro on rows of A and B in place.
 */
function driver(form: Form, parts: DriverParts): Code {
  const { rows, cols, micro } = parts;
  const code = new Code(DRIVER_PARAMS.length);
  const i = code.local(I32), j = code.local(I32), s1 = code.local(I32), s2 = code.local(I32);
  const panel = code.local(I32), aPanel = code.local(I32), kBytes = code.local(I32);
  // Separate remainder locals, since the loops nest.
  const iRange = { from: I0, to: I1, step: rows, scratch: code.local(I32) };
  const jRange = { from: J0, to: J1, step: cols, scratch: code.local(I32) };
  code.get(DK).i32Const(3).i32Shl().set(s1);
  code.get(N).i32Const(3).i32Shl().set(s2);
  code.get(DK).i32Const(32).i32Mul().set(kBytes);
  const cPointer = () => code.get(C).get(i).get(s2).i32Mul().i32Add().get(j).i32Const(3).i32Shl().i32Add();
  const bColumns = () => code.get(B).get(j).i32Const(3).i32Shl().i32Add();
  if (form === "ab") {
    blockLoop(code, j, jRange, (w) => {
      code.get(SCRATCH);
      bColumns();
      code.get(DK).get(s2).call(parts.packColumns(w));
      blockLoop(code, i, iRange, (r) => {
        code.get(A).get(i).get(s1).i32Mul().i32Add().get(SCRATCH);
        cPointer();
        code.get(DK).get(s1).get(s2).call(micro(r, w));
      });
    });
  } else if (form === "abt") {
    blockLoop(code, j, jRange, (w) => {
      blockLoop(code, i, iRange, (r) => {
        code.get(A).get(i).get(s1).i32Mul().i32Add();
        code.get(B).get(j).get(s1).i32Mul().i32Add();
        cPointer();
        code.get(DK).get(s1).get(s2).call(micro(r, w));
      });
    });
  } else {
    // Pack B's column blocks one after another, then A's row panel after them.
    code.get(SCRATCH).set(panel);
    blockLoop(code, j, jRange, (w) => {
      code.get(panel);
      bColumns();
      code.get(DK).get(s2).call(parts.packColumns(w));
      code.get(panel).get(kBytes).i32Add().set(panel);
    });
    code.get(panel).set(aPanel);
    blockLoop(code, i, iRange, (r) => {
      code.get(aPanel).get(A).get(i).i32Const(3).i32Shl().i32Add().get(DK);
      code.get(M).i32Const(3).i32Shl().call(parts.packRows(r));
      code.get(SCRATCH).set(panel);
      blockLoop(code, j, jRange, (w) => {
        code.get(aPanel).get(panel);
        cPointer();
        code.get(DK).get(s1).get(s2).call(micro(r, w));
        code.get(panel).get(kBytes).i32Add().set(panel);
      });
    });
  }
  return code;
}

/** Row-block heights the kernels use for `options` (thread splits are made at multiples of these). */
export function blockRows(options: KernelOptions): { panel: number; dot: number; transposed: number } {
  const fallback = options.fma ? 6 : 4;
  const panel = options.panelRows ?? fallback;
  // Aᵀ·B with pairs: 5 rows = 10 accumulators + 2 B vectors + the pair + its broadcast (15 registers).
  const transposed = options.transposedRows ?? (usePairs(options) ? 5 : panel);
  return { panel, dot: options.dotRows ?? fallback, transposed };
}

/** Whether Aᵀ·B broadcasts from pair loads (default: with FMA, where it measured ~10% faster). */
function usePairs(options: KernelOptions): boolean {
  return options.pairs ?? options.fma;
}

/**
 * Bytes of scratch one thread needs for a product of the given form and sizes (`m`×`k` by `k`×`n`
 * whatever the form; the thread's block of C is at most m × n).
 */
export function scratchBytes(
  name: KernelName,
  sizes: { m: number; k: number; n: number },
  options: KernelOptions,
): number {
  const { k, n } = sizes;
  if (name === "matmulTransposeB") return 0;
  if (name === "matmul") return 32 * k;
  return 32 * k * Math.ceil(n / PANEL_COLS) + panelStride(blockRows(options).transposed) * k;
}

/** Bytes per p of the packed A panel of Aᵀ·B (its `scratchBytes` are (32·⌈n/4⌉ + this)·k). */
export function transposedPanelStride(options: KernelOptions): number {
  return panelStride(blockRows(options).transposed);
}

function panelStride(rows: number): number {
  return 16 * Math.ceil(rows / 2);
}

/**
 * Emits the kernel module: it imports `env.memory` (shared, up to `maximumPages`) and exports the three
 * drivers named in `KERNEL_NAMES` and the elementwise kernels of `_elementwise.ts`.
 *
 * @param options FMA or not, and the block heights
 * @param maximumPages the memory's maximum in 64 KiB pages (the memory must be created with the same)
 * @returns the module bytes
 */
export function kernelModuleBytes(options: KernelOptions, maximumPages: number): Uint8Array<ArrayBuffer> {
  const { panel, dot, transposed } = blockRows(options);
  const unroll = options.unroll ?? 4;
  // Bytes per p of a packed A panel: the panel's rows rounded up to whole vectors.
  const stride = panelStride(transposed);
  const functions: FunctionDef[] = [];
  const add = (code: Code, params: readonly number[], exportName?: string) => {
    functions.push({ params: params as FunctionDef["params"], results: [], code, exportName });
    return functions.length - 1;
  };
  const table = (rows: number, cols: number, make: (r: number, w: number) => Code) => {
    const index: number[][] = [];
    for (let r = 1; r <= rows; r++) {
      index[r] = [];
      for (let w = 1; w <= cols; w++) index[r][w] = add(make(r, w), MICRO_PARAMS);
    }
    return (r: number, w: number) => index[r][w];
  };
  const kernelOptions = { fma: options.fma, unroll, panelStride: stride, pairs: usePairs(options) };
  const ab = table(panel, PANEL_COLS, (r, w) => panelKernel("ab", r, w, kernelOptions));
  const atb = table(transposed, PANEL_COLS, (r, w) => panelKernel("atb", r, w, kernelOptions));
  const abt = table(dot, DOT_COLS, (r, w) => dotKernel(r, w, options.fma));
  const packParams = [I32, I32, I32, I32];
  const packColumnsIndex = [0, 1, 2, 3, 4].map((w) => w === 0 ? -1 : add(packColumnsKernel(w), packParams));
  const packRowsIndex = Array.from(
    { length: transposed + 1 },
    (_, r) => r === 0 ? -1 : add(packRowsKernel(r, stride), packParams),
  );
  const parts = (rows: number, cols: number, micro: (r: number, w: number) => number): DriverParts => ({
    rows,
    cols,
    micro,
    packColumns: (w) => packColumnsIndex[w],
    packRows: (r) => packRowsIndex[r],
  });
  add(driver("ab", parts(panel, PANEL_COLS, ab)), DRIVER_PARAMS, "matmul");
  add(driver("abt", parts(dot, DOT_COLS, abt)), DRIVER_PARAMS, "matmulTransposeB");
  add(driver("atb", parts(transposed, PANEL_COLS, atb)), DRIVER_PARAMS, "matmulTransposeA");
  for (const f of elementwiseFunctions()) add(f.code, f.params, f.exportName);
  return encodeModule(functions, { memory: { minimumPages: 1, maximumPages, shared: true } });
}
