// Kernels: emits the WebAssembly module with the three matrix products (A·B, A·Bᵀ, Aᵀ·B) in f64x2 SIMD.
//
// Each product is a driver that walks an output sub-block C[i0:i1, j0:j1] (so threads can split C) in
// register blocks, calling one micro-kernel per block. Every output element is one chain of
// multiply-adds over p = 0, 1, …, k-1 in a fixed order that does not depend on the block it falls in, so
// splitting C between threads gives bit-identical results.
//
// All three forms share one micro-kernel on packed panels; only the packing differs. A's R rows (6 with
// FMA, 4 without) are packed as pairs: (a(i, p), a(i+1, p)) is one vector. B's 4 columns are packed as
// 4 values per p (two vectors). A block of R × 4 of C is R × 2 f64x2 accumulators, which hold C
// "rotated": at each p, each pair of A multiplies each vector (b(p, j), b(p, j+1)) of B as loaded, into
// d = (c(i, j), c(i+1, j+1)), and with its lanes swapped, into s = (c(i+1, j), c(i, j+1)); at the end a
// blend of d and s gives each row. Per p that is R/2 + 2 loads and R/2 shuffles for 2·R fused
// multiply-adds (6 × 4: 5 loads for 12), where broadcasting each a(i, p) takes R + 2 loads (8 for 12).
//
// Loads matter because Deno runs WebAssembly with explicit bounds checks (a compare and branch per load,
// measured from the generated code); the integer work competes with the multiply-adds. The checks cannot
// be dropped from inside the program: with Deno 2.9.6 (V8 15.0) a non-shared memory, or one with a
// smaller maximum, runs the kernels at the same speed as the shared one (V8 uses guard regions and a trap
// handler only when the embedder installs one), while the diagnostic, unsafe flag --no-wasm-bounds-checks
// made the earlier broadcasting kernels ~25% faster. V8 keeps 15 SIMD registers allocatable on x64
// (PERF-NOTES.md): 6 × 4 is 12 accumulators + 2 B vectors + 1 pair of A, which only fits with a fused
// multiply-add (mul + add needs one more temporary, so 4 × 4 without FMA).
//
// Measured on one core at the network's shapes (bench/matmul_gflops.ts, medians of 9, 2026-11-29, load
// ≤ 1.3): broadcasting 6 × 4 (5 × 4 with pair loads for Aᵀ·B, a dot-product kernel for A·Bᵀ) 23–24 GFLOP/s
// for 64×784×128 A·Bᵀ, 128×64×784 Aᵀ·B and 64×128×784 A·B; this kernel, unrolled by 8, in equal passes of
// at most 256 values of p (so a pass's panels stay in L1; a later pass starts from C, which is exact),
// 24.5–26 / 25.5–27.5 / 25.5–27.5. Without bounds checks (diagnostic flag) it is only ~5% faster now: the
// two FMA ports, not the loads, are the limit. Packing costs one pass over A per call and one over B per
// pass: small products lose to it (64×64×10: ~19 against ~21 broadcasting; < 1% of a step's work).

import { elementwiseFunctions } from "./_elementwise.ts";
import { Code, encodeModule, type FunctionDef, I32, V128 } from "./_emitter.ts";

/** How the kernels are built: with the relaxed fused multiply-add or with f64x2.mul then f64x2.add. */
export interface KernelOptions {
  /** Use `f64x2.relaxed_madd` (needs relaxed SIMD); otherwise `f64x2.mul` + `f64x2.add`. */
  fma: boolean;
  /** Rows of C per block (1 to 6); default 6 with FMA, 4 without. */
  panelRows?: number;
  /** Values of p per iteration of the micro-kernel's inner loop; default 8. */
  unroll?: number;
  /** Values of p per pass over C: the panels of one pass stay in the L1 cache; default 256. */
  depth?: number;
}

/** Columns of C per block (two f64x2 vectors). */
export const PANEL_COLS = 4;

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

// Micro-kernel parameters: pointers to the block's packed A panel and packed B panel, to c(i, j); k; and
// the byte stride between rows of C.
const AP = 0, BP = 1, CP = 2, K = 3, S2 = 4, MORE = 5;
const MICRO_PARAMS = [I32, I32, I32, I32, I32, I32] as const;

const LO_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HI_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
const SWAP_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const BLEND_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31];

function madd(code: Code, a: number, b: number, acc: number, fma: boolean): void {
  if (fma) {
    code.get(a).get(b).get(acc).f64x2RelaxedMadd().set(acc);
  } else {
    code.get(a).get(b).f64x2Mul().get(acc).f64x2Add().set(acc);
  }
}

/**
 * Rotating micro-kernel for an R × W block of C (R = 1…`panelRows`, W = 1…4), both operands packed:
 * A as pairs of rows, (a(i + 2q, p), a(i + 2q + 1, p)) at aP + `panelStride`·p + 16·q, and B as 4 values
 * of row p at bP + 32·p (zero-padded). At each p, each pair of A multiplies each vector of B twice: as
 * loaded, into d = (c(i, j), c(i+1, j+1)), and with its lanes swapped, into s = (c(i+1, j), c(i, j+1)); a
 * blend of d and s gives each row of C at the end. That is R/2 + 2 loads and R/2 shuffles per 2·R
 * multiply-adds (6 × 4: 5 loads for 12, where broadcasting A takes 8).
 */
function rotatingKernel(
  rows: number,
  cols: number,
  options: { fma: boolean; unroll: number; panelStride: number },
): Code {
  const { fma, unroll, panelStride } = options;
  const code = new Code(MICRO_PARAMS.length);
  const aPairs = Math.ceil(rows / 2), bPairs = Math.ceil(cols / 2);
  const d = Array.from({ length: aPairs }, () => Array.from({ length: bPairs }, () => code.local(V128)));
  const s = Array.from({ length: aPairs }, () => Array.from({ length: bPairs }, () => code.local(V128)));
  const bv = Array.from({ length: bPairs }, () => code.local(V128));
  const av = code.local(V128);
  // Continuing a product over earlier values of p (MORE ≠ 0): start from C, rotated, instead of zero.
  code.get(MORE).if();
  const row = code.local(I32);
  code.get(CP).set(row);
  for (let r = 0; r < rows; r += 2) {
    for (let c = 0; c < bPairs; c++) {
      const load = (rowPointer: () => void) => {
        rowPointer();
        if (2 * c + 1 < cols) code.v128Load(16 * c);
        else code.v128Load64Zero(16 * c);
      };
      // d = (c(i, j), c(i+1, j+1)), s = (c(i+1, j), c(i, j+1)) from the rows (c(i, j), c(i, j+1)) and
      // (c(i+1, j), c(i+1, j+1)); the second is zero past the last row.
      load(() => code.get(row));
      if (r + 1 < rows) load(() => code.get(row).get(S2).i32Add());
      else code.v128Zero();
      code.i8x16Shuffle(BLEND_LANES).set(d[r >> 1][c]);
      if (r + 1 < rows) load(() => code.get(row).get(S2).i32Add());
      else code.v128Zero();
      load(() => code.get(row));
      code.i8x16Shuffle(BLEND_LANES).set(s[r >> 1][c]);
    }
    if (r + 2 < rows) code.get(row).get(S2).i32Const(1).i32Shl().i32Add().set(row);
  }
  code.end();
  const step = (u: number) => {
    for (let q = 0; q < bPairs; q++) code.get(BP).v128Load(32 * u + 16 * q).set(bv[q]);
    for (let q = 0; q < aPairs; q++) {
      code.get(AP).v128Load(panelStride * u + 16 * q).set(av);
      for (let c = 0; c < bPairs; c++) madd(code, av, bv[c], d[q][c], fma);
      code.get(av).get(av).i8x16Shuffle(SWAP_LANES).set(av);
      for (let c = 0; c < bPairs; c++) madd(code, av, bv[c], s[q][c], fma);
    }
  };
  const advance = (count: number) => {
    code.get(AP).i32Const(panelStride * count).i32Add().set(AP);
    code.get(BP).i32Const(32 * count).i32Add().set(BP);
  };
  code.block().get(K).i32Const(unroll).i32LtS().brIf(0).loop();
  for (let u = 0; u < unroll; u++) step(u);
  advance(unroll);
  code.get(K).i32Const(unroll).i32Sub().tee(K).i32Const(unroll).i32GeS().brIf(0);
  code.end().end();
  if (unroll > 1) {
    code.block().get(K).i32Eqz().brIf(0).loop();
    step(0);
    advance(1);
    code.get(K).i32Const(1).i32Sub().tee(K).brIf(0);
    code.end().end();
  }
  // Row i + 2q = (d.lane 0, s.lane 1), row i + 2q + 1 = (s.lane 0, d.lane 1).
  for (let r = 0; r < rows; r++) {
    const q = r >> 1;
    for (let c = 0; c < bPairs; c++) {
      code.get(CP);
      if (r % 2 === 0) code.get(d[q][c]).get(s[q][c]);
      else code.get(s[q][c]).get(d[q][c]);
      code.i8x16Shuffle(BLEND_LANES);
      if (2 * c + 1 < cols) code.v128Store(16 * c);
      else code.v128Store64Lane(0, 16 * c);
    }
    if (r + 1 < rows) code.get(CP).get(S2).i32Add().set(CP);
  }
  return code;
}

/**
 * Packs R values a(i + r, p), r < R, from R rows `stride` bytes apart (a(i + r, p) at src + r·stride + 8p)
 * into a panel with `panelStride` bytes per p, zero-padded to whole vectors. Parameters: (dst, src, k,
 * stride).
 */
function gatherRowsKernel(rows: number, panelStride: number): Code {
  const dst = 0, src = 1, k = 2, stride = 3;
  const code = new Code(4);
  const row = [src];
  for (let r = 1; r < rows; r++) {
    row.push(code.local(I32));
    code.get(src).get(stride).i32Const(r).i32Mul().i32Add().set(row[r]);
  }
  const first = code.local(V128), second = code.local(V128);
  // Two values of p at a time: (x(r, p), x(r, p+1)) and (x(r+1, p), x(r+1, p+1)) give the vectors of rows
  // r, r+1 at p and at p + 1 by two shuffles.
  code.block().get(k).i32Const(2).i32LtS().brIf(0).loop();
  for (let r = 0; r < panelStride / 8; r += 2) {
    if (r < rows) code.get(row[r]).v128Load().set(first);
    else code.v128Zero().set(first);
    if (r + 1 < rows) code.get(row[r + 1]).v128Load().set(second);
    else code.v128Zero().set(second);
    code.get(dst).get(first).get(second).i8x16Shuffle(LO_LANES).v128Store(r * 8);
    code.get(dst).get(first).get(second).i8x16Shuffle(HI_LANES).v128Store(panelStride + r * 8);
  }
  code.get(dst).i32Const(2 * panelStride).i32Add().set(dst);
  for (let r = 0; r < rows; r++) code.get(row[r]).i32Const(16).i32Add().set(row[r]);
  code.get(k).i32Const(2).i32Sub().tee(k).i32Const(2).i32GeS().brIf(0);
  code.end().end();
  // The last value of p when k is odd.
  code.get(k).if();
  for (let r = 0; r < panelStride / 8; r += 2) {
    code.get(dst);
    if (r + 1 < rows) code.get(row[r + 1]).get(row[r]).v128Load64Zero().v128Load64Lane(1);
    else if (r < rows) code.get(row[r]).v128Load64Zero();
    else code.v128Zero();
    code.v128Store(r * 8);
  }
  code.end();
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

interface PackedParts {
  rows: number;
  depth: number;
  panelStride: number;
  micro: (r: number, w: number) => number;
  packRows: (r: number) => number;
  packColumns: (w: number) => number;
}

/**
 * The rotating driver computes C[i0:i1, j0:j1] of any of the three forms from packed panels: first every
 * R-row panel of A for rows i0…i1 (A·B and A·Bᵀ gather from R rows of A; Aᵀ·B copies R contiguous values
 * of each row), one after another at `scratch`; then for each column block j, B's 4 columns (A·B and Aᵀ·B
 * copy them from each row of B; A·Bᵀ gathers them from 4 rows of B) after the A panels, then for each row
 * block i: micro.
 */
function packedDriver(form: Form, parts: PackedParts): Code {
  const { rows, panelStride, micro, depth } = parts;
  const code = new Code(DRIVER_PARAMS.length);
  const i = code.local(I32), j = code.local(I32), s2 = code.local(I32);
  const aPanel = code.local(I32), bPanel = code.local(I32), aBytes = code.local(I32);
  const aStride = code.local(I32), bStride = code.local(I32);
  const pc = code.local(I32), kc = code.local(I32), aBase = code.local(I32), bBase = code.local(I32);
  const iRange = { from: I0, to: I1, step: rows, scratch: code.local(I32) };
  const jRange = { from: J0, to: J1, step: PANEL_COLS, scratch: code.local(I32) };
  code.get(N).i32Const(3).i32Shl().set(s2);
  // Bytes between a(i, p) and a(i + 1, p) (Aᵀ·B: rows of A are values of p) or between rows of A.
  code.get(form === "atb" ? M : DK).i32Const(3).i32Shl().set(aStride);
  code.get(form === "abt" ? DK : N).i32Const(3).i32Shl().set(bStride);
  // Passes of equal depth (a multiple of 8 up to `depth`), so that no short last pass pays the per-pass costs
  // for a few values of p: step = ⌈k / ⌈k / depth⌉⌉ rounded up to a multiple of 8.
  const step = code.local(I32);
  code.get(DK).i32Const(depth - 1).i32Add().i32Const(depth).i32DivU().set(step);
  code.get(step).i32Eqz().if().i32Const(1).set(step).end();
  code.get(DK).get(step).i32Add().i32Const(1).i32Sub().get(step).i32DivU();
  code.i32Const(7).i32Add().i32Const(-8).i32And().set(step);
  // for (pc = 0; ; ) { kc = min(step, k - pc); …; pc += step; if (pc >= k) break } (once when k = 0)
  code.block().loop();
  code.get(DK).get(pc).i32Sub().set(kc);
  code.get(kc).get(step).i32GtS().if().get(step).set(kc).end();
  code.get(kc).i32Const(panelStride).i32Mul().set(aBytes);
  // a(0, pc) and b(pc, 0): p is the column of A for A·B and A·Bᵀ, its row for Aᵀ·B; likewise for B.
  code.get(A).get(pc);
  if (form === "atb") code.get(aStride).i32Mul();
  else code.i32Const(3).i32Shl();
  code.i32Add().set(aBase);
  code.get(B).get(pc);
  if (form === "abt") code.i32Const(3).i32Shl();
  else code.get(bStride).i32Mul();
  code.i32Add().set(bBase);
  code.get(SCRATCH).set(aPanel);
  blockLoop(code, i, iRange, (r) => {
    code.get(aPanel).get(aBase).get(i);
    if (form === "atb") code.i32Const(3).i32Shl();
    else code.get(aStride).i32Mul();
    code.i32Add().get(kc).get(aStride).call(parts.packRows(r));
    code.get(aPanel).get(aBytes).i32Add().set(aPanel);
  });
  code.get(aPanel).set(bPanel);
  blockLoop(code, j, jRange, (w) => {
    code.get(bPanel).get(bBase).get(j);
    if (form === "abt") code.get(bStride).i32Mul();
    else code.i32Const(3).i32Shl();
    code.i32Add().get(kc).get(bStride).call(parts.packColumns(w));
    code.get(SCRATCH).set(aPanel);
    blockLoop(code, i, iRange, (r) => {
      code.get(aPanel).get(bPanel);
      code.get(C).get(i).get(s2).i32Mul().i32Add().get(j).i32Const(3).i32Shl().i32Add();
      code.get(kc).get(s2).get(pc).call(micro(r, w));
      code.get(aPanel).get(aBytes).i32Add().set(aPanel);
    });
  });
  code.get(pc).get(step).i32Add().tee(pc).get(DK).i32LtS().brIf(0);
  code.end().end();
  return code;
}

/** Rows of C per block for `options` (thread splits are made at multiples of these). */
export function blockRows(options: KernelOptions): number {
  return options.panelRows ?? (options.fma ? 6 : 4);
}

/** Bytes per p of a packed A panel: its rows rounded up to whole vectors. */
export function panelStride(options: KernelOptions): number {
  return 16 * Math.ceil(blockRows(options) / 2);
}

/**
 * Bytes of scratch one thread needs for a product of sizes `m`×`k` by `k`×`n` (whatever the form; the
 * thread's block of C is at most m × n): the A panels of its rows and one B panel.
 */
export function scratchBytes(sizes: { m: number; k: number; n: number }, options: KernelOptions): number {
  const depth = Math.min(sizes.k, Math.ceil((options.depth ?? 256) / 8) * 8);
  return (Math.ceil(sizes.m / blockRows(options)) * panelStride(options) + 32) * depth;
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
  const rows = blockRows(options);
  if (rows < 1 || rows > 6) {
    throw new RangeError(`Cannot build the kernels: "panelRows" must be 1 to 6, got "${rows}"`);
  }
  const stride = panelStride(options);
  const depth = options.depth ?? 256;
  const kernelOptions = { fma: options.fma, unroll: options.unroll ?? 8, panelStride: stride };
  const functions: FunctionDef[] = [];
  const add = (code: Code, params: readonly number[], exportName?: string) => {
    functions.push({ params: params as FunctionDef["params"], results: [], code, exportName });
    return functions.length - 1;
  };
  const micro: number[][] = [];
  for (let r = 1; r <= rows; r++) {
    micro[r] = [];
    for (let w = 1; w <= PANEL_COLS; w++) {
      micro[r][w] = add(rotatingKernel(r, w, kernelOptions), MICRO_PARAMS);
    }
  }
  const packParams = [I32, I32, I32, I32];
  const each = (count: number, make: (v: number) => Code) =>
    Array.from({ length: count + 1 }, (_, v) => v === 0 ? -1 : add(make(v), packParams));
  const gatherA = each(rows, (r) => gatherRowsKernel(r, stride));
  const copyA = each(rows, (r) => packRowsKernel(r, stride));
  const gatherB = each(PANEL_COLS, (w) => gatherRowsKernel(w, 32));
  const copyB = each(PANEL_COLS, (w) => packColumnsKernel(w));
  const parts = (packRows: number[], packColumns: number[]): PackedParts => ({
    rows,
    depth,
    panelStride: stride,
    micro: (r, w) => micro[r][w],
    packRows: (r) => packRows[r],
    packColumns: (w) => packColumns[w],
  });
  add(packedDriver("ab", parts(gatherA, copyB)), DRIVER_PARAMS, "matmul");
  add(packedDriver("abt", parts(gatherA, gatherB)), DRIVER_PARAMS, "matmulTransposeB");
  add(packedDriver("atb", parts(copyA, copyB)), DRIVER_PARAMS, "matmulTransposeA");
  for (const f of elementwiseFunctions()) add(f.code, f.params, f.exportName);
  return encodeModule(functions, { memory: { minimumPages: 1, maximumPages, shared: true } });
}
