// Seeded randomness: one generator threaded through initialisation, shuffling and synthetic data.

import { uniformFloat64, xoroshiro128plus, xoroshiro128plusFromState } from "../deps.ts";

// Spreads the seed's bits (the murmur3 finaliser) so that nearby seeds start from unrelated states.
function mixSeed(seed: number): number {
  let h = (seed ^ Math.floor(seed / 2 ** 32)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * A seeded pseudo-random generator (xoroshiro128+ from npm `pure-rand`); the same seed gives the same stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./random.ts";
 *
 * const a = new Rng(42), b = new Rng(42);
 * assert.equal(a.next(), b.next()); // the same seed gives the same stream
 * const x = a.uniform(-1, 1);
 * assert.ok(-1 <= x && x < 1);
 * ```
 */
export class Rng {
  #generator: ReturnType<typeof xoroshiro128plus>;
  #spareNormal: number | undefined;

  /**
   * Creates a generator from an integer seed.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const a = new Rng(42), b = new Rng(42);
   * console.assert(a.next() === b.next());
   * ```
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng: seed must be an integer, got ${seed}`);
    this.#generator = xoroshiro128plus(mixSeed(seed));
    // xoroshiro128+ seeded with a small number starts with near-constant outputs; let it run in.
    for (let i = 0; i < 16; i++) this.#generator.next();
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  next(): number {
    return uniformFloat64(this.#generator);
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /**
   * A uniform integer in [0, n), for n up to 2³²: ⌊u · n⌋ with u = `next()` (53 random bits), so the bias is at
   * most n / 2⁵³. Unlike pure-rand's `uniformInt` it allocates nothing, which keeps shuffling an epoch free of
   * garbage.
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal number (Box–Muller, caching the second value). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const spare = this.#spareNormal;
      this.#spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /**
   * The generator's whole state (xoroshiro128+'s four 32-bit words, then the cached normal or NaN), for
   * checkpoints: `setState(getState())` on any generator makes it continue this one's stream exactly.
   *
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const a = new Rng(1), b = new Rng(2);
   * a.next();
   * b.setState(a.getState());
   * console.assert(a.next() === b.next());
   * ```
   */
  getState(): number[] {
    return [...this.#generator.getState(), this.#spareNormal ?? NaN];
  }

  /** Continues from a state given by `getState()`; a `RangeError` for a malformed one. */
  setState(state: readonly number[]): void {
    const words = state.slice(0, -1);
    if (words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32)) {
      throw new RangeError(
        `Invalid generator state: expected 4 32-bit words and a number, got ${state.length} values`,
      );
    }
    this.#generator = xoroshiro128plusFromState(words);
    const spare = state[state.length - 1];
    this.#spareNormal = Number.isNaN(spare) ? undefined : spare;
  }

  /** An independent generator derived from this one (for a sub-task that must not shift this stream). */
  fork(): Rng {
    return new Rng(this.int(2 ** 31));
  }
}
