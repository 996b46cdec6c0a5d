// Number and duration formatting for narrow cells, and downsampling of long series to a width.

/**
 * Formats a number in at most `width` characters (fixed, then exponent notation), e.g. `0.0123`, `1.2e-5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNumber } from "./format.ts";
 * assert.equal(formatNumber(0.012345, 6), "0.0123");
 * ```
 */
export function formatNumber(value: number, width = 6): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 10 ** Math.max(1, width - 1)) {
    for (let precision = 4; precision >= 1; precision--) {
      const text = String(Number(value.toPrecision(precision)));
      if (text.length <= width && !text.includes("e")) return text;
    }
    const text = String(Math.round(value));
    if (text.length <= width) return text;
  }
  for (let digits = 3; digits >= 0; digits--) {
    const text = value.toExponential(digits).replace("e+", "e");
    if (text.length <= width) return text;
  }
  return value.toExponential(0).replace("e+", "e");
}

/**
 * A learning rate as the dashboard and the log write it, in up to 8 characters: `0.002`, `0.00025`, `1.234e-6`
 * (the exponent form without trailing zeros, never `5.000e-4`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLearningRate } from "./format.ts";
 * assert.equal(formatLearningRate(0.0005), "0.0005");
 * assert.equal(formatLearningRate(7.937e-5), "7.937e-5");
 * ```
 */
export function formatLearningRate(value: number): string {
  const plain = String(Number(value.toPrecision(4)));
  return plain.length <= 8 && !plain.includes("e") ? plain : formatNumber(value, 8).replace(/\.?0+e/, "e");
}

/** Formats seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Formats a count briefly: `640`, `8.2k`, `100k`, `1.2M`. */
export function formatCount(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e7 ? 0 : 1)}M`;
  if (count >= 1e4) return `${Math.round(count / 1e3)}k`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)}k`;
  return String(Math.round(count));
}

/** Groups `values` into `count` consecutive buckets and reduces each (mean by default). */
export function downsample(
  values: readonly number[],
  count: number,
  reduce: "mean" | "max" = "mean",
): number[] {
  if (values.length <= count) return values.slice();
  const out: number[] = [];
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * values.length) / count);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / count));
    let acc = reduce === "max" ? -Infinity : 0;
    for (let i = from; i < to; i++) acc = reduce === "max" ? Math.max(acc, values[i]) : acc + values[i];
    out.push(reduce === "max" ? acc : acc / (to - from));
  }
  return out;
}
