// Charts that fit in a panel: sparkline, progress bar, braille line chart, heat strip and histogram.

import type { Histogram } from "../../train/events.ts";
import { type ColorMode, fg, paint, RESET, type Rgb } from "../ansi.ts";
import { BrailleCanvas } from "./braille.ts";
import { clamp, DIM, POSITIVE, sequentialColor, shadeGlyph } from "./colors.ts";
import { downsample, formatNumber } from "./format.ts";

const BLOCKS = "▁▂▃▄▅▆▇█";
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** Options for {@linkcode sparkline}. */
export interface SparklineOptions {
  /** Cells to fill at most; longer series are averaged into buckets. */
  width: number;
  /** Lower end of the scale (default: the smallest value). */
  min?: number;
  /** Upper end of the scale (default: the largest value). */
  max?: number;
}

/**
 * Draws a one-line sparkline with the glyphs `▁▂▃▄▅▆▇█`; non-finite values show as `×`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sparkline } from "./chart.ts";
 * assert.equal(sparkline([0, 1, 2, 3], { width: 4 }), "▁▃▆█");
 * ```
 */
export function sparkline(values: readonly number[], options: SparklineOptions): string {
  const points = downsample(values, Math.max(0, options.width));
  const finite = points.filter(Number.isFinite);
  const low = options.min ?? Math.min(...finite);
  const high = options.max ?? Math.max(...finite);
  let out = "";
  for (const v of points) {
    if (!Number.isFinite(v)) out += "×";
    else if (high - low <= 0) out += BLOCKS[3];
    else out += BLOCKS[Math.round(clamp((v - low) / (high - low), 0, 1) * (BLOCKS.length - 1))];
  }
  return out;
}

/** Options for {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** Cells the bar takes. */
  width: number;
  /** Colour mode. */
  color: ColorMode;
  /** Colour of the filled part. */
  fill?: Rgb;
}

/**
 * Draws a progress bar with eighth-cell precision, e.g. `███▌░░░░`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressBar } from "./chart.ts";
 * assert.equal(progressBar(0.5, { width: 4, color: "none" }), "██░░");
 * ```
 */
export function progressBar(fraction: number, options: ProgressBarOptions): string {
  const width = Math.max(0, options.width);
  const eighths = Math.round(clamp(fraction, 0, 1) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8];
  const filled = "█".repeat(full) + part;
  const rest = "░".repeat(Math.max(0, width - full - (part ? 1 : 0)));
  return paint(filled, options.fill ?? POSITIVE, options.color) + paint(rest, [70, 70, 70], options.color);
}

/** One series of a {@linkcode lineChart}. */
export interface ChartSeries {
  /** The values, oldest first; non-finite ones leave a gap. */
  values: readonly number[];
  /** Line colour (ignored when colour is off). */
  rgb: Rgb;
  /** Draw separate points instead of a connected line (tells series apart without colour). */
  dotted?: boolean;
}

/** Options for {@linkcode lineChart}. */
export interface LineChartOptions {
  /** Total width in cells, axis labels included. */
  width: number;
  /** Height in cells. */
  height: number;
  /** Colour mode. */
  color: ColorMode;
  /** Plot log10 of the values (non-positive values are left out). */
  log?: boolean;
  /** Width of the axis labels (default 6). */
  labelWidth?: number;
  /**
   * A vertical cursor line at this fraction of the x axis (0 the first value, 1 the last), e.g. the epoch shown
   * while rewinding; the series keep their colour where they cross it.
   */
  cursor?: number;
  /** Colour of the cursor line. */
  cursorRgb?: Rgb;
}

/**
 * Draws series as a braille line chart (2×4 dots per cell) with y-axis labels, downsampled to the width.
 * Buckets that hold several values draw their min–max range, so noise stays visible.
 */
export function lineChart(series: readonly ChartSeries[], options: LineChartOptions): string[] {
  const labelWidth = options.labelWidth ?? 6;
  const cols = Math.max(1, options.width - labelWidth - 1);
  const rows = Math.max(1, options.height);
  // Transformed once into flat buffers; plain comparisons, no per-value allocation (frames are drawn cold).
  const transformed = series.map((s) => {
    const out = new Float64Array(s.values.length);
    for (let i = 0; i < out.length; i++) {
      const v = s.values[i];
      out[i] = options.log ? (v > 0 ? Math.log10(v) : NaN) : v;
    }
    return out;
  });
  let low = Infinity;
  let high = -Infinity;
  for (const values of transformed) {
    for (let i = 0; i < values.length; i++) {
      const t = values[i];
      if (t - t === 0) {
        if (t < low) low = t;
        if (t > high) high = t;
      }
    }
  }
  if (!Number.isFinite(low)) [low, high] = [0, 1];
  if (high - low < 1e-12) {
    [low, high] = [low - (Math.abs(low) * 0.1 || 0.5), high + (Math.abs(high) * 0.1 || 0.5)];
  }
  const canvas = new BrailleCanvas(cols, rows);
  const width = cols * 2;
  const height = rows * 4;
  const toY = (t: number) => (height - 1) * (1 - (t - low) / (high - low));
  for (let k = 0; k < series.length; k++) {
    const s = series[k];
    const values = transformed[k];
    const n = values.length;
    if (n === 0) continue;
    let previous: number | undefined;
    for (let x = 0; x < width; x++) {
      let lo = Infinity;
      let hi = -Infinity;
      if (n >= width) {
        const from = Math.floor((x * n) / width);
        const to = Math.max(from + 1, Math.floor(((x + 1) * n) / width));
        for (let i = from; i < to; i++) {
          const t = values[i];
          if (t - t === 0) {
            if (t < lo) lo = t;
            if (t > hi) hi = t;
          }
        }
      } else {
        const position = n === 1 ? 0 : (x * (n - 1)) / (width - 1);
        const i = Math.floor(position);
        const a = values[i];
        const b = values[Math.min(n - 1, i + 1)];
        const v = Number.isFinite(a) && Number.isFinite(b) ? a + (b - a) * (position - i) : NaN;
        if (n === 1 && x > 0) break;
        if (Number.isFinite(v)) lo = hi = v;
      }
      if (!Number.isFinite(lo)) {
        previous = undefined;
        continue;
      }
      let top = toY(hi);
      let bottom = toY(lo);
      if (s.dotted) {
        if (x % 2 === 1) continue;
      } else if (previous !== undefined) {
        top = Math.min(top, (previous + top) / 2);
        bottom = Math.max(bottom, (previous + bottom) / 2);
      }
      for (let y = Math.round(top); y <= Math.round(bottom); y++) canvas.set(x, y, s.rgb);
      previous = toY((lo + hi) / 2);
    }
  }
  if (options.cursor !== undefined && Number.isFinite(options.cursor)) {
    const x = Math.round(Math.min(1, Math.max(0, options.cursor)) * (width - 1));
    for (let y = 0; y < height; y++) canvas.set(x, y, options.cursorRgb, -0.5);
  }
  const plot = canvas.render(options.color);
  const label = (t: number) => formatNumber(options.log ? 10 ** t : t, labelWidth).padStart(labelWidth);
  const axis = (text: string) => paint(text, DIM, options.color);
  return plot.map((line, r) => {
    if (r === 0) return axis(label(high) + "┤") + line;
    if (r === rows - 1 && rows > 1) return axis(label(low) + "┤") + line;
    if (rows >= 7 && r === Math.floor((rows - 1) / 2)) {
      return axis(label(high - ((high - low) * r) / (rows - 1)) + "┤") + line;
    }
    return axis(" ".repeat(labelWidth) + "│") + line;
  });
}

/** Options for {@linkcode heatStrip}. */
export interface HeatStripOptions {
  /** Cells to fill at most; longer inputs are averaged into buckets. */
  width: number;
  /** Colour mode; `"none"` shades with `" ░▒▓█"`. */
  color: ColorMode;
  /** Value mapped to full heat (default: the largest value). */
  max?: number;
}

/**
 * Draws values in [0, max] as a one-line strip of coloured cells (or shade glyphs without colour).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatStrip } from "./chart.ts";
 * assert.equal(heatStrip([0, 1, 2, 4], { width: 4, color: "none" }), " ░▒█");
 * ```
 */
export function heatStrip(values: readonly number[], options: HeatStripOptions): string {
  const points = downsample(values, Math.max(0, options.width));
  const max = options.max ?? Math.max(0, ...points.filter(Number.isFinite));
  let out = "";
  let current = "";
  for (const v of points) {
    const t = max > 0 && Number.isFinite(v) ? v / max : Number.isFinite(v) ? 0 : 1;
    if (options.color === "none") {
      out += shadeGlyph(t);
      continue;
    }
    const code = fg(sequentialColor(t), options.color);
    if (code !== current) out += code;
    current = code;
    out += "█";
  }
  return current ? out + RESET : out;
}

/** Options for {@linkcode histogramChart}. */
export interface HistogramOptions {
  /** Width in cells. */
  width: number;
  /** Bar rows (one more line holds the range labels). */
  height: number;
  /** Colour mode. */
  color: ColorMode;
  /** Bar colour. */
  rgb?: Rgb;
}

/** Draws a histogram as vertical bars with eighth-block tops, plus a line with the range and a `0` mark. */
export function histogramChart(histogram: Histogram, options: HistogramOptions): string[] {
  const width = Math.max(4, options.width);
  const rows = Math.max(1, options.height);
  const n = histogram.counts.length;
  const columns: number[] = [];
  for (let c = 0; c < width; c++) {
    if (n >= width) {
      const from = Math.floor((c * n) / width);
      const to = Math.max(from + 1, Math.floor(((c + 1) * n) / width));
      let sum = 0;
      for (let i = from; i < to; i++) sum += histogram.counts[i];
      columns.push(sum / (to - from));
    } else columns.push(n === 0 ? 0 : histogram.counts[Math.min(n - 1, Math.floor((c * n) / width))]);
  }
  const peak = Math.max(1, ...columns);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const floor = (rows - 1 - r) * 8;
    let line = "";
    for (const count of columns) {
      const level = count > 0 ? Math.max(1, Math.round((count / peak) * rows * 8)) : 0;
      const here = level - floor;
      line += here <= 0 ? " " : here >= 8 ? "█" : BLOCKS[here - 1];
    }
    lines.push(paint(line, options.rgb ?? POSITIVE, options.color));
  }
  const lowText = formatNumber(histogram.min, 7);
  const highText = formatNumber(histogram.max, 7);
  let axis = lowText + " ".repeat(Math.max(1, width - lowText.length - highText.length)) + highText;
  const span = histogram.max - histogram.min;
  if (span > 0 && histogram.min < 0 && histogram.max > 0) {
    const zero = Math.round((-histogram.min / span) * (width - 1));
    if (zero > lowText.length && zero < width - highText.length - 1) {
      axis = axis.slice(0, zero) + "0" + axis.slice(zero + 1);
    }
  }
  lines.push(paint(axis.slice(0, width), DIM, options.color));
  return lines;
}
