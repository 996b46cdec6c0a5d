// Colour scales and shade glyphs shared by the widgets: Playground's diverging scale, viridis, class colours.

import type { Rgb } from "../ansi.ts";

/** Glyphs from empty to full, used to shade when colour is off. */
export const SHADES = " ░▒▓█";

/** TensorFlow Playground's colour for negative values (orange). */
export const NEGATIVE: Rgb = [245, 147, 34];
/** TensorFlow Playground's colour for zero (near white). */
export const NEUTRAL: Rgb = [232, 234, 235];
/** TensorFlow Playground's colour for positive values (blue). */
export const POSITIVE: Rgb = [8, 119, 189];
/** Grey for frames, axes and secondary text. */
export const DIM: Rgb = [128, 128, 128];

const VIRIDIS: Rgb[] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const CATEGORY: Rgb[] = [
  [245, 147, 34],
  [8, 119, 189],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [188, 189, 34],
  [23, 190, 207],
  [127, 127, 127],
];

/** Clamps `value` to [low, high]; NaN gives `low`. */
export function clamp(value: number, low: number, high: number): number {
  return Number.isNaN(value) ? low : Math.min(high, Math.max(low, value));
}

/** Blends two colours: `t = 0` gives `a`, `t = 1` gives `b`. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = clamp(t, 0, 1);
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

/**
 * Maps a value in [-1, 1] to TensorFlow Playground's diverging scale: orange (−1), white (0), blue (+1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { divergingColor, POSITIVE } from "./colors.ts";
 * assert.equal(divergingColor(1).join(), POSITIVE.join());
 * ```
 */
export function divergingColor(t: number): Rgb {
  const u = clamp(t, -1, 1);
  return u < 0 ? mix(NEUTRAL, NEGATIVE, -u) : mix(NEUTRAL, POSITIVE, u);
}

/** Maps a value in [0, 1] to a sequential scale (viridis: dark purple to yellow), for activations and heat. */
export function sequentialColor(t: number): Rgb {
  const u = clamp(t, 0, 1) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], u - i);
}

/** Returns a distinct colour for a class index (orange and blue first, as in TensorFlow Playground). */
export function classColor(index: number): Rgb {
  return CATEGORY[((index % CATEGORY.length) + CATEGORY.length) % CATEGORY.length];
}

/** Maps a value in [0, 1] to one of the shade glyphs `" ░▒▓█"`. */
export function shadeGlyph(t: number): string {
  return SHADES[Math.round(clamp(t, 0, 1) * (SHADES.length - 1))];
}
