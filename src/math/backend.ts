// Backend: where matrices live and which kernels compute the three matrix products.
//
// The plain backend uses the reference kernels of matrix.ts on ordinary Float64Arrays (or Float32Arrays). Faster backends
// (WebAssembly SIMD, threads) implement the same interface and keep their matrices in their own memory;
// every one is tested against the plain backend.
//
// Besides the products, a backend may offer optional fast paths for the elementwise work of a training step
// (bias + activation, activation derivative + bias gradient, the optimizer update). Each returns true when it
// did the work, bit for bit as the reference code in activations.ts, dense.ts and optimizers.ts would, and
// false, having changed nothing, when it cannot (an activation it lacks, arrays outside its memory); the
// caller then runs the reference code. The plain backend has none of them.

import type { ActivationName } from "./activations.ts";
import {
  type AnyMatrix,
  type DType,
  type FloatArray,
  matmulTransposeAUnchecked,
  matmulTransposeBUnchecked,
  matmulUnchecked,
  Matrix,
} from "./matrix.ts";

/** The matrix products and allocation a network uses; implemented by the plain and the fast backends. */
export interface Backend {
  /** A short name for logs and benchmarks, e.g. `"js"`, `"wasm-simd"`, `"wasm-simd×2"`. */
  readonly name: string;
  /**
   * The element type of the matrices from `allocate` (default `"float64"`): a float32 backend keeps
   * parameters, activations and gradients in Float32Arrays and multiplies in float32.
   */
  readonly dtype?: DType;
  /** A zero-filled matrix in this backend's memory (layers allocate their buffers once, through this). */
  allocate(rows: number, cols: number): AnyMatrix;
  /** out = a · b; shapes already checked by the caller. */
  matmul(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void;
  /** out = a · bᵀ; shapes already checked by the caller. */
  matmulTransposeB(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void;
  /** out = aᵀ · b; shapes already checked by the caller. */
  matmulTransposeA(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void;
  /**
   * Releases workers and memory; the backend must not be used afterwards. The process-wide default backends
   * (`defaultBackend`, used by `new Network(...)`) only stop their worker threads and stay usable.
   */
  dispose(): void;
  /** Optional: z += b (broadcast over the rows), then a = f(z)   (batch, units). */
  biasActivation?(a: AnyMatrix, z: AnyMatrix, biases: FloatArray, activation: ActivationName): boolean;
  /** Optional: dZ = dA ⊙ f'(z) (see `Activation.backward`), then dB = Σ_rows dZ   (batch, units), (units). */
  // Positional like the kernels (output first), so that the hot path builds no argument object.
  activationBackwardSum?(
    dZ: AnyMatrix,
    dA: AnyMatrix,
    z: AnyMatrix,
    a: AnyMatrix,
    dB: FloatArray,
    activation: ActivationName,
  ): boolean;
  /** Optional: dB = Σ_rows dZ   (units). */
  columnSum?(dB: FloatArray, dZ: AnyMatrix): boolean;
  /** Optional: one optimizer update of one parameter (see `OptimizerUpdate`). */
  optimizerStep?(update: OptimizerUpdate): boolean;
}

/**
 * One optimizer update of one parameter, as optimizers.ts computes it; optimizers reuse one such object, so
 * a step allocates nothing. `decay` is λ when weight decay applies to this parameter, else 0.
 */
export interface OptimizerUpdate {
  /** `"sgd"`: w ← w − η·g; `"momentum"`/`"nesterov"`: with velocity `first`; `"adam"`: moments `first`, `second`. */
  kind: "sgd" | "momentum" | "nesterov" | "adam";
  /** w, updated in place. */
  value: FloatArray;
  /** g. */
  gradient: FloatArray;
  /** Momentum's v or Adam's m (same length as w; unused by SGD). */
  first: FloatArray | undefined;
  /** Adam's v (unused otherwise). */
  second: FloatArray | undefined;
  /** η. */
  learningRate: number;
  /** λ, or 0 when no decay applies to this parameter. */
  decay: number;
  /** μ (momentum). */
  momentum: number;
  /** β1 (Adam). */
  beta1: number;
  /** 1 − β1 (Adam). */
  oneMinusBeta1: number;
  /** β2 (Adam). */
  beta2: number;
  /** 1 − β2 (Adam). */
  oneMinusBeta2: number;
  /** 1 − β1ᵗ (Adam's bias correction of the first moment). */
  correction1: number;
  /** 1 − β2ᵗ (Adam's bias correction of the second moment). */
  correction2: number;
  /** ε (Adam). */
  epsilon: number;
}

/** The plain TypeScript backend: the reference kernels over ordinary Float64Arrays. Always available. */
export const jsBackend: Backend = {
  name: "js",
  dtype: "float64",
  allocate: (rows, cols) => new Matrix(rows, cols),
  matmul: matmulUnchecked,
  matmulTransposeB: matmulTransposeBUnchecked,
  matmulTransposeA: matmulTransposeAUnchecked,
  dispose() {},
};

/**
 * The plain TypeScript backend in float32: the same reference kernels over Float32Arrays (each stored value
 * rounded to float32). Always available; the reference the float32 WebAssembly kernels are tested against.
 */
export const jsBackend32: Backend = {
  name: "js-f32",
  dtype: "float32",
  allocate: (rows, cols) => new Matrix(rows, cols, new Float32Array(rows * cols)),
  matmul: matmulUnchecked,
  matmulTransposeB: matmulTransposeBUnchecked,
  matmulTransposeA: matmulTransposeAUnchecked,
  dispose() {},
};
