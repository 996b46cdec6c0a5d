// The curve panel: a one-input regression's data points and the network's prediction curve over them.

import { type ColorMode, paint, type Rgb } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { BrailleCanvas } from "../widgets/braille.ts";
import { formatNumber } from "../widgets/format.ts";
import { panel } from "../widgets/frame.ts";
import { fitParts, GOOD, type PanelSize, TEST_RGB, TRAIN_RGB } from "./_common.ts";

/** The colour of the network's curve. */
const CURVE_RGB: Rgb = GOOD;
/** The glyph of a cell holding a training point (and no curve). */
const TRAIN_GLYPH = "·";
/** The glyph of a cell holding a test point (and no curve); a test point wins a cell over training points. */
const TEST_GLYPH = "×";

/** The vertical range drawn: the points' targets and the curve (kept within one span of the points), padded. */
function valueRange(
  points: readonly { y: number }[],
  values: readonly number[],
): [number, number] {
  let pLow = Infinity, pHigh = -Infinity, cLow = Infinity, cHigh = -Infinity;
  for (const p of points) if (Number.isFinite(p.y)) pLow = Math.min(pLow, p.y), pHigh = Math.max(pHigh, p.y);
  for (const v of values) if (Number.isFinite(v)) cLow = Math.min(cLow, v), cHigh = Math.max(cHigh, v);
  let low: number, high: number;
  if (pLow <= pHigh) {
    const span = pHigh - pLow || 1;
    low = cLow <= cHigh ? Math.min(pLow, Math.max(cLow, pLow - span)) : pLow;
    high = cLow <= cHigh ? Math.max(pHigh, Math.min(cHigh, pHigh + span)) : pHigh;
  } else if (cLow <= cHigh) [low, high] = [cLow, cHigh];
  else [low, high] = [-1, 1];
  if (!(high > low)) [low, high] = [low - 1, high + 1];
  const pad = (high - low) * 0.05;
  return [low - pad, high + pad];
}

/** Paints runs of cells of the same colour at once: `cells[i]` is a glyph and `colors[i]` its colour or none. */
function paintRow(cells: readonly string[], colors: readonly (Rgb | undefined)[], mode: ColorMode): string {
  let line = "";
  for (let i = 0; i < cells.length;) {
    let j = i + 1;
    while (j < cells.length && colors[j] === colors[i]) j++;
    const text = cells.slice(i, j).join("");
    line += colors[i] === undefined ? text : paint(text, colors[i]!, mode);
    i = j;
  }
  return line;
}

/**
 * Renders the curve panel: the targets of a fixed sample of the points (`·` training, `×` test, blue and orange)
 * with the network's prediction as a braille line on top, y labels on the left, the x range below and a legend.
 * Empty until the start event brought points or an epoch a curve.
 */
export function renderCurve(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const points = state.run?.curvePoints ?? [];
  const curve = state.curve;
  if (points.length === 0 && curve === undefined) return panel("Curve", [], { width, height, color });
  const inner = Math.max(1, width - 2);
  const innerHeight = Math.max(1, height - 2);
  const legend = innerHeight >= 5;
  const plotRows = Math.max(1, innerHeight - 1 - (legend ? 1 : 0));
  const values = curve?.values ?? [];
  const [low, high] = valueRange(points, values);
  const top = formatNumber(high, 5), bottom = formatNumber(low, 5);
  const labelWidth = Math.max(top.length, bottom.length);
  const plotCols = Math.max(1, inner - labelWidth - 1);
  let [x0, x1] = curve?.xRange ?? [Infinity, -Infinity];
  if (curve === undefined) { for (const p of points) x0 = Math.min(x0, p.x), x1 = Math.max(x1, p.x); }
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  const dotsAcross = plotCols * 2, dotsDown = plotRows * 4;
  const dotX = (x: number) => ((x - x0) / (x1 - x0)) * (dotsAcross - 1);
  // clamped a little beyond the canvas, so a wild prediction draws a short line out of the plot, not a long one
  const dotY = (y: number) =>
    Math.min(2 * dotsDown, Math.max(-dotsDown, ((high - y) / (high - low)) * (dotsDown - 1)));

  const canvas = new BrailleCanvas(plotCols, plotRows);
  let previous: [number, number] | undefined;
  for (let px = 0; px < dotsAcross && values.length > 1; px++) {
    // the prediction at this dot column, linear between the curve's evenly spaced values
    const at = (px / Math.max(1, dotsAcross - 1)) * (values.length - 1);
    const i = Math.min(values.length - 2, Math.floor(at));
    const v = values[i] + (values[i + 1] - values[i]) * (at - i);
    if (!Number.isFinite(v)) {
      previous = undefined;
      continue;
    }
    const py = dotY(v);
    if (previous) canvas.line(previous[0], previous[1], px, py, {});
    else canvas.set(px, py);
    previous = [px, py];
  }
  const curveCells = canvas.render("none");

  // per cell: 2 a test point, 1 a training point, 0 none
  const marks = new Uint8Array(plotCols * plotRows);
  for (const p of points) {
    const col = Math.round(dotX(p.x)) >> 1, row = Math.round(dotY(p.y)) >> 2;
    if (col < 0 || col >= plotCols || row < 0 || row >= plotRows || !Number.isFinite(p.y)) continue;
    const cell = row * plotCols + col;
    marks[cell] = Math.max(marks[cell], p.split === "test" ? 2 : 1);
  }
  const content: string[] = [];
  for (let r = 0; r < plotRows; r++) {
    const label = r === 0 ? top : r === plotRows - 1 ? bottom : "";
    const axis = r === 0 || r === plotRows - 1 ? "┤" : "│";
    const cells: string[] = [], colors: (Rgb | undefined)[] = [];
    for (let c = 0; c < plotCols; c++) {
      const glyph = curveCells[r][c];
      const mark = marks[r * plotCols + c];
      if (glyph !== " ") cells.push(glyph), colors.push(CURVE_RGB);
      else if (mark === 2) cells.push(TEST_GLYPH), colors.push(TEST_RGB);
      else if (mark === 1) cells.push(TRAIN_GLYPH), colors.push(TRAIN_RGB);
      else cells.push(" "), colors.push(undefined);
    }
    content.push(label.padStart(labelWidth) + axis + paintRow(cells, colors, color));
  }
  const left = formatNumber(x0, 5), right = formatNumber(x1, 5);
  const gap = Math.max(1, plotCols - left.length - right.length);
  content.push(" ".repeat(labelWidth + 1) + left + " ".repeat(gap) + right);
  if (legend) {
    const hasTest = points.some((p) => p.split === "test");
    const parts = [
      `${paint("━", CURVE_RGB, color)} net`,
      `${paint(TRAIN_GLYPH, TRAIN_RGB, color)} train`,
      ...(hasTest ? [`${paint(TEST_GLYPH, TEST_RGB, color)} test`] : []),
    ];
    content.push(fitParts(parts, { width: inner, separator: " " }));
  }
  return panel("Curve", content, { width, height, color });
}
