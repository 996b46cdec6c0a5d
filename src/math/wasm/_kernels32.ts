// Kernels32: emits the WebAssembly module with the three matrix products in float32, f32x4 SIMD.
//
// One micro-kernel computes an R × 8 block of C (R ≤ 6 rows, two f32x4 vectors per row): at each p it loads
// the 8 values b(p, j…j+7) as two vectors, broadcasts each a(i, p) (`v128.load32_splat`) and multiply-adds
// into 12 accumulators: 12 + 2 + 1 = 15 vector registers, the most V8 keeps on x64 (PERF-NOTES.md), so 6 × 8
// only with the fused multiply-add (4 × 8 with mul + add). The driver copies the columns j0…j1 of B (rows
// of B for A·Bᵀ, transposed in 4×4 tiles) as 8 values per p, zero-padded to whole groups of 8; A is read in
// place, through one pointer per row for A·B and A·Bᵀ (a(r, p) contiguous in p) and one pointer for Aᵀ·B
// (a(r, p) contiguous in r), at constant offsets in a loop unrolled by 4 (measured 10–20% faster than packing
// A too, and a split product no longer copies A once per chunk). A last group narrower than 8 columns is
// computed whole and stored lane by lane. Every element of C is one chain of
// multiply-adds over p = 0, 1, …, k-1 whatever block it falls in, so splitting C between threads gives
// bit-identical results.

import { elementwiseFunctions } from "./_elementwise.ts";
import { Code, encodeModule, type FunctionDef, I32, V128 } from "./_emitter.ts";
import type { KernelOptions } from "./_kernels.ts";

/** Columns of C per block (two f32x4 vectors). */
export const PANEL_COLS_32 = 8;

/** Rows of C per block: 6 with the fused multiply-add, 4 without. */
export function blockRows32(options: KernelOptions): number {
  return options.panelRows ?? (options.fma ? 6 : 4);
}

/** Scratch bytes one thread needs for a product of inner size k over n columns (B packed in groups of 8). */
export function scratchBytes32(k: number, n: number): number {
  return 4 * k * (Math.ceil(n / PANEL_COLS_32) * PANEL_COLS_32) + 64;
}

/** `for (v = from; v < to; v++) body()`, with `from` and `to` pushed by the callbacks. */
function forLoop(code: Code, v: number, from: () => void, to: () => void, body: () => void): void {
  from();
  code.set(v);
  code.block().loop();
  code.get(v);
  to();
  code.i32GeS().brIf(1);
  body();
  code.get(v).i32Const(1).i32Add().set(v);
  code.br(0).end().end();
}

// Values of p per iteration of the micro-kernel's inner loop.
const UNROLL = 4;

// micro(ap, sAi, sAp, bp, sBp, k, cp, sC): an R × 8 block of C at cp (row stride sC bytes), with a(r, p) at
// ap + sAi·r + sAp·p, and B packed as 8 values per p at bp, sBp bytes apart. With `width` < 8 only the first
// `width` columns are stored (B's padding is zero, so the other lanes hold zeros). A is read in place: for A·B
// and A·Bᵀ ("rows": sAp = 4) through one pointer per row at constant offsets, for Aᵀ·B ("columns": sAi = 4)
// through one pointer at constant offsets 4·r.
const MAP = 0, MSAI = 1, MSAP = 2, MBP = 3, MSBP = 4, MK = 5, MCP = 6, MSC = 7;
const MICRO_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32] as const;

function microKernel(rows: number, width: number, fma: boolean, layout: "rows" | "columns"): Code {
  const code = new Code(MICRO_PARAMS.length);
  const acc = Array.from({ length: rows }, () => [code.local(V128), code.local(V128)]);
  const b0 = code.local(V128), b1 = code.local(V128), av = code.local(V128);
  const p = code.local(I32), last = code.local(I32);
  const rowPointer = layout === "rows" ? Array.from({ length: rows }, () => code.local(I32)) : [];
  for (let r = 0; r < rows; r++) {
    code.v128Zero().set(acc[r][0]);
    code.v128Zero().set(acc[r][1]);
    if (layout === "rows") code.get(MAP).get(MSAI).i32Const(r).i32Mul().i32Add().set(rowPointer[r]);
  }
  // one value of p (the u-th of a group): b(p, ·) at bp, a(r, p) at rowPointer[r] + 4u or at ap + 4r
  const step = (u: number) => {
    code.get(MBP).v128Load(0).set(b0);
    code.get(MBP).v128Load(16).set(b1);
    for (let r = 0; r < rows; r++) {
      if (layout === "rows") code.get(rowPointer[r]).v128Load32Splat(4 * u).set(av);
      else code.get(MAP).v128Load32Splat(4 * r).set(av);
      for (const [h, bv] of [[0, b0], [1, b1]]) {
        if (fma) {
          code.get(av).get(bv).get(acc[r][h]).f32x4RelaxedMadd().set(acc[r][h]);
        } else {
          code.get(av).get(bv).f32x4Mul().get(acc[r][h]).f32x4Add().set(acc[r][h]);
        }
      }
    }
    code.get(MBP).get(MSBP).i32Add().set(MBP);
    if (layout === "columns") code.get(MAP).get(MSAP).i32Add().set(MAP);
  };
  const advanceRows = (values: number) => {
    for (const pointer of rowPointer) code.get(pointer).i32Const(4 * values).i32Add().set(pointer);
  };
  // groups of UNROLL values of p while they last, then one at a time
  code.get(MK).i32Const(-UNROLL).i32And().set(last);
  code.i32Const(0).set(p);
  code.block().loop();
  code.get(p).get(last).i32GeS().brIf(1);
  for (let u = 0; u < UNROLL; u++) step(u);
  advanceRows(UNROLL);
  code.get(p).i32Const(UNROLL).i32Add().set(p);
  code.br(0).end().end();
  code.block().loop();
  code.get(p).get(MK).i32GeS().brIf(1);
  step(0);
  advanceRows(1);
  code.get(p).i32Const(1).i32Add().set(p);
  code.br(0).end().end();
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < 2; h++) {
      const lanes = Math.min(4, width - 4 * h);
      if (lanes <= 0) continue;
      if (lanes === 4) {
        code.get(MCP).get(acc[r][h]).v128Store(16 * h);
      } else {
        for (let lane = 0; lane < lanes; lane++) {
          code.get(MCP).get(acc[r][h]).v128Store32Lane(lane, 16 * h + 4 * lane);
        }
      }
    }
    code.get(MCP).get(MSC).i32Add().set(MCP);
  }
  return code;
}

// core(c, a, sAi, sAp, b, sBp, k, sC, i0, i1, j0, j1): C[i0:i1, j0:j1] with a(i, p) at a + sAi·i + sAp·p, B
// packed (columns j0…j1, 8-column groups zero-padded) at b with sBp bytes per p, c(i, j) at c + sC·i + 4·j.
const C = 0, A = 1, SAI = 2, SAP = 3, B = 4, SBP = 5, KK = 6, SC = 7, I0 = 8, I1 = 9, J0 = 10, J1 = 11;
const CORE_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

/** C[i0:i1, j0:j1] in R × 8 blocks, running `micro[R][width]` along each block row. */
function coreKernel(micro: number[][], rowsPerBlock: number): Code {
  const code = new Code(CORE_PARAMS.length);
  const i = code.local(I32), j = code.local(I32), rows = code.local(I32), width = code.local(I32);
  code.get(I0).set(i);
  code.block().loop();
  code.get(i).get(I1).i32GeS().brIf(1);
  // rows = min(rowsPerBlock, i1 − i)
  code.get(I1).get(i).i32Sub().set(rows);
  code.get(rows).i32Const(rowsPerBlock).i32GtS().if().i32Const(rowsPerBlock).set(rows).end();
  code.get(J0).set(j);
  code.block().loop();
  code.get(j).get(J1).i32GeS().brIf(1);
  // width = min(8, j1 − j)
  code.get(J1).get(j).i32Sub().set(width);
  code.get(width).i32Const(PANEL_COLS_32).i32GtS().if().i32Const(PANEL_COLS_32).set(width).end();
  for (let R = 1; R <= rowsPerBlock; R++) {
    for (let w = 1; w <= PANEL_COLS_32; w++) {
      code.get(rows).i32Const(R).i32Eq().get(width).i32Const(w).i32Eq().i32And().if();
      code.get(A).get(SAI).get(i).i32Mul().i32Add(); // ap
      code.get(SAI).get(SAP);
      code.get(B).get(j).get(J0).i32Sub().i32Const(4).i32Mul().i32Add(); // bp
      code.get(SBP).get(KK);
      code.get(C).get(SC).get(i).i32Mul().i32Add().get(j).i32Const(4).i32Mul().i32Add(); // cp
      code.get(SC);
      code.call(micro[R][w]);
      code.end();
    }
  }
  code.get(j).i32Const(PANEL_COLS_32).i32Add().set(j);
  code.br(0).end().end();
  code.get(i).get(rows).i32Add().set(i);
  code.br(0).end().end();
  return code;
}

// Drivers: (c, a, b, m, k, n, i0, i1, j0, j1, scratch), the signature of `KernelFunction`.
const DC = 0, DA = 1, DB = 2, DM = 3, DK = 4, DN = 5, DI0 = 6, DI1 = 7, DJ0 = 8, DJ1 = 9, DS = 10;
const DRIVER_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

// Byte lanes of i8x16.shuffle for f32 lanes: [x0 y0 x1 y1], [x2 y2 x3 y3], [x0 x1 y0 y1], [x2 x3 y2 y3].
const f32Lanes = (lanes: number[]) => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
const UNPACK_LO = f32Lanes([0, 4, 1, 5]), UNPACK_HI = f32Lanes([2, 6, 3, 7]);
const LOW_HALVES = f32Lanes([0, 1, 4, 5]), HIGH_HALVES = f32Lanes([2, 3, 6, 7]);

/** `for (v = from; v < to; v += step) body()`. */
function forStep(code: Code, v: number, from: () => void, to: number, step: number, body: () => void): void {
  from();
  code.set(v);
  code.block().loop();
  code.get(v).get(to).i32GeS().brIf(1);
  body();
  code.get(v).i32Const(step).i32Add().set(v);
  code.br(0).end().end();
}

/**
 * A·Bᵀ's copy of whole 4 × 4 tiles of Bᵀ: for p < k4 and j0 ≤ j < j0 + w4, four rows of B (4 values of p
 * each) are loaded as vectors, transposed with shuffles and stored as 4 values of j for each of 4 values of p.
 */
function transposeTiles(code: Code, locals: { k4: number; w4: number; w8: number }): void {
  const { k4, w4, w8 } = locals;
  const p = code.local(I32), jj = code.local(I32), src = code.local(I32), dst = code.local(I32);
  const rowBytes = code.local(I32), outBytes = code.local(I32);
  const r = [code.local(V128), code.local(V128), code.local(V128), code.local(V128)];
  const t = [code.local(V128), code.local(V128), code.local(V128), code.local(V128)];
  code.get(DK).i32Const(4).i32Mul().set(rowBytes);
  code.get(w8).i32Const(4).i32Mul().set(outBytes);
  forStep(code, p, () => code.i32Const(0), k4, 4, () => {
    forStep(code, jj, () => code.i32Const(0), w4, 4, () => {
      // src = B + ((j0 + jj)·k + p)·4, dst = scratch + (p·w8 + jj)·4
      code.get(DB).get(DJ0).get(jj).i32Add().get(DK).i32Mul().get(p).i32Add().i32Const(4).i32Mul().i32Add()
        .set(src);
      code.get(DS).get(p).get(w8).i32Mul().get(jj).i32Add().i32Const(4).i32Mul().i32Add().set(dst);
      for (let q = 0; q < 4; q++) {
        code.get(src).v128Load(0).set(r[q]);
        if (q < 3) code.get(src).get(rowBytes).i32Add().set(src);
      }
      code.get(r[0]).get(r[1]).i8x16Shuffle(UNPACK_LO).set(t[0]);
      code.get(r[0]).get(r[1]).i8x16Shuffle(UNPACK_HI).set(t[1]);
      code.get(r[2]).get(r[3]).i8x16Shuffle(UNPACK_LO).set(t[2]);
      code.get(r[2]).get(r[3]).i8x16Shuffle(UNPACK_HI).set(t[3]);
      const rows = [[t[0], t[2], LOW_HALVES], [t[0], t[2], HIGH_HALVES], [t[1], t[3], LOW_HALVES], [
        t[1],
        t[3],
        HIGH_HALVES,
      ]] as const;
      rows.forEach(([x, y, lanes], u) => {
        code.get(dst).get(x).get(y).i8x16Shuffle(lanes).v128Store(0);
        if (u < 3) code.get(dst).get(outBytes).i32Add().set(dst);
      });
    });
  });
}

function driver(form: "ab" | "abt" | "atb", core: number): Code {
  const code = new Code(DRIVER_PARAMS.length);
  // scratch[p·w8 + (j − j0)] = b(p, j) for j0 ≤ j < j1, zero up to w8 = j1 − j0 rounded up to 8
  const j = code.local(I32), p = code.local(I32), w8 = code.local(I32), from = code.local(I32);
  const to = code.local(I32), fill = code.local(I32), start = code.local(I32);
  const k4 = code.local(I32), w4 = code.local(I32);
  code.get(DJ1).get(DJ0).i32Sub().i32Const(PANEL_COLS_32 - 1).i32Add().i32Const(-PANEL_COLS_32).i32And().set(
    w8,
  );
  code.i32Const(0).set(k4);
  code.i32Const(0).set(w4);
  if (form === "abt") {
    code.get(DK).i32Const(-4).i32And().set(k4);
    code.get(DJ1).get(DJ0).i32Sub().i32Const(-4).i32And().set(w4);
    transposeTiles(code, { k4, w4, w8 });
  }
  forLoop(code, p, () => code.i32Const(0), () => code.get(DK), () => {
    // the columns the tiles did not copy: from j0 + w4 while p < k4, else from j0
    code.get(DJ0).set(start);
    code.get(p).get(k4).i32LtS().if().get(DJ0).get(w4).i32Add().set(start).end();
    code.get(DS).get(p).get(w8).i32Mul().get(start).i32Add().get(DJ0).i32Sub().i32Const(4).i32Mul().i32Add()
      .set(to);
    if (form === "abt") {
      // b(p, j) = B[j·k + p]
      code.get(DB).get(start).get(DK).i32Mul().get(p).i32Add().i32Const(4).i32Mul().i32Add().set(from);
    } else {
      // b(p, j) = B[p·n + j]
      code.get(DB).get(p).get(DN).i32Mul().get(start).i32Add().i32Const(4).i32Mul().i32Add().set(from);
    }
    forLoop(code, j, () => code.get(start), () => code.get(DJ1), () => {
      code.get(to).get(from).f32Load().f32Store();
      code.get(to).i32Const(4).i32Add().set(to);
      if (form === "abt") code.get(from).get(DK).i32Const(4).i32Mul().i32Add().set(from);
      else code.get(from).i32Const(4).i32Add().set(from);
    });
    forLoop(code, fill, () => code.get(DJ1).get(DJ0).i32Sub(), () => code.get(w8), () => {
      code.get(to).f32Zero().f32Store();
      code.get(to).i32Const(4).i32Add().set(to);
    });
  });
  // core(c, a, sAi, sAp, b = scratch, sBp = 4·w8, k, sC = 4n, i0, i1, j0, j1)
  code.get(DC).get(DA);
  if (form === "atb") code.i32Const(4).get(DM).i32Const(4).i32Mul(); // a(i, p) = A[p·m + i]
  else code.get(DK).i32Const(4).i32Mul().i32Const(4); // a(i, p) = A[i·k + p]
  code.get(DS).get(w8).i32Const(4).i32Mul();
  code.get(DK).get(DN).i32Const(4).i32Mul().get(DI0).get(DI1).get(DJ0).get(DJ1);
  code.call(core);
  return code;
}

/**
 * The module's bytes: `matmul`, `matmulTransposeB` and `matmulTransposeA` in float32 over the imported
 * memory, and the elementwise kernels of _elementwise.ts in float32.
 */
export function kernelModuleBytes32(options: KernelOptions, maximumPages: number): Uint8Array<ArrayBuffer> {
  const rows = blockRows32(options);
  if (rows < 1 || rows > 6) {
    throw new RangeError(`Cannot build the float32 kernels: "panelRows" must be 1 to 6, got "${rows}"`);
  }
  const functions: FunctionDef[] = [];
  const add = (code: Code, params: readonly number[], exportName?: string) => {
    functions.push({ params: params as FunctionDef["params"], results: [], code, exportName });
    return functions.length - 1;
  };
  const cores = (["rows", "columns"] as const).map((layout) => {
    const micro: number[][] = [];
    for (let r = 1; r <= rows; r++) {
      micro[r] = [];
      for (let w = 1; w <= PANEL_COLS_32; w++) {
        micro[r][w] = add(microKernel(r, w, options.fma, layout), MICRO_PARAMS);
      }
    }
    return add(coreKernel(micro, rows), CORE_PARAMS);
  });
  add(driver("ab", cores[0]), DRIVER_PARAMS, "matmul");
  add(driver("abt", cores[0]), DRIVER_PARAMS, "matmulTransposeB");
  add(driver("atb", cores[1]), DRIVER_PARAMS, "matmulTransposeA");
  functions.push(...elementwiseFunctions("float32"));
  return encodeModule(functions, { memory: { minimumPages: 1, maximumPages, shared: true } });
}
