// Seeded toy datasets: XOR, TensorFlow Playground's circle, spiral and gaussian, moons, and a sine regression.

import type { Rng } from "../math/random.ts";
import { Dataset } from "./dataset.ts";

/** The names of the built-in generators. */
export type GeneratorName = "xor" | "circle" | "spiral" | "gaussian" | "moons" | "sine";

/** All generator names, for validation and messages. */
export const GENERATOR_NAMES: readonly GeneratorName[] = [
  "xor",
  "circle",
  "spiral",
  "gaussian",
  "moons",
  "sine",
];

/** Options for {@linkcode generate}. */
export interface GenerateOptions {
  /** Number of samples; default 400 (XOR without samples and noise gives its four points). */
  samples?: number;
  /**
   * Noise level; default 0 for XOR, 0.1 otherwise. Its meaning follows TensorFlow Playground per generator:
   * XOR, moons and sine add Gaussian noise with this deviation; circle and spiral add uniform noise (a
   * fraction of the radius for circle, ±noise for spiral); gaussian sets the blob variance from 0.5 (noise 0)
   * to 4 (noise 0.5).
   */
  noise?: number;
}

/** Default sample count of the generators. */
export const DEFAULT_SAMPLES = 400;

const BINARY_CLASSES = ["0", "1"] as const;

interface Builder {
  x: Float64Array;
  labels: Int32Array;
  count: number;
}

function builder(samples: number): Builder {
  return { x: new Float64Array(samples * 2), labels: new Int32Array(samples), count: 0 };
}

function push(b: Builder, x: number, y: number, label: number): void {
  b.x[b.count * 2] = x;
  b.x[b.count * 2 + 1] = y;
  b.labels[b.count] = label;
  b.count++;
}

function binaryDataset(b: Builder): Dataset {
  return new Dataset({
    inputSize: 2,
    features: b.x,
    task: "classification",
    labels: b.labels,
    classNames: [...BINARY_CLASSES],
    featureNames: ["x1", "x2"],
  });
}

/**
 * XOR: without `samples` and `noise`, exactly the four points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0; otherwise
 * `samples` copies of the corners (cycling through them) plus Gaussian noise of deviation `noise`.
 */
export function xor(rng: Rng, options: GenerateOptions = {}): Dataset {
  const exact = options.samples === undefined && options.noise === undefined;
  const samples = exact ? 4 : options.samples ?? DEFAULT_SAMPLES;
  const noise = options.noise ?? 0;
  const b = builder(samples);
  for (let i = 0; i < samples; i++) {
    const a = i & 1, c = (i >> 1) & 1;
    const dx = noise > 0 ? noise * rng.normal() : 0, dy = noise > 0 ? noise * rng.normal() : 0;
    push(b, c + dx, a + dy, a ^ c);
  }
  return binaryDataset(b);
}

/**
 * TensorFlow Playground's circle: half the points within radius 2.5 (class 1), half in the ring 3.5–5
 * (class 0); noise shifts each point by up to `noise · 5`, and the label follows the shifted point.
 */
export function circle(rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples ?? DEFAULT_SAMPLES, noise = options.noise ?? 0.1;
  const radius = 5;
  const b = builder(samples);
  for (let i = 0; i < samples; i++) {
    const inside = i < samples / 2;
    const r = inside ? rng.uniform(0, radius * 0.5) : rng.uniform(radius * 0.7, radius);
    const angle = rng.uniform(0, 2 * Math.PI);
    const x = r * Math.sin(angle), y = r * Math.cos(angle);
    const nx = rng.uniform(-radius, radius) * noise, ny = rng.uniform(-radius, radius) * noise;
    const label = Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0;
    push(b, x + nx, y + ny, label);
  }
  return binaryDataset(b);
}

/**
 * TensorFlow Playground's two interleaved spirals (1.75 turns, radius 5): class 1 starts at angle 0, class 0
 * at π; each coordinate gets uniform noise in ±`noise`.
 */
export function spiral(rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples ?? DEFAULT_SAMPLES, noise = options.noise ?? 0.1;
  const b = builder(samples);
  const half = Math.ceil(samples / 2);
  for (let i = 0; i < samples; i++) {
    const positive = i < half;
    const k = positive ? i : i - half, n = positive ? half : samples - half;
    const r = (k / n) * 5;
    const t = 1.75 * (k / n) * 2 * Math.PI + (positive ? 0 : Math.PI);
    const x = r * Math.sin(t) + rng.uniform(-1, 1) * noise;
    const y = r * Math.cos(t) + rng.uniform(-1, 1) * noise;
    push(b, x, y, positive ? 1 : 0);
  }
  return binaryDataset(b);
}

/**
 * TensorFlow Playground's two Gaussian blobs: class 1 around (2, 2), class 0 around (−2, −2), with variance
 * `0.5 + 7 · noise` (0.5 at noise 0, 4 at noise 0.5).
 */
export function gaussian(rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples ?? DEFAULT_SAMPLES, noise = options.noise ?? 0.1;
  const std = Math.sqrt(0.5 + 7 * noise);
  const b = builder(samples);
  for (let i = 0; i < samples; i++) {
    const positive = i < samples / 2;
    const centre = positive ? 2 : -2;
    push(b, centre + std * rng.normal(), centre + std * rng.normal(), positive ? 1 : 0);
  }
  return binaryDataset(b);
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): class 0 on the upper arc around (0, 0), class 1
 * on the lower arc around (1, 0.5); Gaussian noise of deviation `noise`.
 */
export function moons(rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples ?? DEFAULT_SAMPLES, noise = options.noise ?? 0.1;
  const b = builder(samples);
  const outer = Math.ceil(samples / 2), inner = samples - outer;
  for (let i = 0; i < samples; i++) {
    const isOuter = i < outer;
    const k = isOuter ? i : i - outer, n = isOuter ? outer : inner;
    const t = n > 1 ? (k / (n - 1)) * Math.PI : 0;
    const x = isOuter ? Math.cos(t) : 1 - Math.cos(t);
    const y = isOuter ? Math.sin(t) : 0.5 - Math.sin(t);
    push(b, x + noise * rng.normal(), y + noise * rng.normal(), isOuter ? 0 : 1);
  }
  return binaryDataset(b);
}

/** Regression: x uniform in [−π, π], target sin(x) plus Gaussian noise of deviation `noise`. */
export function sine(rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples ?? DEFAULT_SAMPLES, noise = options.noise ?? 0.1;
  const x = new Float64Array(samples), y = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    x[i] = rng.uniform(-Math.PI, Math.PI);
    y[i] = Math.sin(x[i]) + (noise > 0 ? noise * rng.normal() : 0);
  }
  return new Dataset({
    inputSize: 1,
    features: x,
    task: "regression",
    targets: y,
    targetSize: 1,
    featureNames: ["x"],
  });
}

/**
 * Generates the named dataset with the given generator.
 *
 * @example
 * ```ts
 * import { generate } from "./builtin.ts";
 * import { Rng } from "../math/random.ts";
 * const data = generate("spiral", new Rng(1), { samples: 200, noise: 0.1 });
 * console.assert(data.size === 200 && data.inputSize === 2);
 * ```
 */
export function generate(name: GeneratorName, rng: Rng, options: GenerateOptions = {}): Dataset {
  const samples = options.samples;
  if (samples !== undefined && (!Number.isInteger(samples) || samples <= 0)) {
    throw new RangeError(`Cannot generate "${name}": samples must be a positive integer, got "${samples}"`);
  }
  const noise = options.noise;
  if (noise !== undefined && !(noise >= 0 && Number.isFinite(noise))) {
    throw new RangeError(`Cannot generate "${name}": noise must be a non-negative number, got "${noise}"`);
  }
  switch (name) {
    case "xor":
      return xor(rng, options);
    case "circle":
      return circle(rng, options);
    case "spiral":
      return spiral(rng, options);
    case "gaussian":
      return gaussian(rng, options);
    case "moons":
      return moons(rng, options);
    case "sine":
      return sine(rng, options);
    default:
      throw new RangeError(`Cannot generate data: unknown generator "${name as string}"`);
  }
}
