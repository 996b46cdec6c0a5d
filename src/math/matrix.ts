// Matrix: a row-major Float64Array with its shape, plus the reference kernels training needs.
//
// Kernels take the output first and write into it (`matmul(out, a, b)`); they allocate nothing, so a training
// loop that allocates its buffers once never allocates again. Shapes are checked once per call (O(1)).

/** The element types a matrix can hold: float64 (the default and the reference) or float32. */
export type FloatArray = Float64Array | Float32Array;

/** The element type of a network's parameters, activations and gradients. */
export type DType = "float64" | "float32";

/** The element types, as written in configs and model files. */
export const DTYPES: readonly DType[] = ["float64", "float32"];

/**
 * A dense row-major matrix of float64 values (or float32, as `Matrix<Float32Array>`, inside a float32
 * network); one sample per row when it holds a batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 *
 * const m = Matrix.from([[1, 2, 3], [4, 5, 6]]);
 * assert.equal(m.shapeString(), "2×3");
 * assert.equal(m.get(1, 2), 6);
 * assert.equal(m.data[1 * m.cols + 2], 6); // row-major
 * ```
 */
export class Matrix<T extends FloatArray = Float64Array> {
  /** Number of rows (the batch size for activations). */
  readonly rows: number;
  /** Number of columns (features or units). */
  readonly cols: number;
  /** The values, row after row: element (i, j) is `data[i * cols + j]`. */
  readonly data: T;

  /**
   * Creates a `rows`×`cols` matrix, zero-filled or over the given buffer (which it uses, not copies).
   *
   * @example
   * ```ts
   * import { Matrix } from "./matrix.ts";
   * const m = new Matrix(2, 3);
   * m.set(1, 2, 5);
   * console.assert(m.data[5] === 5);
   * ```
   */
  constructor(rows: number, cols: number, data?: T) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new RangeError(`Matrix: shape must be two non-negative integers, got ${rows}×${cols}`);
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new TypeError(
        `Matrix: data has ${data.length} values, a ${rows}×${cols} matrix needs ${rows * cols}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols) as T;
  }

  /** A zero-filled `rows`×`cols` matrix. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /**
   * A matrix copied from nested arrays, one inner array per row; all rows must have the same length.
   *
   * @example
   * ```ts
   * import { Matrix } from "./matrix.ts";
   * const m = Matrix.from([[1, 2], [3, 4]]);
   * console.assert(m.get(1, 0) === 3);
   * ```
   */
  static from(rows: readonly (readonly number[])[]): Matrix {
    if (!Array.isArray(rows)) throw new TypeError("Matrix.from: expected an array of rows");
    const rowCount = rows.length;
    const cols = rowCount === 0 ? 0 : rows[0].length;
    const out = new Matrix(rowCount, cols);
    for (let i = 0; i < rowCount; i++) {
      const row = rows[i];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new TypeError(
          `Matrix.from: row ${i} has ${Array.isArray(row) ? row.length : "no"} values, expected ${cols}`,
        );
      }
      for (let j = 0; j < cols; j++) {
        const value = row[j];
        if (typeof value !== "number") {
          throw new TypeError(`Matrix.from: row ${i}, column ${j} is not a number`);
        }
        out.data[i * cols + j] = value;
      }
    }
    return out;
  }

  /** The value at row `i`, column `j`. */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Sets the value at row `i`, column `j`. */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** A view of row `i` (shares memory with the matrix). */
  row(i: number): T {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as T;
  }

  /** The values as nested arrays, one inner array per row. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** A deep copy. */
  clone(): Matrix<T> {
    return new Matrix(this.rows, this.cols, this.data.slice() as T);
  }

  /** The shape as `rows×cols`, for messages. */
  shapeString(): string {
    return `${this.rows}×${this.cols}`;
  }
}

/** A matrix of either element type (what kernels and layers take inside a network of any dtype). */
export type AnyMatrix = Matrix<FloatArray>;

/** Anything the public API accepts as a batch: a `Matrix` or nested arrays with one sample per row. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

/**
 * Returns `x` itself when it is a `Matrix`, otherwise a `Matrix` copied from the nested arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, toMatrix } from "./matrix.ts";
 *
 * assert.deepEqual(toMatrix([[1, 2]]).toArray(), [[1, 2]]);
 * const m = Matrix.zeros(1, 1);
 * assert.equal(toMatrix(m), m); // a Matrix is returned as it is
 * ```
 */
export function toMatrix(x: MatrixLike): Matrix {
  return x instanceof Matrix ? x : Matrix.from(x);
}

/**
 * A float64 copy of `m` (exact: every float32 value is a float64 value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, toFloat64 } from "./matrix.ts";
 *
 * const m32 = new Matrix(1, 2, new Float32Array([0.1, 2]));
 * const m64 = toFloat64(m32);
 * assert.ok(m64.data instanceof Float64Array);
 * assert.equal(m64.get(0, 0), Math.fround(0.1)); // the float32 value, exactly
 * ```
 */
export function toFloat64(m: AnyMatrix): Matrix {
  return new Matrix(m.rows, m.cols, Float64Array.from(m.data));
}

function shapes(a: AnyMatrix, b: AnyMatrix): string {
  return `${a.shapeString()} by ${b.shapeString()}`;
}

function checkOut(op: string, out: AnyMatrix, rows: number, cols: number): void {
  if (out.rows !== rows || out.cols !== cols) {
    throw new TypeError(`${op}: output is ${out.shapeString()}, expected ${rows}×${cols}`);
  }
}

/** Throws unless `out = a · b` is well formed. */
export function checkMatmul(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  if (a.cols !== b.rows) {
    throw new TypeError(
      `matmul: cannot multiply ${shapes(a, b)} (inner sizes ${a.cols} and ${b.rows} differ)`,
    );
  }
  checkOut("matmul", out, a.rows, b.cols);
}

/** Throws unless `out = a · bᵀ` is well formed. */
export function checkMatmulTransposeB(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  if (a.cols !== b.cols) {
    throw new TypeError(
      `matmulTransposeB: cannot multiply ${a.shapeString()} by the transpose of ${b.shapeString()} ` +
        `(inner sizes ${a.cols} and ${b.cols} differ)`,
    );
  }
  checkOut("matmulTransposeB", out, a.rows, b.rows);
}

/** Throws unless `out = aᵀ · b` is well formed. */
export function checkMatmulTransposeA(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  if (a.rows !== b.rows) {
    throw new TypeError(
      `matmulTransposeA: cannot multiply the transpose of ${a.shapeString()} by ${b.shapeString()} ` +
        `(inner sizes ${a.rows} and ${b.rows} differ)`,
    );
  }
  checkOut("matmulTransposeA", out, a.cols, b.cols);
}

// ---- The three products, unchecked reference forms (used by the plain backend and as the tests' reference) ----

/** out = a · b, (m×k)·(k×n) → m×n, i-k-j order so the inner loop runs along contiguous rows. Unchecked. */
export function matmulUnchecked(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  const m = a.rows, k = a.cols, n = b.cols;
  const A = a.data, B = b.data, C = out.data;
  C.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) C[cRow + j] += aip * B[bRow + j];
    }
  }
}

/** out = a · bᵀ, (m×k)·(n×k)ᵀ → m×n, each entry a dot product of two contiguous rows. Unchecked. */
export function matmulTransposeBUnchecked(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  const m = a.rows, k = a.cols, n = b.rows;
  const A = a.data, B = b.data, C = out.data;
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += A[aRow + p] * B[bRow + p];
      C[i * n + j] = sum;
    }
  }
}

/** out = aᵀ · b, (k×m)ᵀ·(k×n) → m×n, accumulated over the shared rows k without forming aᵀ. Unchecked. */
export function matmulTransposeAUnchecked(out: AnyMatrix, a: AnyMatrix, b: AnyMatrix): void {
  const k = a.rows, m = a.cols, n = b.cols;
  const A = a.data, B = b.data, C = out.data;
  C.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const aRow = p * m, bRow = p * n;
    for (let i = 0; i < m; i++) {
      const api = A[aRow + i];
      if (api === 0) continue;
      const cRow = i * n;
      for (let j = 0; j < n; j++) C[cRow + j] += api * B[bRow + j];
    }
  }
}

/**
 * out = a · b. Throws when the inner sizes differ or `out` has the wrong shape.
 *
 * @example
 * ```ts
 * import { Matrix, matmul } from "./matrix.ts";
 * const out = Matrix.zeros(1, 1);
 * matmul(out, Matrix.from([[1, 2]]), Matrix.from([[3], [4]]));
 * console.assert(out.get(0, 0) === 11);
 * ```
 */
export function matmul(out: Matrix, a: Matrix, b: Matrix): Matrix {
  checkMatmul(out, a, b);
  matmulUnchecked(out, a, b);
  return out;
}

/**
 * out = a · bᵀ without forming the transpose. Throws on mismatched shapes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, matmulTransposeB } from "./matrix.ts";
 *
 * // z = a_prev · Wᵀ   (1×2 · (3×2)ᵀ = 1×3)
 * const out = Matrix.zeros(1, 3);
 * matmulTransposeB(out, Matrix.from([[1, 2]]), Matrix.from([[1, 0], [0, 1], [1, 1]]));
 * assert.deepEqual(out.toArray(), [[1, 2, 3]]);
 * ```
 */
export function matmulTransposeB(out: Matrix, a: Matrix, b: Matrix): Matrix {
  checkMatmulTransposeB(out, a, b);
  matmulTransposeBUnchecked(out, a, b);
  return out;
}

/**
 * out = aᵀ · b without forming the transpose. Throws on mismatched shapes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, matmulTransposeA } from "./matrix.ts";
 *
 * // dW = dZᵀ · a_prev   ((2×1)ᵀ · 2×2 = 1×2)
 * const out = Matrix.zeros(1, 2);
 * matmulTransposeA(out, Matrix.from([[1], [2]]), Matrix.from([[1, 0], [0, 1]]));
 * assert.deepEqual(out.toArray(), [[1, 2]]);
 * ```
 */
export function matmulTransposeA(out: Matrix, a: Matrix, b: Matrix): Matrix {
  checkMatmulTransposeA(out, a, b);
  matmulTransposeAUnchecked(out, a, b);
  return out;
}

// ---- Elementwise and reduction kernels ----

function checkSame(op: string, out: Matrix, a: Matrix): void {
  if (out.rows !== a.rows || out.cols !== a.cols) {
    throw new TypeError(`${op}: shapes differ (${out.shapeString()} and ${a.shapeString()})`);
  }
}

/**
 * out[i][j] = a[i][j] + row[j]: adds a bias row to every row of a batch. `out` may be `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addRowVector, Matrix } from "./matrix.ts";
 *
 * const z = Matrix.from([[1, 1], [2, 2]]);
 * addRowVector(z, z, new Float64Array([10, 20]));
 * assert.deepEqual(z.toArray(), [[11, 21], [12, 22]]);
 * ```
 */
export function addRowVector(out: Matrix, a: Matrix, row: Float64Array): Matrix {
  checkSame("addRowVector", out, a);
  if (row.length !== a.cols) {
    throw new TypeError(`addRowVector: row has ${row.length} values, the matrix has ${a.cols} columns`);
  }
  const n = a.cols, A = a.data, C = out.data;
  for (let i = 0; i < a.rows; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) C[base + j] = A[base + j] + row[j];
  }
  return out;
}

/**
 * out[j] = Σᵢ a[i][j]: the column sums (the bias gradient is the column sum of dZ).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, sumColumns } from "./matrix.ts";
 *
 * const dB = sumColumns(new Float64Array(2), Matrix.from([[1, 2], [3, 4]]));
 * assert.deepEqual([...dB], [4, 6]);
 * ```
 */
export function sumColumns(out: Float64Array, a: Matrix): Float64Array {
  if (out.length !== a.cols) {
    throw new TypeError(`sumColumns: output has ${out.length} values, the matrix has ${a.cols} columns`);
  }
  const n = a.cols, A = a.data;
  out.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) out[j] += A[base + j];
  }
  return out;
}

/**
 * out[i] = fn(a[i]) for every element. `out` may be `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { map, Matrix } from "./matrix.ts";
 *
 * const m = Matrix.from([[-1, 2]]);
 * map(m, m, (value) => Math.max(0, value));
 * assert.deepEqual(m.toArray(), [[0, 2]]);
 * ```
 */
export function map(out: Matrix, a: Matrix, fn: (value: number) => number): Matrix {
  checkSame("map", out, a);
  const A = a.data, C = out.data;
  for (let i = 0; i < A.length; i++) C[i] = fn(A[i]);
  return out;
}

/**
 * out = a ⊙ b, the elementwise (Hadamard) product. `out` may be `a` or `b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hadamard, Matrix } from "./matrix.ts";
 *
 * const out = Matrix.zeros(1, 2);
 * hadamard(out, Matrix.from([[2, 3]]), Matrix.from([[4, 5]]));
 * assert.deepEqual(out.toArray(), [[8, 15]]);
 * ```
 */
export function hadamard(out: Matrix, a: Matrix, b: Matrix): Matrix {
  checkSame("hadamard", a, b);
  checkSame("hadamard", out, a);
  const A = a.data, B = b.data, C = out.data;
  for (let i = 0; i < A.length; i++) C[i] = A[i] * B[i];
  return out;
}

/**
 * out = s · a. `out` may be `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, scale } from "./matrix.ts";
 *
 * const m = Matrix.from([[1, -2]]);
 * scale(m, m, 0.5);
 * assert.deepEqual(m.toArray(), [[0.5, -1]]);
 * ```
 */
export function scale(out: Matrix, a: Matrix, s: number): Matrix {
  checkSame("scale", out, a);
  const A = a.data, C = out.data;
  for (let i = 0; i < A.length; i++) C[i] = s * A[i];
  return out;
}

/**
 * y += alpha · x over two equally long vectors (a matrix's `data` works too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axpy } from "./matrix.ts";
 *
 * // a gradient step: w += −η · dW
 * const w = new Float64Array([1, 1]);
 * axpy(w, -0.1, new Float64Array([2, 4]));
 * assert.deepEqual([...w].map((v) => +v.toFixed(10)), [0.8, 0.6]);
 * ```
 */
export function axpy(y: Float64Array, alpha: number, x: Float64Array): Float64Array {
  if (y.length !== x.length) throw new TypeError(`axpy: lengths differ (${y.length} and ${x.length})`);
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}

/**
 * out = aᵀ, the transpose (allocates nothing; for tests and display, not the training loop).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, transpose } from "./matrix.ts";
 *
 * const out = Matrix.zeros(2, 1);
 * transpose(out, Matrix.from([[1, 2]]));
 * assert.deepEqual(out.toArray(), [[1], [2]]);
 * ```
 */
export function transpose(out: Matrix, a: Matrix): Matrix {
  if (out.rows !== a.cols || out.cols !== a.rows) {
    throw new TypeError(`transpose: output is ${out.shapeString()}, expected ${a.cols}×${a.rows}`);
  }
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  }
  return out;
}
