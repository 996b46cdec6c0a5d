// Elementwise kernels: bias + activation (forward), activation derivative + column sum (backward) and the
// optimizer updates, in f64x2 SIMD, emitted into the same module as the matrix products.
//
// Each kernel performs exactly the IEEE operations of the reference code in activations.ts, dense.ts and
// optimizers.ts, in the same order and without fused multiply-adds, so its results are bit-identical to the
// reference; only whole elements are split between threads, so the split never changes a result.
//
//   forward   z += b (broadcast over rows), then a = f(z)                       (rows, n)
//   backward  dZ = dA ⊙ f'(z) (or f'(a)), dB = Σ_rows dZ (rows in order)        (rows, n), (n)
//   sum       dB = Σ_rows dZ                                                   (n)
//   sgd       w ← w − η·g   or   w ← w − η·(g + λw)                            [j0, j1)
//   momentum  v ← μv − ηg,  w ← w + v  (Nesterov: w ← w + (μv − ηg))            [j0, j1)
//   adam      m ← β1m + (1−β1)g, v ← β2v + (1−β2)g·g, w ← w − η·(m/c1)/(√(v/c2) + ε)   [j0, j1)
//
// Rows are walked pair by pair (one f64x2 per pair of columns); an odd last column is loaded into lane 0
// with the other lane zero and stored from lane 0 alone.

import { LEAKY_RELU_SLOPE } from "../activations.ts";
import { Code, type FunctionDef, I32, V128 } from "./_emitter.ts";

/** Activations with a forward kernel (sigmoid, tanh and softmax need `exp`, which WebAssembly lacks). */
export const FORWARD_ACTIVATIONS = ["linear", "relu", "leaky_relu"] as const;
/** Activations with a backward kernel (softmax's Jacobian is per row; it stays in TypeScript). */
export const BACKWARD_ACTIVATIONS = ["linear", "relu", "leaky_relu", "sigmoid", "tanh"] as const;

/**
 * Optimizer kernels, called like the products: (c, a, b, m, k, n, i0, i1, j0, j1, scratch) with the update
 * applied to elements [j0, j1) of the arrays at c (w), a (g), m (momentum's v, Adam's m) and k (Adam's v);
 * b points to the f64 constants (see `OPTIMIZER_CONSTANTS`), n is the length, i0, i1 and scratch are unused.
 * The thread pool passes c, a, b, m, k and n through unchanged, so a split update sees the same arrays.
 */
export const OPTIMIZER_KERNELS = [
  "sgdStep",
  "sgdStepDecay",
  "momentumStep",
  "momentumStepDecay",
  "nesterovStep",
  "nesterovStepDecay",
  "adamStep",
  "adamStepDecay",
] as const;

/** Float64 slots of the constants block an optimizer kernel reads at b. */
export const OPTIMIZER_CONSTANTS = {
  RATE: 0,
  L2: 1,
  MOMENTUM: 2,
  BETA1: 3,
  ONE_MINUS_BETA1: 4,
  BETA2: 5,
  ONE_MINUS_BETA2: 6,
  CORRECTION1: 7,
  CORRECTION2: 8,
  EPSILON: 9,
  COUNT: 10,
} as const;

/** One exported elementwise function, ready for `encodeModule`. */
type Emitted = Omit<FunctionDef, "exportName"> & { exportName: string };

/**
 * Emits a loop over `count` (an i32 local) values from byte offset 0: `unroll` pairs per iteration while
 * they last, then single pairs, then the odd last value. `body(offset, single)` emits the work for the pair
 * (or single value) at byte `x + offset`, where `x` is the i32 local holding the running byte offset.
 */
function elementLoop(
  code: Code,
  locals: { count: number; x: number; end: number },
  unroll: number,
  body: (offset: number, single: boolean) => void,
): void {
  const { count, x, end } = locals;
  code.get(count).i32Const(1).i32ShrU().i32Const(4).i32Shl().set(end);
  code.i32Const(0).set(x);
  if (unroll > 1) {
    code.block().loop();
    code.get(x).i32Const(16 * unroll).i32Add().get(end).i32GtS().brIf(1);
    for (let u = 0; u < unroll; u++) body(16 * u, false);
    code.get(x).i32Const(16 * unroll).i32Add().set(x).br(0);
    code.end().end();
  }
  code.block().loop();
  code.get(x).get(end).i32GeS().brIf(1);
  body(0, false);
  code.get(x).i32Const(16).i32Add().set(x).br(0);
  code.end().end();
  code.get(count).i32Const(1).i32And().if();
  body(0, true);
  code.end();
}

/** Pushes the vector at byte `pointer + x + offset` (one value, lane 1 zero, when `single`). */
function load(code: Code, pointer: number, x: number, offset: number, single: boolean): void {
  code.get(pointer).get(x).i32Add();
  if (single) code.v128Load64Zero(offset);
  else code.v128Load(offset);
}

/** Stores the vector in local `value` at byte `pointer + x + offset` (lane 0 only when `single`). */
function store(code: Code, pointer: number, x: number, offset: number, single: boolean, value: number): void {
  code.get(pointer).get(x).i32Add().get(value);
  if (single) code.v128Store64Lane(0, offset);
  else code.v128Store(offset);
}

/** Pushes `f64x2.splat(value)` of an f64 constant. */
function splatConstant(code: Code, value: number, scratch: number): void {
  // f64.const (0x44, eight little-endian bytes), then f64x2.splat.
  code.bytes.push(0x44);
  const bytes = new Uint8Array(new Float64Array([value]).buffer);
  for (const b of bytes) code.bytes.push(b);
  code.f64x2Splat().set(scratch);
}

/**
 * Forward: z += b (b broadcast over the rows), then a = f(z) for f in `FORWARD_ACTIVATIONS`.
 * Parameters (z, a, b, rows, n), byte pointers.
 */
function biasActivationKernel(activation: typeof FORWARD_ACTIVATIONS[number]): Code {
  const Z = 0, A = 1, B = 2, ROWS = 3, N = 4;
  const code = new Code(5);
  const x = code.local(I32), end = code.local(I32), rowBytes = code.local(I32);
  const zv = code.local(V128), zero = code.local(V128), slope = code.local(V128), scaled = code.local(V128);
  code.v128Zero().set(zero);
  if (activation === "leaky_relu") splatConstant(code, LEAKY_RELU_SLOPE, slope);
  code.get(N).i32Const(3).i32Shl().set(rowBytes);
  code.block().get(ROWS).i32Eqz().brIf(0).loop();
  elementLoop(code, { count: N, x, end }, 2, (offset, single) => {
    // z = z + b
    load(code, Z, x, offset, single);
    load(code, B, x, offset, single);
    code.f64x2Add().set(zv);
    store(code, Z, x, offset, single, zv);
    if (activation === "relu") {
      // a = z > 0 ? z : 0
      code.get(zero).get(zv).f64x2Pmax().set(zv);
    } else if (activation === "leaky_relu") {
      // a = z > 0 ? z : 0.01·z
      code.get(slope).get(zv).f64x2Mul().set(scaled);
      code.get(zv).get(scaled).get(zv).get(zero).f64x2Gt().v128Bitselect().set(zv);
    }
    store(code, A, x, offset, single, zv);
  });
  code.get(Z).get(rowBytes).i32Add().set(Z);
  code.get(A).get(rowBytes).i32Add().set(A);
  code.get(ROWS).i32Const(1).i32Sub().tee(ROWS).brIf(0);
  code.end().end();
  return code;
}

/**
 * Backward: dZ = dA ⊙ f'(·) for f in `BACKWARD_ACTIVATIONS`, and dB = Σ_rows dZ (rows in order, from 0).
 * With `activation` undefined, only dB = Σ_rows dZ. Parameters (dZ, dA, z, a, dB, rows, n), byte pointers;
 * dZ may equal dA.
 */
function backwardSumKernel(activation: typeof BACKWARD_ACTIVATIONS[number] | undefined): Code {
  const DZ = 0, DA = 1, Z = 2, A = 3, DB = 4, ROWS = 5, N = 6;
  const code = new Code(7);
  const x = code.local(I32), end = code.local(I32), rowBytes = code.local(I32);
  const d = code.local(V128), t = code.local(V128), zero = code.local(V128), slope = code.local(V128);
  const one = code.local(V128);
  code.v128Zero().set(zero);
  if (activation === "leaky_relu") splatConstant(code, LEAKY_RELU_SLOPE, slope);
  if (activation === "sigmoid" || activation === "tanh") splatConstant(code, 1, one);
  code.get(N).i32Const(3).i32Shl().set(rowBytes);
  // dB = 0
  elementLoop(code, { count: N, x, end }, 1, (offset, single) => store(code, DB, x, offset, single, zero));
  code.block().get(ROWS).i32Eqz().brIf(0).loop();
  elementLoop(code, { count: N, x, end }, 2, (offset, single) => {
    if (activation === undefined) {
      load(code, DZ, x, offset, single);
      code.set(d);
    } else {
      load(code, DA, x, offset, single);
      code.set(d);
      if (activation === "relu") {
        // dZ = z > 0 ? dA : 0
        load(code, Z, x, offset, single);
        code.get(zero).f64x2Gt().set(t);
        code.get(d).get(zero).get(t).v128Bitselect().set(d);
      } else if (activation === "leaky_relu") {
        // dZ = z > 0 ? dA : 0.01·dA
        load(code, Z, x, offset, single);
        code.get(zero).f64x2Gt().set(t);
        code.get(d).get(slope).get(d).f64x2Mul().get(t).v128Bitselect().set(d);
      } else if (activation === "sigmoid") {
        // dZ = dA·a·(1 − a)
        load(code, A, x, offset, single);
        code.set(t);
        code.get(d).get(t).f64x2Mul().get(one).get(t).f64x2Sub().f64x2Mul().set(d);
      } else if (activation === "tanh") {
        // dZ = dA·(1 − a·a)
        load(code, A, x, offset, single);
        code.set(t);
        code.get(d).get(one).get(t).get(t).f64x2Mul().f64x2Sub().f64x2Mul().set(d);
      }
      store(code, DZ, x, offset, single, d);
    }
    // dB += dZ
    load(code, DB, x, offset, single);
    code.get(d).f64x2Add().set(t);
    store(code, DB, x, offset, single, t);
  });
  code.get(DZ).get(rowBytes).i32Add().set(DZ);
  code.get(DA).get(rowBytes).i32Add().set(DA);
  code.get(Z).get(rowBytes).i32Add().set(Z);
  code.get(A).get(rowBytes).i32Add().set(A);
  code.get(ROWS).i32Const(1).i32Sub().tee(ROWS).brIf(0);
  code.end().end();
  return code;
}

/** An optimizer kernel (see `OPTIMIZER_KERNELS`), with the driver signature of the products. */
function optimizerKernel(name: typeof OPTIMIZER_KERNELS[number]): Code {
  const W = 0, G = 1, CONSTANTS = 2, S1 = 3, S2 = 4, J0 = 8, J1 = 9;
  const code = new Code(11);
  const x = code.local(I32), end = code.local(I32), count = code.local(I32);
  const w = code.local(V128), g = code.local(V128), s = code.local(V128), u = code.local(V128);
  const constant = (slot: number) => {
    const local = code.local(V128);
    code.get(CONSTANTS).v128Load64Splat(8 * slot).set(local);
    return local;
  };
  const C = OPTIMIZER_CONSTANTS;
  const rate = constant(C.RATE);
  const decay = name.endsWith("Decay");
  const l2 = decay ? constant(C.L2) : -1;
  // Advance every array pointer to element j0.
  code.get(J1).get(J0).i32Sub().set(count);
  for (const pointer of [W, G, S1, S2]) code.get(pointer).get(J0).i32Const(3).i32Shl().i32Add().set(pointer);
  // g (+ λw)
  const gradient = (offset: number, single: boolean) => {
    load(code, G, x, offset, single);
    code.set(g);
    load(code, W, x, offset, single);
    code.set(w);
    if (decay) code.get(g).get(l2).get(w).f64x2Mul().f64x2Add().set(g);
  };
  if (name.startsWith("sgd")) {
    elementLoop(code, { count, x, end }, 4, (offset, single) => {
      gradient(offset, single);
      // w − η·g
      code.get(w).get(rate).get(g).f64x2Mul().f64x2Sub().set(w);
      store(code, W, x, offset, single, w);
    });
  } else if (name.startsWith("momentum") || name.startsWith("nesterov")) {
    const mu = constant(C.MOMENTUM);
    const nesterov = name.startsWith("nesterov");
    elementLoop(code, { count, x, end }, 2, (offset, single) => {
      gradient(offset, single);
      // v = μv − ηg
      load(code, S1, x, offset, single);
      code.set(s);
      code.get(mu).get(s).f64x2Mul().get(rate).get(g).f64x2Mul().f64x2Sub().set(s);
      store(code, S1, x, offset, single, s);
      // w + v, or w + (μv − ηg)
      if (nesterov) {
        code.get(w).get(mu).get(s).f64x2Mul().get(rate).get(g).f64x2Mul().f64x2Sub().f64x2Add().set(w);
      } else {
        code.get(w).get(s).f64x2Add().set(w);
      }
      store(code, W, x, offset, single, w);
    });
  } else {
    const beta1 = constant(C.BETA1), oneMinusBeta1 = constant(C.ONE_MINUS_BETA1);
    const beta2 = constant(C.BETA2), oneMinusBeta2 = constant(C.ONE_MINUS_BETA2);
    const correction1 = constant(C.CORRECTION1), correction2 = constant(C.CORRECTION2);
    const epsilon = constant(C.EPSILON);
    elementLoop(code, { count, x, end }, 1, (offset, single) => {
      gradient(offset, single);
      // m = β1·m + (1 − β1)·g
      load(code, S1, x, offset, single);
      code.set(s);
      code.get(beta1).get(s).f64x2Mul().get(oneMinusBeta1).get(g).f64x2Mul().f64x2Add().set(s);
      store(code, S1, x, offset, single, s);
      // v = β2·v + (1 − β2)·g·g
      load(code, S2, x, offset, single);
      code.set(u);
      code.get(beta2).get(u).f64x2Mul().get(oneMinusBeta2).get(g).f64x2Mul().get(g).f64x2Mul().f64x2Add().set(
        u,
      );
      store(code, S2, x, offset, single, u);
      // w − η·(m / c1) / (√(v / c2) + ε)
      code.get(w).get(rate).get(s).get(correction1).f64x2Div().f64x2Mul();
      code.get(u).get(correction2).f64x2Div().f64x2Sqrt().get(epsilon).f64x2Add();
      code.f64x2Div().f64x2Sub().set(w);
      store(code, W, x, offset, single, w);
    });
  }
  return code;
}

/** Every elementwise function of the module, with its export name. */
export function elementwiseFunctions(): Emitted[] {
  const functions: Emitted[] = [];
  for (const activation of FORWARD_ACTIVATIONS) {
    functions.push({
      params: [I32, I32, I32, I32, I32],
      results: [],
      code: biasActivationKernel(activation),
      exportName: `bias_${activation}`,
    });
  }
  for (const activation of [...BACKWARD_ACTIVATIONS, undefined]) {
    functions.push({
      params: [I32, I32, I32, I32, I32, I32, I32],
      results: [],
      code: backwardSumKernel(activation),
      exportName: activation === undefined ? "columnSum" : `backward_${activation}`,
    });
  }
  for (const name of OPTIMIZER_KERNELS) {
    functions.push({
      params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
      results: [],
      code: optimizerKernel(name),
      exportName: name,
    });
  }
  return functions;
}
