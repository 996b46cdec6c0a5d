// Elementwise kernels: bias + activation (forward), activation derivative + column sum (backward) and the
// optimizer updates, in f64x2 SIMD (or f32x4 for float32 networks), emitted into the same module as the
// matrix products.
//
// In float64 each kernel performs exactly the IEEE operations of the reference code in activations.ts,
// dense.ts and optimizers.ts, in the same order and without fused multiply-adds, so its results are
// bit-identical to the reference. In float32 the same operations round after each step in float32 (the
// reference computes each expression in float64 and rounds once when it stores), and the optimizer's
// constants are rounded to float32: results agree with the reference to a few float32 ulps. Only whole
// elements are split between threads, so the split never changes a result.
//
//   forward   z += b (broadcast over rows), then a = f(z)                       (rows, n)
//   backward  dZ = dA ⊙ f'(z) (or f'(a)), dB = Σ_rows dZ (rows in order)        (rows, n), (n)
//   sum       dB = Σ_rows dZ                                                   (n)
//   sgd       w ← w − η·g   or   w ← w − η·(g + λw)                            [j0, j1)
//   momentum  v ← μv − ηg,  w ← w + v  (Nesterov: w ← w + (μv − ηg))            [j0, j1)
//   adam      m ← β1m + (1−β1)g, v ← β2v + (1−β2)g·g, w ← w − η·(m/c1)/(√(v/c2) + ε)   [j0, j1)
//
// Rows are walked a vector at a time (two f64 or four f32 columns); the last columns that fill no whole
// vector are loaded one at a time into lane 0, the other lanes zero, and stored from lane 0 alone.

import { LEAKY_RELU_SLOPE } from "../activations.ts";
import { Code, type FunctionDef, I32, V128 } from "./_emitter.ts";

/** The vector operations of one element type: f64x2 or f32x4. */
interface Precision {
  /** Bytes per element. */
  bytes: 8 | 4;
  /** log2 of `bytes`. */
  shift: 3 | 2;
  /** log2 of elements per vector. */
  laneShift: 1 | 2;
  add(code: Code): void;
  sub(code: Code): void;
  mul(code: Code): void;
  div(code: Code): void;
  sqrt(code: Code): void;
  pmax(code: Code): void;
  gt(code: Code): void;
  /** Pushes one element loaded into lane 0 (the others zero). */
  loadSingle(code: Code, offset: number): void;
  /** Stores lane 0 of the vector on the stack as one element. */
  storeSingle(code: Code, offset: number): void;
  /** Pushes the f64 `value` (rounded to f32 for f32x4) splat into every lane. */
  splat(code: Code, value: number): void;
  /** Pushes constant `slot` of the block at the pointer on the stack, splat into every lane. */
  loadConstant(code: Code, slot: number): void;
}

const F64X2: Precision = {
  bytes: 8,
  shift: 3,
  laneShift: 1,
  add: (code) => code.f64x2Add(),
  sub: (code) => code.f64x2Sub(),
  mul: (code) => code.f64x2Mul(),
  div: (code) => code.f64x2Div(),
  sqrt: (code) => code.f64x2Sqrt(),
  pmax: (code) => code.f64x2Pmax(),
  gt: (code) => code.f64x2Gt(),
  loadSingle: (code, offset) => code.v128Load64Zero(offset),
  storeSingle: (code, offset) => code.v128Store64Lane(0, offset),
  splat: (code, value) => {
    // f64.const (0x44, eight little-endian bytes), then f64x2.splat.
    code.bytes.push(0x44, ...new Uint8Array(new Float64Array([value]).buffer));
    code.f64x2Splat();
  },
  loadConstant: (code, slot) => code.v128Load64Splat(8 * slot),
};

const F32X4: Precision = {
  bytes: 4,
  shift: 2,
  laneShift: 2,
  add: (code) => code.f32x4Add(),
  sub: (code) => code.f32x4Sub(),
  mul: (code) => code.f32x4Mul(),
  div: (code) => code.f32x4Div(),
  sqrt: (code) => code.f32x4Sqrt(),
  pmax: (code) => code.f32x4Pmax(),
  gt: (code) => code.f32x4Gt(),
  loadSingle: (code, offset) => code.v128Load32Zero(offset),
  storeSingle: (code, offset) => code.v128Store32Lane(0, offset),
  splat: (code, value) => {
    // f32.const (0x43, four little-endian bytes), then f32x4.splat.
    code.bytes.push(0x43, ...new Uint8Array(new Float32Array([value]).buffer));
    code.f32x4Splat();
  },
  loadConstant: (code, slot) => code.v128Load32Splat(4 * slot),
};

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

/** Slots of the constants block an optimizer kernel reads at b (float64, or float32 for float32 kernels). */
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
 * Emits a loop over `count` (an i32 local) values from byte offset 0: `unroll` vectors per iteration while
 * they last, then single vectors, then the last values one at a time. `body(offset, single)` emits the work
 * for the vector (or single value) at byte `x + offset`, where `x` is the i32 local holding the running byte
 * offset.
 */
function elementLoop(
  code: Code,
  p: Precision,
  locals: { count: number; x: number; end: number },
  unroll: number,
  body: (offset: number, single: boolean) => void,
): void {
  const { count, x, end } = locals;
  code.get(count).i32Const(p.laneShift).i32ShrU().i32Const(4).i32Shl().set(end);
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
  // the rest, one value at a time
  code.get(count).i32Const(p.shift).i32Shl().set(end);
  code.block().loop();
  code.get(x).get(end).i32GeS().brIf(1);
  body(0, true);
  code.get(x).i32Const(p.bytes).i32Add().set(x).br(0);
  code.end().end();
}

/** Pushes the vector at byte `pointer + x + offset` (one value, other lanes zero, when `single`). */
function load(code: Code, p: Precision, pointer: number, x: number, offset: number, single: boolean): void {
  code.get(pointer).get(x).i32Add();
  if (single) p.loadSingle(code, offset);
  else code.v128Load(offset);
}

/** Stores the vector in local `value` at byte `pointer + x + offset` (lane 0 only when `single`). */
function store(
  code: Code,
  p: Precision,
  pointer: number,
  x: number,
  offset: number,
  single: boolean,
  value: number,
): void {
  code.get(pointer).get(x).i32Add().get(value);
  if (single) p.storeSingle(code, offset);
  else code.v128Store(offset);
}

/** Sets local `scratch` to `value` splat into every lane. */
function splatConstant(code: Code, p: Precision, value: number, scratch: number): void {
  p.splat(code, value);
  code.set(scratch);
}

/**
 * Forward: z += b (b broadcast over the rows), then a = f(z) for f in `FORWARD_ACTIVATIONS`.
 * Parameters (z, a, b, rows, n), byte pointers.
 */
function biasActivationKernel(activation: typeof FORWARD_ACTIVATIONS[number], p: Precision): Code {
  const Z = 0, A = 1, B = 2, ROWS = 3, N = 4;
  const code = new Code(5);
  const x = code.local(I32), end = code.local(I32), rowBytes = code.local(I32);
  const zv = code.local(V128), zero = code.local(V128), slope = code.local(V128), scaled = code.local(V128);
  code.v128Zero().set(zero);
  if (activation === "leaky_relu") splatConstant(code, p, LEAKY_RELU_SLOPE, slope);
  code.get(N).i32Const(p.shift).i32Shl().set(rowBytes);
  code.block().get(ROWS).i32Eqz().brIf(0).loop();
  elementLoop(code, p, { count: N, x, end }, 2, (offset, single) => {
    // z = z + b
    load(code, p, Z, x, offset, single);
    load(code, p, B, x, offset, single);
    code.op(p.add).set(zv);
    store(code, p, Z, x, offset, single, zv);
    if (activation === "relu") {
      // a = z > 0 ? z : 0
      code.get(zero).get(zv).op(p.pmax).set(zv);
    } else if (activation === "leaky_relu") {
      // a = z > 0 ? z : 0.01·z
      code.get(slope).get(zv).op(p.mul).set(scaled);
      code.get(zv).get(scaled).get(zv).get(zero).op(p.gt).v128Bitselect().set(zv);
    }
    store(code, p, A, x, offset, single, zv);
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
function backwardSumKernel(activation: typeof BACKWARD_ACTIVATIONS[number] | undefined, p: Precision): Code {
  const DZ = 0, DA = 1, Z = 2, A = 3, DB = 4, ROWS = 5, N = 6;
  const code = new Code(7);
  const x = code.local(I32), end = code.local(I32), rowBytes = code.local(I32);
  const d = code.local(V128), t = code.local(V128), zero = code.local(V128), slope = code.local(V128);
  const one = code.local(V128);
  code.v128Zero().set(zero);
  if (activation === "leaky_relu") splatConstant(code, p, LEAKY_RELU_SLOPE, slope);
  if (activation === "sigmoid" || activation === "tanh") splatConstant(code, p, 1, one);
  code.get(N).i32Const(p.shift).i32Shl().set(rowBytes);
  // dB = 0
  elementLoop(
    code,
    p,
    { count: N, x, end },
    1,
    (offset, single) => store(code, p, DB, x, offset, single, zero),
  );
  code.block().get(ROWS).i32Eqz().brIf(0).loop();
  elementLoop(code, p, { count: N, x, end }, 2, (offset, single) => {
    if (activation === undefined) {
      load(code, p, DZ, x, offset, single);
      code.set(d);
    } else {
      load(code, p, DA, x, offset, single);
      code.set(d);
      if (activation === "relu") {
        // dZ = z > 0 ? dA : 0
        load(code, p, Z, x, offset, single);
        code.get(zero).op(p.gt).set(t);
        code.get(d).get(zero).get(t).v128Bitselect().set(d);
      } else if (activation === "leaky_relu") {
        // dZ = z > 0 ? dA : 0.01·dA
        load(code, p, Z, x, offset, single);
        code.get(zero).op(p.gt).set(t);
        code.get(d).get(slope).get(d).op(p.mul).get(t).v128Bitselect().set(d);
      } else if (activation === "sigmoid") {
        // dZ = dA·a·(1 − a)
        load(code, p, A, x, offset, single);
        code.set(t);
        code.get(d).get(t).op(p.mul).get(one).get(t).op(p.sub).op(p.mul).set(d);
      } else if (activation === "tanh") {
        // dZ = dA·(1 − a·a)
        load(code, p, A, x, offset, single);
        code.set(t);
        code.get(d).get(one).get(t).get(t).op(p.mul).op(p.sub).op(p.mul).set(d);
      }
      store(code, p, DZ, x, offset, single, d);
    }
    // dB += dZ
    load(code, p, DB, x, offset, single);
    code.get(d).op(p.add).set(t);
    store(code, p, DB, x, offset, single, t);
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
function optimizerKernel(name: typeof OPTIMIZER_KERNELS[number], p: Precision): Code {
  const W = 0, G = 1, CONSTANTS = 2, S1 = 3, S2 = 4, J0 = 8, J1 = 9;
  const code = new Code(11);
  const x = code.local(I32), end = code.local(I32), count = code.local(I32);
  const w = code.local(V128), g = code.local(V128), s = code.local(V128), u = code.local(V128);
  const constant = (slot: number) => {
    const local = code.local(V128);
    code.get(CONSTANTS);
    p.loadConstant(code, slot);
    code.set(local);
    return local;
  };
  const C = OPTIMIZER_CONSTANTS;
  const rate = constant(C.RATE);
  const decay = name.endsWith("Decay");
  const l2 = decay ? constant(C.L2) : -1;
  // Advance every array pointer to element j0.
  code.get(J1).get(J0).i32Sub().set(count);
  for (const pointer of [W, G, S1, S2]) {
    code.get(pointer).get(J0).i32Const(p.shift).i32Shl().i32Add().set(pointer);
  }
  // g (+ λw)
  const gradient = (offset: number, single: boolean) => {
    load(code, p, G, x, offset, single);
    code.set(g);
    load(code, p, W, x, offset, single);
    code.set(w);
    if (decay) code.get(g).get(l2).get(w).op(p.mul).op(p.add).set(g);
  };
  if (name.startsWith("sgd")) {
    elementLoop(code, p, { count, x, end }, 4, (offset, single) => {
      gradient(offset, single);
      // w − η·g
      code.get(w).get(rate).get(g).op(p.mul).op(p.sub).set(w);
      store(code, p, W, x, offset, single, w);
    });
  } else if (name.startsWith("momentum") || name.startsWith("nesterov")) {
    const mu = constant(C.MOMENTUM);
    const nesterov = name.startsWith("nesterov");
    elementLoop(code, p, { count, x, end }, 2, (offset, single) => {
      gradient(offset, single);
      // v = μv − ηg
      load(code, p, S1, x, offset, single);
      code.set(s);
      code.get(mu).get(s).op(p.mul).get(rate).get(g).op(p.mul).op(p.sub).set(s);
      store(code, p, S1, x, offset, single, s);
      // w + v, or w + (μv − ηg)
      if (nesterov) {
        code.get(w).get(mu).get(s).op(p.mul).get(rate).get(g).op(p.mul).op(p.sub).op(p.add).set(w);
      } else {
        code.get(w).get(s).op(p.add).set(w);
      }
      store(code, p, W, x, offset, single, w);
    });
  } else {
    const beta1 = constant(C.BETA1), oneMinusBeta1 = constant(C.ONE_MINUS_BETA1);
    const beta2 = constant(C.BETA2), oneMinusBeta2 = constant(C.ONE_MINUS_BETA2);
    const correction1 = constant(C.CORRECTION1), correction2 = constant(C.CORRECTION2);
    const epsilon = constant(C.EPSILON);
    elementLoop(code, p, { count, x, end }, 1, (offset, single) => {
      gradient(offset, single);
      // m = β1·m + (1 − β1)·g
      load(code, p, S1, x, offset, single);
      code.set(s);
      code.get(beta1).get(s).op(p.mul).get(oneMinusBeta1).get(g).op(p.mul).op(p.add).set(s);
      store(code, p, S1, x, offset, single, s);
      // v = β2·v + (1 − β2)·g·g
      load(code, p, S2, x, offset, single);
      code.set(u);
      code.get(beta2).get(u).op(p.mul).get(oneMinusBeta2).get(g).op(p.mul).get(g).op(p.mul).op(p.add).set(
        u,
      );
      store(code, p, S2, x, offset, single, u);
      // w − η·(m / c1) / (√(v / c2) + ε)
      code.get(w).get(rate).get(s).get(correction1).op(p.div).op(p.mul);
      code.get(u).get(correction2).op(p.div).op(p.sqrt).get(epsilon).op(p.add);
      code.op(p.div).op(p.sub).set(w);
      store(code, p, W, x, offset, single, w);
    });
  }
  return code;
}

/** Every elementwise function of the module, with its export name, in float64 or in float32. */
export function elementwiseFunctions(dtype: "float64" | "float32" = "float64"): Emitted[] {
  const p = dtype === "float32" ? F32X4 : F64X2;
  const functions: Emitted[] = [];
  for (const activation of FORWARD_ACTIVATIONS) {
    functions.push({
      params: [I32, I32, I32, I32, I32],
      results: [],
      code: biasActivationKernel(activation, p),
      exportName: `bias_${activation}`,
    });
  }
  for (const activation of [...BACKWARD_ACTIVATIONS, undefined]) {
    functions.push({
      params: [I32, I32, I32, I32, I32, I32, I32],
      results: [],
      code: backwardSumKernel(activation, p),
      exportName: activation === undefined ? "columnSum" : `backward_${activation}`,
    });
  }
  for (const name of OPTIMIZER_KERNELS) {
    functions.push({
      params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
      results: [],
      code: optimizerKernel(name, p),
      exportName: name,
    });
  }
  return functions;
}
