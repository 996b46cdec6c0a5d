// Inverted dropout (Srivastava et al., 2014): during training each hidden unit's output is kept with probability
// q = 1 − p and scaled by 1/q, so its expected value is unchanged and inference needs no correction.

import type { Backend } from "../math/backend.ts";
import { type AnyMatrix, Matrix } from "../math/matrix.ts";
import { Rng } from "../math/random.ts";

/**
 * The seeded source of dropout masks: xoshiro128** (Blackman & Vigna) on 32-bit integers, two 16-bit draws
 * per number, which keeps masking cheap beside the products. The same seed gives the same masks.
 *
 * @example
 * ```ts
 * import { DropoutRng } from "./dropout.ts";
 * const a = new DropoutRng(7), b = new DropoutRng(7);
 * if (a.nextUint32() !== b.nextUint32()) throw new Error("not reproducible");
 * ```
 */
export class DropoutRng {
  /** The generator's state s0..s3 (never all zero). */
  readonly state: Uint32Array = new Uint32Array(4);
  #seed: number;

  /** Seeds the generator from `seed` through the project's `Rng`. */
  constructor(seed: number) {
    this.#seed = seed;
    this.reset();
  }

  /** Starts the stream over from the seed. */
  reset(): void {
    const rng = new Rng(this.#seed);
    for (let i = 0; i < 4; i++) this.state[i] = rng.int(2 ** 32);
    if (this.state.every((s) => s === 0)) this.state[0] = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 2¹⁶: masks compare 16-bit draws with the keep threshold. */
const DRAW_RANGE = 65536;

/**
 * The keep threshold T and scale of a dropout rate p: a unit is kept when a 16-bit draw is below
 * T = round((1 − p) · 2¹⁶), so q = T / 2¹⁶, and kept outputs are multiplied by 1/q = 2¹⁶ / T exactly.
 */
export function dropoutThreshold(rate: number): { threshold: number; scale: number } {
  if (!(rate >= 0 && rate < 1)) {
    throw new RangeError(
      `Invalid dropout rate: expected a number from 0 up to (not including) 1, got ${rate}`,
    );
  }
  const threshold = Math.max(1, Math.round((1 - rate) * DRAW_RANGE));
  return { threshold, scale: DRAW_RANGE / threshold };
}

/**
 * One hidden layer's dropout: the masked output a ⊙ m (a buffer in the backend's memory, fed to the next layer)
 * and the mask m (0 or 1/q per unit), per batch size.
 */
export class Dropout {
  /** The rate p: the probability that a unit is dropped. */
  readonly rate: number;
  /** Units of the layer. */
  readonly units: number;
  #threshold: number;
  #scale: number;
  #backend: Backend;
  #capacity = 0;
  #out: AnyMatrix | undefined;
  #mask = new Float64Array(0);
  #views: (AnyMatrix | undefined)[] = [];

  /** Dropout of rate `rate` after a layer of `units` units whose buffers live in `backend`. */
  constructor(options: { rate: number; units: number; backend: Backend }) {
    const { threshold, scale } = dropoutThreshold(options.rate);
    this.rate = options.rate;
    this.units = options.units;
    this.#threshold = threshold;
    this.#scale = scale;
    this.#backend = options.backend;
  }

  /** The masked output buffer for `rows` rows (the last `forward` with that many rows wrote it). */
  output(rows: number): AnyMatrix {
    if (rows > this.#capacity) {
      this.#out = this.#backend.allocate(rows, this.units);
      this.#mask = new Float64Array(rows * this.units);
      this.#capacity = rows;
      this.#views = [];
    }
    let view = this.#views[rows];
    if (view === undefined) {
      view = new Matrix(rows, this.units, this.#out!.data.subarray(0, rows * this.units));
      this.#views[rows] = view;
    }
    return view;
  }

  /** The mask of the last `forward`, m (batch · units): 0 or 1/q. */
  get mask(): Float64Array {
    return this.#mask;
  }

  /** Draws a new mask and returns out = a ⊙ m   (batch, units). */
  forward(a: AnyMatrix, rng: DropoutRng): AnyMatrix {
    const out = this.output(a.rows);
    const n = a.rows * this.units, A = a.data, O = out.data, M = this.#mask;
    const threshold = this.#threshold, scale = this.#scale;
    for (let i = 0; i < n; i += 2) {
      const bits = rng.nextUint32();
      const keep0 = (bits & 0xffff) < threshold, keep1 = (bits >>> 16) < threshold;
      M[i] = keep0 ? scale : 0;
      O[i] = keep0 ? A[i] * scale : 0;
      if (i + 1 < n) {
        M[i + 1] = keep1 ? scale : 0;
        O[i + 1] = keep1 ? A[i + 1] * scale : 0;
      }
    }
    return out;
  }

  /** dA ⊙= m: the gradient reaching a through the mask of the last `forward`   (batch, units). */
  backward(dA: AnyMatrix): void {
    const n = dA.rows * this.units, D = dA.data, M = this.#mask;
    for (let i = 0; i < n; i++) D[i] *= M[i];
  }
}
