// Kernels32: emits the WebAssembly module with the three matrix products in float32, f32x4 SIMD.
//
// One micro-kernel computes an R × 8 block of C (R ≤ 6 rows, two f32x4 vectors per row): at each p it loads
// the 8 values b(p, j…j+7) as two vectors, broadcasts each a(i, p) (`v128.load32_splat`) and multiply-adds
// into 12 accumulators: 12 + 2 + 1 = 15 vector registers, the most V8 keeps on x64 (PERF-NOTES.md), so 6 × 8
// only with the fused multiply-add (4 × 8 with mul + add). The three forms differ only in where a(i, p) and
// b(p, j) are: A·B and Aᵀ·B address A with different strides and read B's rows in place; A·Bᵀ first copies
// the columns j0…j1 of Bᵀ (rows of B) into the scratch area. Columns past the last whole group of 8 are
// dot products in scalar f32. Every element of C is one chain over p = 0, 1, …, k-1 whose path depends only
// on its column's group of 8 (counted from column 0), so splitting C between threads in whole groups of 8
// gives bit-identical results.

import { elementwiseFunctions } from "./_elementwise.ts";
import { Code, encodeModule, F32, type FunctionDef, I32, V128 } from "./_emitter.ts";
import type { KernelOptions } from "./_kernels.ts";

/** Columns of C per block (two f32x4 vectors). */
export const PANEL_COLS_32 = 8;

/** Rows of C per block: 6 with the fused multiply-add, 4 without. */
export function blockRows32(options: KernelOptions): number {
  return options.panelRows ?? (options.fma ? 6 : 4);
}

/** Scratch bytes one thread needs for a product of inner size k over n columns (A·Bᵀ copies Bᵀ there). */
export function scratchBytes32(k: number, n: number): number {
  return 4 * k * n + 64;
}

// core(c, a, sAi, sAp, b, sBp, k, sC, i0, i1, j0, j1): C[i0:i1, j0:j1] with a(i, p) at a + sAi·i + sAp·p,
// b(p, j) at b + sBp·p + 4·j and c(i, j) at c + sC·i + 4·j (all in bytes).
const C = 0, A = 1, SAI = 2, SAP = 3, B = 4, SBP = 5, KK = 6, SC = 7, I0 = 8, I1 = 9, J0 = 10, J1 = 11;
const CORE_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

// micro(ap, sAi, sAp, bp, sBp, k, cp, sC): an R × 8 block from a(0, 0) at ap, b(0, 0) at bp, c(0, 0) at cp.
const MAP = 0, MSAI = 1, MSAP = 2, MBP = 3, MSBP = 4, MK = 5, MCP = 6, MSC = 7;
const MICRO_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32] as const;

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

function microKernel(rows: number, fma: boolean): Code {
  const code = new Code(MICRO_PARAMS.length);
  const acc = Array.from({ length: rows }, () => [code.local(V128), code.local(V128)]);
  const rowPointer = Array.from({ length: rows }, () => code.local(I32));
  const b0 = code.local(V128), b1 = code.local(V128), av = code.local(V128);
  const p = code.local(I32), bp = code.local(I32);
  for (let r = 0; r < rows; r++) {
    code.v128Zero().set(acc[r][0]);
    code.v128Zero().set(acc[r][1]);
    // a(r, 0) at ap + r·sAi
    code.get(MAP).get(MSAI).i32Const(r).i32Mul().i32Add().set(rowPointer[r]);
  }
  code.get(MBP).set(bp);
  forLoop(code, p, () => code.i32Const(0), () => code.get(MK), () => {
    code.get(bp).v128Load(0).set(b0);
    code.get(bp).v128Load(16).set(b1);
    for (let r = 0; r < rows; r++) {
      code.get(rowPointer[r]).v128Load32Splat().set(av);
      for (const [h, bv] of [[0, b0], [1, b1]]) {
        if (fma) {
          code.get(av).get(bv).get(acc[r][h]).f32x4RelaxedMadd().set(acc[r][h]);
        } else {
          code.get(av).get(bv).f32x4Mul().get(acc[r][h]).f32x4Add().set(acc[r][h]);
        }
      }
      code.get(rowPointer[r]).get(MSAP).i32Add().set(rowPointer[r]);
    }
    code.get(bp).get(MSBP).i32Add().set(bp);
  });
  for (let r = 0; r < rows; r++) {
    code.get(MCP).get(MSC).i32Const(r).i32Mul().i32Add().get(acc[r][0]).v128Store(0);
    code.get(MCP).get(MSC).i32Const(r).i32Mul().i32Add().get(acc[r][1]).v128Store(16);
  }
  return code;
}

/** C[i0:i1, j0:j1] in R × 8 blocks (micro-kernels `micro[R]`), the columns past the last whole group in scalar f32. */
function coreKernel(micro: number[], rowsPerBlock: number): Code {
  const code = new Code(CORE_PARAMS.length);
  const i = code.local(I32), j = code.local(I32), rows = code.local(I32), fullEnd = code.local(I32);
  const p = code.local(I32),
    r = code.local(I32),
    sum = code.local(F32),
    ap = code.local(I32),
    bp = code.local(I32);
  // fullEnd = j0 + 8·⌊(j1 − j0) / 8⌋ (j0 is a multiple of 8: splits are in whole groups)
  code.get(J1).get(J0).i32Sub().i32Const(-8).i32And().get(J0).i32Add().set(fullEnd);
  code.get(I0).set(i);
  code.block().loop();
  code.get(i).get(I1).i32GeS().brIf(1);
  // rows = min(rowsPerBlock, i1 − i)
  code.get(I1).get(i).i32Sub().set(rows);
  code.get(rows).i32Const(rowsPerBlock).i32GtS().if().i32Const(rowsPerBlock).set(rows).end();
  // whole groups of 8 columns
  code.get(J0).set(j);
  code.block().loop();
  code.get(j).get(fullEnd).i32GeS().brIf(1);
  for (let R = 1; R <= rowsPerBlock; R++) {
    code.get(rows).i32Const(R).i32Eq().if();
    code.get(A).get(SAI).get(i).i32Mul().i32Add(); // ap
    code.get(SAI);
    code.get(SAP);
    code.get(B).get(j).i32Const(4).i32Mul().i32Add(); // bp
    code.get(SBP);
    code.get(KK);
    code.get(C).get(SC).get(i).i32Mul().i32Add().get(j).i32Const(4).i32Mul().i32Add(); // cp
    code.get(SC);
    code.call(micro[R]);
    code.end();
  }
  code.get(j).i32Const(8).i32Add().set(j);
  code.br(0).end().end();
  // the rest of the columns: scalar dot products
  forLoop(code, j, () => code.get(fullEnd), () => code.get(J1), () => {
    forLoop(code, r, () => code.get(i), () => code.get(i).get(rows).i32Add(), () => {
      code.f32Zero().set(sum);
      code.get(A).get(SAI).get(r).i32Mul().i32Add().set(ap);
      code.get(B).get(j).i32Const(4).i32Mul().i32Add().set(bp);
      forLoop(code, p, () => code.i32Const(0), () => code.get(KK), () => {
        code.get(ap).f32Load().get(bp).f32Load().f32Mul().get(sum).f32Add().set(sum);
        code.get(ap).get(SAP).i32Add().set(ap);
        code.get(bp).get(SBP).i32Add().set(bp);
      });
      code.get(C).get(SC).get(r).i32Mul().i32Add().get(j).i32Const(4).i32Mul().i32Add().get(sum).f32Store();
    });
  });
  code.get(i).get(rows).i32Add().set(i);
  code.br(0).end().end();
  return code;
}

// Drivers: (c, a, b, m, k, n, i0, i1, j0, j1, scratch), the signature of `KernelFunction`.
const DC = 0, DA = 1, DB = 2, DM = 3, DK = 4, DN = 5, DI0 = 6, DI1 = 7, DJ0 = 8, DJ1 = 9, DS = 10;
const DRIVER_PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;

function driver(form: "ab" | "abt" | "atb", core: number): Code {
  const code = new Code(DRIVER_PARAMS.length);
  if (form === "abt") {
    // scratch[p·w + (j − j0)] = b(j, p) for j0 ≤ j < j1, w = j1 − j0: the columns of Bᵀ this call needs
    const j = code.local(I32), p = code.local(I32), w = code.local(I32), from = code.local(I32);
    code.get(DJ1).get(DJ0).i32Sub().set(w);
    forLoop(code, j, () => code.get(DJ0), () => code.get(DJ1), () => {
      code.get(DB).get(j).get(DK).i32Mul().i32Const(4).i32Mul().i32Add().set(from);
      forLoop(code, p, () => code.i32Const(0), () => code.get(DK), () => {
        code.get(DS).get(p).get(w).i32Mul().get(j).i32Add().get(DJ0).i32Sub().i32Const(4).i32Mul().i32Add();
        code.get(from).f32Load().f32Store();
        code.get(from).i32Const(4).i32Add().set(from);
      });
    });
    // core(c, a, sAi = 4k, sAp = 4, b = scratch − 4·j0, sBp = 4w, k, sC = 4n, i0, i1, j0, j1)
    code.get(DC).get(DA).get(DK).i32Const(4).i32Mul().i32Const(4);
    code.get(DS).get(DJ0).i32Const(4).i32Mul().i32Sub().get(w).i32Const(4).i32Mul();
  } else if (form === "ab") {
    // a(i, p) = A[i·k + p], b(p, j) = B[p·n + j]
    code.get(DC).get(DA).get(DK).i32Const(4).i32Mul().i32Const(4);
    code.get(DB).get(DN).i32Const(4).i32Mul();
  } else {
    // Aᵀ·B with A k×m: a(i, p) = A[p·m + i], b(p, j) = B[p·n + j]
    code.get(DC).get(DA).i32Const(4).get(DM).i32Const(4).i32Mul();
    code.get(DB).get(DN).i32Const(4).i32Mul();
  }
  code.get(DK).get(DN).i32Const(4).i32Mul().get(DI0).get(DI1).get(DJ0).get(DJ1).call(core);
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
  const micro = [-1];
  for (let r = 1; r <= rows; r++) micro[r] = add(microKernel(r, options.fma), MICRO_PARAMS);
  const core = add(coreKernel(micro, rows), CORE_PARAMS);
  add(driver("ab", core), DRIVER_PARAMS, "matmul");
  add(driver("abt", core), DRIVER_PARAMS, "matmulTransposeB");
  add(driver("atb", core), DRIVER_PARAMS, "matmulTransposeA");
  functions.push(...elementwiseFunctions("float32"));
  return encodeModule(functions, { memory: { minimumPages: 1, maximumPages, shared: true } });
}
