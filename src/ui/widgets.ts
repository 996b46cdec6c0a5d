// Pure drawing helpers for the dashboard: each returns plain lines (escape strings only from ansi.ts), never writes.

import type { Histogram } from "../train/events.ts";
import {
  bg,
  type ColorMode,
  fg,
  fitWidth,
  paint,
  RESET,
  type Rgb,
  sliceWidth,
  visibleWidth,
} from "./ansi.ts";

/** Glyphs from empty to full, used to shade when colour is off. */
export const SHADES = " ░▒▓█";
const BLOCKS = "▁▂▃▄▅▆▇█";
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

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

function clamp(value: number, low: number, high: number): number {
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
 * import { divergingColor, POSITIVE } from "./widgets.ts";
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

/**
 * Formats a number in at most `width` characters (fixed, then exponent notation), e.g. `0.0123`, `1.2e-5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNumber } from "./widgets.ts";
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
 * import { sparkline } from "./widgets.ts";
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
 * import { progressBar } from "./widgets.ts";
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
}

const BRAILLE_BITS = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]];

/** A braille canvas: 2×4 dots per cell, each cell remembering the colour of its last dot. */
class BrailleCanvas {
  #cols: number;
  #rows: number;
  #bits: Uint8Array;
  #colors: (Rgb | undefined)[];
  #weights: Float64Array;

  constructor(cols: number, rows: number) {
    this.#cols = cols;
    this.#rows = rows;
    this.#bits = new Uint8Array(cols * rows);
    this.#colors = new Array(cols * rows).fill(undefined);
    this.#weights = new Float64Array(cols * rows).fill(-1);
  }

  /** Sets dot (x, y); a colour with a larger `weight` wins the cell. */
  set(x: number, y: number, rgb?: Rgb, weight = 0): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.#cols * 2 || yi >= this.#rows * 4) return;
    const cell = (yi >> 2) * this.#cols + (xi >> 1);
    this.#bits[cell] |= BRAILLE_BITS[yi & 3][xi & 1];
    if (weight >= this.#weights[cell]) {
      this.#weights[cell] = weight;
      this.#colors[cell] = rgb;
    }
  }

  /** Draws a straight line of dots from (x0, y0) to (x1, y1); `every` > 1 leaves gaps. */
  line(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    options: { rgb?: Rgb; weight?: number; every?: number },
  ) {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const every = options.every ?? 1;
    const rgb = options.rgb;
    const weight = options.weight ?? 0;
    const cols = this.#cols;
    const width = cols * 2;
    const height = this.#rows * 4;
    const bits = this.#bits;
    const weights = this.#weights;
    // set() inlined: a network diagram sets thousands of dots per frame, mostly before V8 optimizes anything
    for (let s = 0; s <= steps; s += every) {
      const xi = Math.round(x0 + ((x1 - x0) * s) / steps);
      const yi = Math.round(y0 + ((y1 - y0) * s) / steps);
      if (xi < 0 || yi < 0 || xi >= width || yi >= height) continue;
      const cell = (yi >> 2) * cols + (xi >> 1);
      bits[cell] |= BRAILLE_BITS[yi & 3][xi & 1];
      if (weight >= weights[cell]) {
        weights[cell] = weight;
        this.#colors[cell] = rgb;
      }
    }
  }

  /** Returns the canvas as lines of braille characters, coloured by cell. */
  render(mode: ColorMode): string[] {
    const lines: string[] = [];
    for (let r = 0; r < this.#rows; r++) {
      let line = "";
      let current: string | undefined;
      for (let c = 0; c < this.#cols; c++) {
        const cell = r * this.#cols + c;
        const bits = this.#bits[cell];
        if (bits === 0) {
          line += " ";
          continue;
        }
        const rgb = this.#colors[cell];
        const code = rgb && mode !== "none" ? fg(rgb, mode) : "";
        if (code !== (current ?? "")) {
          line += code === "" ? RESET : code;
          current = code;
        }
        line += String.fromCodePoint(0x2800 + bits);
      }
      if (current) line += RESET;
      lines.push(line);
    }
    return lines;
  }
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
 * import { heatStrip } from "./widgets.ts";
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

/**
 * Draws an image with the upper-half block `▀`: two pixels per cell, the top one as foreground and the bottom one
 * as background. `pixels` is row-major, `height` rows of `width` colours; an odd last row pairs with black.
 */
export function halfBlockImage(pixels: readonly Rgb[][], mode: ColorMode): string[] {
  const lines: string[] = [];
  for (let r = 0; r < pixels.length; r += 2) {
    const top = pixels[r];
    const bottom = pixels[r + 1] ?? top.map((): Rgb => [0, 0, 0]);
    let line = "";
    let current = "";
    for (let c = 0; c < top.length; c++) {
      if (mode === "none") {
        const luminance = (p: Rgb) => (0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]) / 255;
        line += shadeGlyph((luminance(top[c]) + luminance(bottom[c])) / 2);
        continue;
      }
      const code = fg(top[c], mode) + bg(bottom[c], mode);
      if (code !== current) line += code;
      current = code;
      line += "▀";
    }
    lines.push(current ? line + RESET : line);
  }
  return lines;
}

/** Options for {@linkcode panel}. */
export interface PanelOptions {
  /** Outer width in cells. */
  width: number;
  /** Outer height in lines (content is cut or padded). */
  height: number;
  /** Colour mode. */
  color: ColorMode;
  /** Draw the frame highlighted (the selected panel). */
  highlight?: boolean;
}

/**
 * Frames content lines in a box with a title in the top border: `┌ Loss ───┐`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { panel } from "./widgets.ts";
 * const lines = panel("Hi", ["x"], { width: 8, height: 3, color: "none" });
 * assert.equal(lines.join("\n"), "┌ Hi ──┐\n│x     │\n└──────┘");
 * ```
 */
export function panel(title: string, content: readonly string[], options: PanelOptions): string[] {
  const inner = Math.max(0, options.width - 2);
  const frame: Rgb = options.highlight ? [255, 200, 80] : [90, 90, 90];
  const edge = (text: string) => paint(text, frame, options.color);
  const titleText = title === "" ? "" : fitWidth(` ${title} `, Math.min(inner, visibleWidth(` ${title} `)));
  const top = edge("┌") + titleText + edge("─".repeat(Math.max(0, inner - visibleWidth(titleText))) + "┐");
  const lines = [top];
  for (let r = 0; r < Math.max(0, options.height - 2); r++) {
    lines.push(edge("│") + fitWidth(content[r] ?? "", inner) + edge("│"));
  }
  lines.push(edge("└" + "─".repeat(inner) + "┘"));
  return lines;
}

/** Places blocks of lines side by side; each block is padded to its width. */
export function joinColumns(blocks: readonly { lines: readonly string[]; width: number }[]): string[] {
  const height = Math.max(0, ...blocks.map((b) => b.lines.length));
  const out: string[] = [];
  for (let r = 0; r < height; r++) out.push(blocks.map((b) => fitWidth(b.lines[r] ?? "", b.width)).join(""));
  return out;
}

/** One column of a {@linkcode networkDiagram}: the inputs or a layer. */
export interface DiagramColumn {
  /** First label line under the column, e.g. `"L1 3"`. */
  label: string;
  /** Second label line, e.g. the activation name. */
  sublabel?: string;
  /** Number of units. */
  units: number;
  /** Per-unit values in [0, 1] for the neuron colour (omitted: grey). */
  values?: readonly number[];
  /** Weights into this column (units × previous column's units), when small enough to draw. */
  weights?: readonly (readonly number[])[];
}

const SHORT_NAMES: Record<string, string> = {
  sigmoid: "sigm",
  softmax: "smax",
  linear: "lin",
  leaky_relu: "lrelu",
  identity: "id",
  input: "in",
};

/** Options for {@linkcode networkDiagram}. */
export interface NetworkDiagramOptions {
  /** Width in cells. */
  width: number;
  /** Height in lines, two label lines included. */
  height: number;
  /** Colour mode. */
  color: ColorMode;
  /** Index of the highlighted column. */
  selected?: number;
}

/**
 * Draws a network as columns of neurons coloured by value, joined by braille links coloured by the weight's
 * sign (orange negative, blue positive) and brightness by its size; strong links are drawn thick. Without colour,
 * negative links are dotted and weak ones left out. Layers taller than the space are averaged into groups.
 */
export function networkDiagram(columns: readonly DiagramColumn[], options: NetworkDiagramOptions): string[] {
  const { width, color } = options;
  const rows = Math.max(1, options.height - 2);
  const count = columns.length;
  const centers = columns.map((_, k) => Math.round(((k + 0.5) * width) / count));
  const shown = columns.map((c) => Math.max(1, Math.min(c.units, rows)));
  const rowOf = (k: number, i: number) => Math.floor(((i + 0.5) * rows) / shown[k]);
  const canvas = new BrailleCanvas(width, rows);
  const notes: { row: number; column: number; text: string }[] = [];
  for (let k = 1; k < count; k++) {
    const weights = columns[k].weights;
    const exact = shown[k] === columns[k].units && shown[k - 1] === columns[k - 1].units;
    const x0 = (centers[k - 1] + 2) * 2;
    const x1 = (centers[k] - 2) * 2 + 1;
    if (x1 - x0 < 2) continue;
    if (!weights || !exact) {
      if (shown[k] * shown[k - 1] > 64) {
        const text = `${formatCount(columns[k].units * columns[k - 1].units)}w`;
        const gap = centers[k] - centers[k - 1] - 3;
        const column = centers[k - 1] + 2 + Math.floor((gap - text.length) / 2);
        if (gap >= text.length + 2) notes.push({ row: Math.floor(rows / 2), column, text });
        continue;
      }
      for (let j = 0; j < shown[k]; j++) {
        for (let i = 0; i < shown[k - 1]; i++) {
          canvas.line(x0, rowOf(k - 1, i) * 4 + 1.5, x1, rowOf(k, j) * 4 + 1.5, {
            rgb: [70, 70, 70],
            every: 3,
          });
        }
      }
      continue;
    }
    let maxAbs = 0;
    for (const row of weights) {
      for (const w of row) if (Number.isFinite(w)) maxAbs = Math.max(maxAbs, Math.abs(w));
    }
    const links: { i: number; j: number; t: number }[] = [];
    for (let j = 0; j < shown[k]; j++) {
      for (let i = 0; i < shown[k - 1]; i++) {
        const w = weights[j]?.[i] ?? 0;
        links.push({ i, j, t: maxAbs > 0 && Number.isFinite(w) ? w / maxAbs : 0 });
      }
    }
    links.sort((a, b) => Math.abs(a.t) - Math.abs(b.t));
    for (const { i, j, t } of links) {
      const strength = Math.abs(t);
      if (color === "none" && strength < 0.15) continue;
      const end = t < 0 ? NEGATIVE : POSITIVE;
      const rgb = mix([55, 55, 55], end, Math.sqrt(strength));
      const every = color === "none" && t < 0 ? 2 : 1;
      const ya = rowOf(k - 1, i) * 4 + 1.5;
      const yb = rowOf(k, j) * 4 + 1.5;
      canvas.line(x0, ya, x1, yb, { rgb, weight: strength, every });
      if (strength > 0.6) canvas.line(x0, ya + 1, x1, yb + 1, { rgb, weight: strength, every });
    }
  }
  const lines = canvas.render(color);
  for (const note of notes) {
    lines[note.row] = overlay(lines[note.row], paint(note.text, DIM, color), note.column);
  }
  for (let k = 0; k < count; k++) {
    const column = columns[k];
    for (let i = 0; i < shown[k]; i++) {
      const from = Math.floor((i * column.units) / shown[k]);
      const to = Math.max(from + 1, Math.floor(((i + 1) * column.units) / shown[k]));
      let value: number | undefined;
      if (column.values && column.values.length >= to) {
        let sum = 0;
        for (let u = from; u < to; u++) sum += column.values[u];
        value = sum / (to - from);
      }
      const grouped = to - from > 1;
      let glyph: string;
      if (color === "none") {
        glyph = (grouped ? "{" : "[") + (value === undefined ? "·" : shadeGlyph(value)) +
          (grouped ? "}" : "]");
      } else {
        const rgb = value === undefined ? [150, 150, 150] as Rgb : sequentialColor(value);
        const ring: Rgb = k === options.selected ? [255, 200, 80] : [110, 110, 110];
        glyph = paint(grouped ? "╏" : "▐", ring, color) + paint("█", rgb, color) +
          paint(grouped ? "╏" : "▌", ring, color);
      }
      const r = rowOf(k, i);
      lines[r] = overlay(lines[r], glyph, centers[k] - 1);
    }
  }
  const labelLine = (pick: (c: DiagramColumn, k: number) => string) => {
    let line = "";
    for (let k = 0; k < count; k++) {
      const slot = Math.floor(width / count);
      const full = pick(columns[k], k);
      const text = (full.length < slot ? full : (SHORT_NAMES[full] ?? full)).slice(0, slot - 1);
      const start = Math.max(
        visibleWidth(line),
        Math.min(width - text.length, centers[k] - Math.floor(text.length / 2)),
      );
      line += " ".repeat(Math.max(0, start - visibleWidth(line)));
      line += k === options.selected
        ? paint(text, [255, 200, 80], color)
        : paint(text, [170, 170, 170], color);
    }
    return line;
  };
  // When "L1 16" does not fit under a column, the first line keeps only the unit count (the order names layers).
  const slot = Math.floor(width / count);
  const tight = columns.some((c) => c.label.length > slot - 1);
  const title = (c: DiagramColumn) => (tight ? String(c.units) : c.label);
  lines.push(labelLine((c, k) => (k === options.selected && color === "none" ? `▸${title(c)}` : title(c))));
  lines.push(labelLine((c) => c.sublabel ?? ""));
  return lines.slice(0, options.height);
}

/** Writes `text` over `line` starting at visible column `at`, keeping what is left and right of it. */
function overlay(line: string, text: string, at: number): string {
  const lineWidth = visibleWidth(line);
  const left = at > lineWidth ? line + " ".repeat(at - lineWidth) : sliceWidth(line, 0, at);
  return left + text + sliceWidth(line, at + visibleWidth(text));
}

/** Options for {@linkcode boundaryPlot}. */
export interface BoundaryPlotOptions {
  /** Width in cells (one pixel per cell across). */
  width: number;
  /** Height in cells (two pixels per cell down). */
  height: number;
  /** Colour mode; without colour, cells are shaded and points drawn as `o`/`x` (or class digits). */
  color: ColorMode;
}

/** What a {@linkcode boundaryPlot} draws: the model's output over the plane and the training points. */
export interface BoundaryPlotData {
  /** The output over a grid, row 0 at the top. */
  width: number;
  /** Grid rows. */
  height: number;
  /** Range of the first input. */
  xRange: [number, number];
  /** Range of the second input. */
  yRange: [number, number];
  /** Row-major grid values. */
  values: readonly number[];
  /** Number of classes (2 for one sigmoid output, 0 for regression). */
  classes: number;
  /** Training points in input coordinates. */
  points?: readonly { x: number; y: number; label: number }[];
}

/**
 * Draws a decision boundary like TensorFlow Playground's output view: the background shows the model's output
 * over the input plane (orange → white → blue for two classes), the training points are drawn on top.
 */
export function boundaryPlot(data: BoundaryPlotData, options: BoundaryPlotOptions): string[] {
  const cols = Math.max(1, options.width);
  const pixelRows = Math.max(1, options.height) * 2;
  let maxAbs = 0;
  for (const v of data.values) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  // The output at each pixel: bilinear between grid points (the nearest point for more than two classes). The
  // grid points and weights of each pixel column and row are found once, so a pixel costs four loads and a blend.
  const nearest = data.classes > 2;
  const values = data.values;
  const gridWidth = data.width;
  const columnAt = (x: number) => clamp(x, 0, data.width - 1);
  const rowAt = (y: number) => clamp(y, 0, data.height - 1) * gridWidth;
  const left = new Float64Array(cols), right = new Float64Array(cols), fx = new Float64Array(cols);
  for (let px = 0; px < cols; px++) {
    const gx = ((px + 0.5) / cols) * data.width - 0.5;
    const x0 = nearest ? Math.round(gx) : Math.floor(gx);
    left[px] = columnAt(x0);
    right[px] = columnAt(x0 + 1);
    fx[px] = gx - x0;
  }
  const samples = new Float64Array(pixelRows * cols);
  for (let py = 0; py < pixelRows; py++) {
    const gy = ((py + 0.5) / pixelRows) * data.height - 0.5;
    const y0 = nearest ? Math.round(gy) : Math.floor(gy);
    const upper = rowAt(y0);
    const lower = rowAt(y0 + 1);
    const fy = gy - y0;
    for (let px = 0; px < cols; px++) {
      let v: number;
      if (nearest) v = values[upper + left[px]] ?? NaN;
      else {
        const wx = fx[px];
        const top = (values[upper + left[px]] ?? NaN) * (1 - wx) + (values[upper + right[px]] ?? NaN) * wx;
        const bottom = (values[lower + left[px]] ?? NaN) * (1 - wx) + (values[lower + right[px]] ?? NaN) * wx;
        v = top * (1 - fy) + bottom * fy;
      }
      samples[py * cols + px] = v;
    }
  }
  const sample = (px: number, py: number): number => samples[py * cols + px];
  // Signed strength in [-1, 1] for two classes and regression; the class index otherwise.
  const level = (v: number): number => {
    if (data.classes === 2) return 2 * v - 1;
    if (data.classes === 0) return maxAbs > 0 ? v / maxAbs : 0;
    return v;
  };
  const background = (v: number): Rgb => {
    if (!Number.isFinite(v)) return [0, 0, 0];
    if (data.classes > 2) return mix(classColor(Math.round(v)), [255, 255, 255], 0.55);
    return mix(divergingColor(level(v)), [255, 255, 255], 0.2);
  };
  const pointColor = (label: number): Rgb => {
    if (data.classes > 2) return mix(classColor(label), [0, 0, 0], 0.25);
    return label > 0 ? [0, 70, 150] : [200, 90, 0];
  };
  const [xa, xb] = data.xRange;
  const [ya, yb] = data.yRange;
  const place = (p: { x: number; y: number }) => ({
    px: Math.round(((p.x - xa) / (xb - xa || 1)) * (cols - 1)),
    py: Math.round(((yb - p.y) / (yb - ya || 1)) * (pixelRows - 1)),
  });
  if (options.color === "none") {
    const lines: string[][] = [];
    for (let r = 0; r < pixelRows / 2; r++) {
      const line: string[] = [];
      for (let c = 0; c < cols; c++) {
        const v = (sample(c, 2 * r) + sample(c, 2 * r + 1)) / 2;
        const t = data.classes > 2 ? v / (data.classes - 1) : (level(v) + 1) / 2;
        line.push(Number.isFinite(t) ? shadeGlyph(t) : "?");
      }
      lines.push(line);
    }
    for (const p of data.points ?? []) {
      const { px, py } = place(p);
      if (px < 0 || px >= cols || py < 0 || py >= pixelRows) continue;
      const mark = data.classes > 2 ? String(p.label % 10) : p.label > 0 ? "x" : "o";
      lines[py >> 1][px] = mark;
    }
    return lines.map((l) => l.join(""));
  }
  const pixels: Rgb[][] = [];
  for (let y = 0; y < pixelRows; y++) {
    const row: Rgb[] = [];
    for (let x = 0; x < cols; x++) row.push(background(sample(x, y)));
    pixels.push(row);
  }
  for (const p of data.points ?? []) {
    const { px, py } = place(p);
    if (px >= 0 && px < cols && py >= 0 && py < pixelRows) pixels[py][px] = pointColor(p.label);
  }
  return halfBlockImage(pixels, options.color);
}
