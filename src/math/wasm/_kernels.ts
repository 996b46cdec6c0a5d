// Kernels: emits the WebAssembly module with the three matrix products (A·B, A·Bᵀ, Aᵀ·B) in f64x2 SIMD.
//
// Each product is a driver that walks an output sub-block C[i0:i1, j0:j1] (so threads can split C) in
// register blocks, calling one micro-kernel per block. Every output element is one chain of
// multiply-adds over p = 0, 1, …, k-1 in a fixed order that does not depend on the block it falls in, so
// splitting C between threads gives bit-identical results.
//
//   A·B and Aᵀ·B ("panel" kernels): a block of R rows × 4 columns of C is R × 2 f64x2 accumulators; at each
//   p, two vectors of B's row p are multiplied by each of the R values a(i, p) broadcast to both lanes.
//   For Aᵀ·B the R values are contiguous in A's row p. 6 × 4 gives 12 accumulators + 2 + 1 = 15 of the 16
//   SIMD registers V8 allocates on x64 (PERF-NOTES.md), so it only fits with a fused multiply-add.
//
//   A·Bᵀ ("dot" kernel): C[i][j] = a_i · b_j with both rows contiguous, vectorised over p: lane 0 sums the
//   even p, lane 1 the odd p, then lane 0 + lane 1, then the last term when k is odd. R rows of A × 2 rows
//   of B per block.

import { Code, encodeModule, type FunctionDef, I32, V128 } from "./_emitter.ts";

/** How the kernels are built: with the relaxed fused multiply-add or with f64x2.mul then f64x2.add. */
export interface KernelOptions {
  /** Use `f64x2.relaxed_madd` (needs relaxed SIMD); otherwise `f64x2.mul` + `f64x2.add`. */
  fma: boolean;
  /** Rows of C per panel block (A·B and Aᵀ·B); default 6 with FMA, 4 without. */
  panelRows?: number;
  /** Rows of A per dot block (A·Bᵀ); default 6 with FMA, 4 without. */
  dotRows?: number;
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
const SWAP_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

function madd(code: Code, a: number, b: number, acc: number, fma: boolean): void {
  if (fma) {
    code.get(a).get(b).get(acc).f64x2RelaxedMadd().set(acc);
  } else {
    code.get(a).get(b).f64x2Mul().get(acc).f64x2Add().set(acc);
  }
}

/**
 * A·B or Aᵀ·B micro-kernel for an R × W block of C (W = 1…4 columns as full or half vectors).
 * A·B: s1 = k·8 (between rows of A), s2 = n·8. Aᵀ·B: s1 = m·8 (between rows p of A), s2 = n·8.
 */
function panelKernel(form: "ab" | "atb", rows: number, cols: number, fma: boolean): Code {
  const code = new Code(MICRO_PARAMS.length);
  // Column chunks: [byte offset, full vector?].
  const chunks: [number, boolean][] = [];
  for (let col = 0; col < cols; col += 2) chunks.push([col * 8, col + 1 < cols]);
  const acc = Array.from({ length: rows }, () => chunks.map(() => code.local(V128)));
  const bv = chunks.map(() => code.local(V128));
  const av = code.local(V128);
  const rowOffset = [-1];
  if (form === "ab") {
    for (let r = 1; r < rows; r++) {
      rowOffset.push(code.local(I32));
      code.get(S1).i32Const(r).i32Mul().set(rowOffset[r]);
    }
  }
  code.block().get(K).i32Eqz().brIf(0).loop();
  chunks.forEach(([offset, full], v) => {
    code.get(BP);
    if (full) code.v128Load(offset);
    else code.v128Load64Zero(offset);
    code.set(bv[v]);
  });
  for (let r = 0; r < rows; r++) {
    code.get(AP);
    if (form === "ab") {
      if (r > 0) code.get(rowOffset[r]).i32Add();
      code.v128Load64Splat(0);
    } else {
      code.v128Load64Splat(r * 8);
    }
    code.set(av);
    for (let v = 0; v < chunks.length; v++) madd(code, av, bv[v], acc[r][v], fma);
  }
  // a(i, p) → a(i, p + 1); b(p, j) → b(p + 1, j).
  if (form === "ab") code.get(AP).i32Const(8).i32Add().set(AP);
  else code.get(AP).get(S1).i32Add().set(AP);
  code.get(BP).get(S2).i32Add().set(BP);
  code.get(K).i32Const(1).i32Sub().tee(K).brIf(0);
  code.end().end();
  for (let r = 0; r < rows; r++) {
    chunks.forEach(([offset, full], v) => {
      code.get(CP).get(acc[r][v]);
      if (full) code.v128Store(offset);
      else code.v128Store64Lane(0, offset);
    });
    if (r + 1 < rows) code.get(CP).get(S2).i32Add().set(CP);
  }
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
  code.block().get(end).i32Eqz().brIf(0).loop();
  for (let c = 0; c < cols; c++) code.get(bRow[c]).get(offset).i32Add().v128Load().set(bv[c]);
  for (let r = 0; r < rows; r++) {
    code.get(aRow[r]).get(offset).i32Add().v128Load().set(av);
    for (let c = 0; c < cols; c++) madd(code, av, bv[c], acc[r][c], fma);
  }
  code.get(offset).i32Const(16).i32Add().tee(offset).get(end).i32Ne().brIf(0);
  code.end().end();
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

// Driver parameters.
const C = 0, A = 1, B = 2, M = 3, DK = 4, N = 5, I0 = 6, I1 = 7, J0 = 8, J1 = 9;
const DRIVER_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

/**
 * The driver: for each column block j (W wide, then the narrower remainder), for each row block i (R high,
 * then the remainder), calls the micro-kernel with (a pointer, b pointer, c pointer, k, s1, s2).
 */
function driver(form: Form, rows: number, cols: number, micro: (r: number, w: number) => number): Code {
  const code = new Code(DRIVER_PARAMS.length);
  const i = code.local(I32), j = code.local(I32), s1 = code.local(I32), s2 = code.local(I32);
  code.get(form === "atb" ? M : DK).i32Const(3).i32Shl().set(s1);
  code.get(N).i32Const(3).i32Shl().set(s2);
  const call = (r: number, w: number) => {
    // a: a(i, 0) = a + i·k·8 for A·B and A·Bᵀ, a(0, i) = a + i·8 for Aᵀ·B.
    if (form === "atb") code.get(A).get(i).i32Const(3).i32Shl().i32Add();
    else code.get(A).get(i).get(s1).i32Mul().i32Add();
    // b: b(0, j) = b + j·8, or row j of B = b + j·k·8 for A·Bᵀ.
    if (form === "abt") code.get(B).get(j).get(s1).i32Mul().i32Add();
    else code.get(B).get(j).i32Const(3).i32Shl().i32Add();
    code.get(C).get(i).get(s2).i32Mul().i32Add().get(j).i32Const(3).i32Shl().i32Add();
    code.get(DK).get(s1).get(s2).call(micro(r, w));
  };
  const rowSweep = (w: number) => {
    code.get(I0).set(i);
    code.block().loop();
    code.get(i).i32Const(rows).i32Add().get(I1).i32GtS().brIf(1);
    call(rows, w);
    code.get(i).i32Const(rows).i32Add().set(i).br(0);
    code.end().end();
    for (let r = 1; r < rows; r++) {
      code.get(I1).get(i).i32Sub().i32Const(r).i32Eq().if();
      call(r, w);
      code.end();
    }
  };
  code.get(J0).set(j);
  code.block().loop();
  code.get(j).i32Const(cols).i32Add().get(J1).i32GtS().brIf(1);
  rowSweep(cols);
  code.get(j).i32Const(cols).i32Add().set(j).br(0);
  code.end().end();
  for (let w = 1; w < cols; w++) {
    code.get(J1).get(j).i32Sub().i32Const(w).i32Eq().if();
    rowSweep(w);
    code.end();
  }
  return code;
}

/** Row-block heights the kernels use for `options` (thread splits are made at multiples of these). */
export function blockRows(options: KernelOptions): { panel: number; dot: number } {
  const fallback = options.fma ? 6 : 4;
  return { panel: options.panelRows ?? fallback, dot: options.dotRows ?? fallback };
}

/**
 * Emits the kernel module: it imports `env.memory` (shared, up to `maximumPages`) and exports the three
 * drivers named in `KERNEL_NAMES`.
 *
 * @param options FMA or not, and the block heights
 * @param maximumPages the memory's maximum in 64 KiB pages (the memory must be created with the same)
 * @returns the module bytes
 */
export function kernelModuleBytes(options: KernelOptions, maximumPages: number): Uint8Array<ArrayBuffer> {
  const { panel, dot } = blockRows(options);
  const functions: FunctionDef[] = [];
  const add = (code: Code, params: readonly number[], exportName?: string) => {
    functions.push({ params: params as FunctionDef["params"], results: [], code, exportName });
    return functions.length - 1;
  };
  const micro = (make: (r: number, w: number) => Code, rows: number, cols: number) => {
    const index: number[][] = [];
    for (let r = 1; r <= rows; r++) {
      index[r] = [];
      for (let w = 1; w <= cols; w++) index[r][w] = add(make(r, w), MICRO_PARAMS);
    }
    return (r: number, w: number) => index[r][w];
  };
  const ab = micro((r, w) => panelKernel("ab", r, w, options.fma), panel, PANEL_COLS);
  const atb = micro((r, w) => panelKernel("atb", r, w, options.fma), panel, PANEL_COLS);
  const abt = micro((r, w) => dotKernel(r, w, options.fma), dot, DOT_COLS);
  add(driver("ab", panel, PANEL_COLS, ab), DRIVER_PARAMS, "matmul");
  add(driver("abt", dot, DOT_COLS, abt), DRIVER_PARAMS, "matmulTransposeB");
  add(driver("atb", panel, PANEL_COLS, atb), DRIVER_PARAMS, "matmulTransposeA");
  return encodeModule(functions, { memory: { minimumPages: 1, maximumPages, shared: true } });
}
