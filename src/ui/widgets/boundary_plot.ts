// The decision-boundary plot: the model's output over the input plane with the training points on top.

import type { ColorMode, Rgb } from "../ansi.ts";
import { clamp, classColor, divergingColor, mix, shadeGlyph } from "./colors.ts";
import { halfBlockImage } from "./image.ts";

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
