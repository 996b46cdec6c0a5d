// Backend: where matrices live and which kernels compute the three matrix products.
//
// The plain backend uses the reference kernels of matrix.ts on ordinary Float64Arrays. Faster backends
// (WebAssembly SIMD, threads) implement the same interface and keep their matrices in their own memory;
// every one is tested against the plain backend.

import { matmulTransposeAUnchecked, matmulTransposeBUnchecked, matmulUnchecked, Matrix } from "./matrix.ts";

/** The matrix products and allocation a network uses; implemented by the plain and the fast backends. */
export interface Backend {
  /** A short name for logs and benchmarks, e.g. `"js"`, `"wasm-simd"`, `"wasm-simd×2"`. */
  readonly name: string;
  /** A zero-filled matrix in this backend's memory (layers allocate their buffers once, through this). */
  allocate(rows: number, cols: number): Matrix;
  /** out = a · b; shapes already checked by the caller. */
  matmul(out: Matrix, a: Matrix, b: Matrix): void;
  /** out = a · bᵀ; shapes already checked by the caller. */
  matmulTransposeB(out: Matrix, a: Matrix, b: Matrix): void;
  /** out = aᵀ · b; shapes already checked by the caller. */
  matmulTransposeA(out: Matrix, a: Matrix, b: Matrix): void;
  /** Releases workers and memory; the backend must not be used afterwards. */
  dispose(): void;
}

/** The plain TypeScript backend: the reference kernels over ordinary Float64Arrays. Always available. */
export const jsBackend: Backend = {
  name: "js",
  allocate: (rows, cols) => new Matrix(rows, cols),
  matmul: matmulUnchecked,
  matmulTransposeB: matmulTransposeBUnchecked,
  matmulTransposeA: matmulTransposeAUnchecked,
  dispose() {},
};
