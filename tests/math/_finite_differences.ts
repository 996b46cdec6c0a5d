// Central finite differences for the activation and loss tests: the numeric gradient of a scalar function.

import type { Matrix } from "../../src/math/matrix.ts";

/** Step h of the central differences. */
export const EPSILON = 1e-6;

/** |a − n| / max(1e-8, |a| + |n|): relative, and still meaningful when both are near zero. */
export function relativeError(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric));
}

/** The largest relative error between `gradient` and (f(x + h) − f(x − h)) / 2h, over every entry of x. */
export function maxGradientError(value: (x: Matrix) => number, gradient: Matrix, x: Matrix): number {
  let worst = 0;
  for (let i = 0; i < x.data.length; i++) {
    const shifted = x.clone();
    shifted.data[i] = x.data[i] + EPSILON;
    const plus = value(shifted);
    shifted.data[i] = x.data[i] - EPSILON;
    const minus = value(shifted);
    worst = Math.max(worst, relativeError(gradient.data[i], (plus - minus) / (2 * EPSILON)));
  }
  return worst;
}
