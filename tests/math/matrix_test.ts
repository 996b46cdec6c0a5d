// Tests of Matrix and the reference kernels: against naive loops, by fast-check properties, and every shape error.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import {
  addRowVector,
  axpy,
  hadamard,
  map,
  matmul,
  matmulTransposeA,
  matmulTransposeB,
  Matrix,
  scale,
  sumColumns,
  toMatrix,
  transpose,
} from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-2, 2);
  return m;
}

// The naive triple loops. Each sums over the shared index p in increasing order from 0, which is the order the
// reference kernels use too, so the results agree bit for bit (not merely within a tolerance).
function naiveMatmul(a: Matrix, b: Matrix): Matrix {
  const out = new Matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let sum = 0;
      for (let p = 0; p < a.cols; p++) sum += a.get(i, p) * b.get(p, j);
      out.set(i, j, sum);
    }
  }
  return out;
}

function naiveTranspose(a: Matrix): Matrix {
  const out = new Matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.set(j, i, a.get(i, j));
  return out;
}

/** A fast-check arbitrary for a rows×cols matrix with finite values. */
function matrixArbitrary(rows: number, cols: number): fc.Arbitrary<Matrix> {
  return fc
    .array(fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), {
      minLength: rows * cols,
      maxLength: rows * cols,
    })
    .map((values) => new Matrix(rows, cols, Float64Array.from(values)));
}

const dimension = fc.integer({ min: 1, max: 7 });

/** Two matrices (m×k) and (k×n) with a shared inner size. */
const productPair = fc
  .tuple(dimension, dimension, dimension)
  .chain(([m, k, n]) => fc.tuple(matrixArbitrary(m, k), matrixArbitrary(k, n)));

function throwsExactly(fn: () => unknown, ErrorClass: ErrorConstructor, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ErrorClass, `expected a ${ErrorClass.name}, got ${error}`);
    assert.strictEqual(error.message, message);
    return true;
  });
}

Deno.test("Matrix constructor builds a zero-filled matrix or wraps the given buffer", async (t) => {
  await t.step("zero-filled", () => {
    const m = new Matrix(2, 3);
    assert.deepStrictEqual([m.rows, m.cols, m.data.length], [2, 3, 6]);
    assert.deepStrictEqual(Array.from(m.data), [0, 0, 0, 0, 0, 0]);
  });
  await t.step("uses the buffer without copying", () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const m = new Matrix(2, 2, data);
    assert.deepStrictEqual(m.data === data, true);
    data[3] = 9;
    assert.deepStrictEqual(m.get(1, 1), 9);
  });
  await t.step("allows empty shapes", () => {
    assert.deepStrictEqual(new Matrix(0, 5).data.length, 0);
    assert.deepStrictEqual(new Matrix(3, 0).toArray(), [[], [], []]);
  });
  await t.step("rejects bad shapes", () => {
    throwsExactly(
      () => new Matrix(-1, 2),
      RangeError,
      "Matrix: shape must be two non-negative integers, got -1×2",
    );
    throwsExactly(
      () => new Matrix(2, 1.5),
      RangeError,
      "Matrix: shape must be two non-negative integers, got 2×1.5",
    );
  });
  await t.step("rejects a buffer of the wrong length", () => {
    throwsExactly(
      () => new Matrix(2, 3, new Float64Array(5)),
      TypeError,
      "Matrix: data has 5 values, a 2×3 matrix needs 6",
    );
  });
});

Deno.test("Matrix.zeros() returns a zero-filled matrix of the given shape", () => {
  const m = Matrix.zeros(3, 4);
  assert.deepStrictEqual([m.rows, m.cols], [3, 4]);
  assert.deepStrictEqual(m.data.every((v) => v === 0), true);
});

Deno.test("Matrix.from() copies nested arrays row by row and checks them", async (t) => {
  await t.step("copies row-major", () => {
    const rows = [[1, 2, 3], [4, 5, 6]];
    const m = Matrix.from(rows);
    assert.deepStrictEqual([m.rows, m.cols], [2, 3]);
    assert.deepStrictEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
    rows[0][0] = 100;
    assert.deepStrictEqual(m.get(0, 0), 1);
  });
  await t.step("an empty array is a 0×0 matrix", () => {
    const m = Matrix.from([]);
    assert.deepStrictEqual([m.rows, m.cols], [0, 0]);
  });
  await t.step("rejects ragged rows", () => {
    throwsExactly(() => Matrix.from([[1, 2], [3]]), TypeError, "Matrix.from: row 1 has 1 values, expected 2");
  });
  await t.step("rejects a row that is not an array", () => {
    throwsExactly(
      () => Matrix.from([[1, 2], 7 as unknown as number[]]),
      TypeError,
      "Matrix.from: row 1 has no values, expected 2",
    );
  });
  await t.step("rejects non-numbers", () => {
    throwsExactly(
      () => Matrix.from([[1, "2" as unknown as number]]),
      TypeError,
      "Matrix.from: row 0, column 1 is not a number",
    );
  });
  await t.step("rejects a non-array", () => {
    throwsExactly(
      () => Matrix.from("x" as unknown as number[][]),
      TypeError,
      "Matrix.from: expected an array of rows",
    );
  });
});

Deno.test("Matrix get(), set(), row(), toArray(), clone() and shapeString() agree on row-major layout", () => {
  const m = new Matrix(2, 3);
  m.set(1, 2, 5);
  m.set(0, 1, -1);
  assert.deepStrictEqual(m.data[5], 5);
  assert.deepStrictEqual(m.get(1, 2), 5);
  assert.deepStrictEqual(m.get(0, 1), -1);
  assert.deepStrictEqual(Array.from(m.row(1)), [0, 0, 5]);
  assert.deepStrictEqual(m.toArray(), [[0, -1, 0], [0, 0, 5]]);
  const copy = m.clone();
  copy.set(0, 0, 3);
  assert.deepStrictEqual(m.get(0, 0), 0);
  assert.deepStrictEqual(m.shapeString(), "2×3");
});

Deno.test("toMatrix() passes a Matrix through and copies nested arrays", () => {
  const m = Matrix.from([[1]]);
  assert.deepStrictEqual(toMatrix(m) === m, true);
  assert.deepStrictEqual(toMatrix([[1, 2]]).toArray(), [[1, 2]]);
});

Deno.test("matmul() and its transposed forms equal a naive triple loop on random shapes", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 50; trial++) {
    const m = 1 + rng.int(9), k = 1 + rng.int(9), n = 1 + rng.int(9);
    const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
    const expected = naiveMatmul(a, b);
    assert.deepStrictEqual(matmul(new Matrix(m, n), a, b), expected);
    // a · bᵀ with b given transposed, and aᵀ · b with a given transposed
    assert.deepStrictEqual(matmulTransposeB(new Matrix(m, n), a, naiveTranspose(b)), expected);
    assert.deepStrictEqual(matmulTransposeA(new Matrix(m, n), naiveTranspose(a), b), expected);
  }
});

Deno.test("matmul() overwrites the output and handles an inner size of 0", () => {
  const out = Matrix.from([[9, 9], [9, 9]]);
  matmul(out, new Matrix(2, 0), new Matrix(0, 2));
  assert.deepStrictEqual(out.toArray(), [[0, 0], [0, 0]]);
  matmulTransposeA(out, new Matrix(0, 2), new Matrix(0, 2));
  assert.deepStrictEqual(out.toArray(), [[0, 0], [0, 0]]);
  out.data.fill(7);
  matmulTransposeB(out, new Matrix(2, 0), new Matrix(2, 0));
  assert.deepStrictEqual(out.toArray(), [[0, 0], [0, 0]]);
});

Deno.test("matmul() returns its output and computes a known product", () => {
  const out = new Matrix(2, 2);
  const result = matmul(out, Matrix.from([[1, 2], [3, 4]]), Matrix.from([[5, 6], [7, 8]]));
  assert.deepStrictEqual(result === out, true);
  assert.deepStrictEqual(out.toArray(), [[19, 22], [43, 50]]);
});

Deno.test("matmulTransposeB() equals matmul() with an explicitly transposed b (property)", () => {
  fc.assert(
    fc.property(productPair, ([a, b]) => {
      const bT = transpose(new Matrix(b.cols, b.rows), b);
      const viaTranspose = matmul(new Matrix(a.rows, b.cols), a, b);
      const fused = matmulTransposeB(new Matrix(a.rows, b.cols), a, bT);
      assert.deepStrictEqual(fused, viaTranspose);
    }),
  );
});

Deno.test("matmulTransposeA() equals matmul() with an explicitly transposed a (property)", () => {
  fc.assert(
    fc.property(productPair, ([a, b]) => {
      const aT = transpose(new Matrix(a.cols, a.rows), a);
      const viaTranspose = matmul(new Matrix(a.rows, b.cols), a, b);
      const fused = matmulTransposeA(new Matrix(a.rows, b.cols), aT, b);
      assert.deepStrictEqual(fused, viaTranspose);
    }),
  );
});

Deno.test("matmul() satisfies (A·B)ᵀ = Bᵀ·Aᵀ (property)", () => {
  fc.assert(
    fc.property(productPair, ([a, b]) => {
      const product = matmul(new Matrix(a.rows, b.cols), a, b);
      const left = transpose(new Matrix(b.cols, a.rows), product);
      const right = matmul(
        new Matrix(b.cols, a.rows),
        transpose(new Matrix(b.cols, b.rows), b),
        transpose(new Matrix(a.cols, a.rows), a),
      );
      assert.deepStrictEqual(left, right);
    }),
  );
});

Deno.test("transpose() applied twice gives the matrix back (property)", () => {
  const anyMatrix = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }))
    .chain(([r, c]) => matrixArbitrary(r, c));
  fc.assert(
    fc.property(anyMatrix, (a) => {
      const t = transpose(new Matrix(a.cols, a.rows), a);
      assert.deepStrictEqual(t, naiveTranspose(a));
      assert.deepStrictEqual(transpose(new Matrix(a.rows, a.cols), t), a);
    }),
  );
});

Deno.test("addRowVector() adds the row to every row, also in place", async (t) => {
  const a = Matrix.from([[1, 2], [3, 4], [5, 6]]);
  const row = new Float64Array([10, 20]);
  await t.step("into a separate output", () => {
    const out = new Matrix(3, 2);
    assert.deepStrictEqual(addRowVector(out, a, row).toArray(), [[11, 22], [13, 24], [15, 26]]);
    assert.deepStrictEqual(a.toArray(), [[1, 2], [3, 4], [5, 6]]);
  });
  await t.step("in place", () => {
    const b = a.clone();
    addRowVector(b, b, row);
    assert.deepStrictEqual(b.toArray(), [[11, 22], [13, 24], [15, 26]]);
  });
});

Deno.test("sumColumns() writes the column sums and overwrites the output", () => {
  const out = new Float64Array([100, 100]);
  assert.deepStrictEqual(Array.from(sumColumns(out, Matrix.from([[1, 2], [3, 4], [5, -6]]))), [9, 0]);
  assert.deepStrictEqual(Array.from(sumColumns(new Float64Array(3), new Matrix(0, 3))), [0, 0, 0]);
});

Deno.test("map() applies the function to every element, also in place", () => {
  const a = Matrix.from([[1, -2], [3, -4]]);
  assert.deepStrictEqual(map(new Matrix(2, 2), a, Math.abs).toArray(), [[1, 2], [3, 4]]);
  map(a, a, (v) => v * v);
  assert.deepStrictEqual(a.toArray(), [[1, 4], [9, 16]]);
});

Deno.test("hadamard() multiplies elementwise, with the output aliasing either input", () => {
  const a = Matrix.from([[1, 2], [3, 4]]), b = Matrix.from([[5, 6], [7, 8]]);
  assert.deepStrictEqual(hadamard(new Matrix(2, 2), a, b).toArray(), [[5, 12], [21, 32]]);
  const a2 = a.clone(), b2 = b.clone();
  hadamard(a2, a2, b);
  hadamard(b2, a, b2);
  assert.deepStrictEqual(a2.toArray(), [[5, 12], [21, 32]]);
  assert.deepStrictEqual(b2.toArray(), [[5, 12], [21, 32]]);
});

Deno.test("scale() multiplies by a scalar, also in place", () => {
  const a = Matrix.from([[1, -2], [0.5, 4]]);
  assert.deepStrictEqual(scale(new Matrix(2, 2), a, 2).toArray(), [[2, -4], [1, 8]]);
  scale(a, a, -1);
  assert.deepStrictEqual(a.toArray(), [[-1, 2], [-0.5, -4]]);
});

Deno.test("axpy() adds alpha times x to y in place and returns y", () => {
  const y = new Float64Array([1, 2, 3]);
  const result = axpy(y, 0.5, new Float64Array([2, 4, -6]));
  assert.deepStrictEqual(result === y, true);
  assert.deepStrictEqual(Array.from(y), [2, 4, 0]);
});

Deno.test("matrix kernels reject mismatched shapes with exact TypeError messages", async (t) => {
  const m = (rows: number, cols: number) => new Matrix(rows, cols);
  const cases: [string, () => unknown, string][] = [
    [
      "matmul() rejects mismatched inner dimensions",
      () => matmul(m(4, 5), m(4, 3), m(2, 5)),
      "matmul: cannot multiply 4×3 by 2×5 (inner sizes 3 and 2 differ)",
    ],
    [
      "matmul() rejects a wrong output shape",
      () => matmul(m(4, 4), m(4, 3), m(3, 5)),
      "matmul: output is 4×4, expected 4×5",
    ],
    [
      "matmulTransposeB() rejects mismatched inner dimensions",
      () => matmulTransposeB(m(4, 5), m(4, 3), m(5, 2)),
      "matmulTransposeB: cannot multiply 4×3 by the transpose of 5×2 (inner sizes 3 and 2 differ)",
    ],
    [
      "matmulTransposeB() rejects a wrong output shape",
      () => matmulTransposeB(m(5, 4), m(4, 3), m(5, 3)),
      "matmulTransposeB: output is 5×4, expected 4×5",
    ],
    [
      "matmulTransposeA() rejects mismatched inner dimensions",
      () => matmulTransposeA(m(3, 5), m(4, 3), m(2, 5)),
      "matmulTransposeA: cannot multiply the transpose of 4×3 by 2×5 (inner sizes 4 and 2 differ)",
    ],
    [
      "matmulTransposeA() rejects a wrong output shape",
      () => matmulTransposeA(m(4, 5), m(4, 3), m(4, 5)),
      "matmulTransposeA: output is 4×5, expected 3×5",
    ],
    [
      "addRowVector() rejects a wrong output shape",
      () => addRowVector(m(2, 2), m(2, 3), new Float64Array(3)),
      "addRowVector: shapes differ (2×2 and 2×3)",
    ],
    [
      "addRowVector() rejects a row of the wrong length",
      () => addRowVector(m(2, 3), m(2, 3), new Float64Array(2)),
      "addRowVector: row has 2 values, the matrix has 3 columns",
    ],
    [
      "sumColumns() rejects an output of the wrong length",
      () => sumColumns(new Float64Array(2), m(4, 3)),
      "sumColumns: output has 2 values, the matrix has 3 columns",
    ],
    [
      "map() rejects a wrong output shape",
      () => map(m(3, 2), m(2, 3), (v) => v),
      "map: shapes differ (3×2 and 2×3)",
    ],
    [
      "hadamard() rejects inputs of different shapes",
      () => hadamard(m(2, 3), m(2, 3), m(3, 2)),
      "hadamard: shapes differ (2×3 and 3×2)",
    ],
    [
      "hadamard() rejects a wrong output shape",
      () => hadamard(m(1, 6), m(2, 3), m(2, 3)),
      "hadamard: shapes differ (1×6 and 2×3)",
    ],
    [
      "scale() rejects a wrong output shape",
      () => scale(m(2, 2), m(2, 3), 2),
      "scale: shapes differ (2×2 and 2×3)",
    ],
    [
      "axpy() rejects vectors of different lengths",
      () => axpy(new Float64Array(3), 1, new Float64Array(4)),
      "axpy: lengths differ (3 and 4)",
    ],
    [
      "transpose() rejects a wrong output shape",
      () => transpose(m(2, 3), m(2, 3)),
      "transpose: output is 2×3, expected 3×2",
    ],
  ];
  for (const [name, fn, message] of cases) {
    await t.step(name, () => throwsExactly(fn, TypeError, message));
  }
});
