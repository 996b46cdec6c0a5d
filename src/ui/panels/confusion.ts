// The confusion panel: the confusion matrix as a heat map with class names, rows the actual class and columns the
// predicted one, each cell the share of its row (right answers on the diagonal in green, mistakes in red).

import { bg, type ColorMode, fg, paint, RESET, type Rgb, truncate, visibleWidth } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { DIM, mix } from "../widgets/colors.ts";
import { panel } from "../widgets/frame.ts";
import { halfBlockImage } from "../widgets/image.ts";
import { type PanelSize, percent } from "./_common.ts";

const EMPTY: Rgb = [38, 38, 38];
const RIGHT: Rgb = [60, 175, 95];
const WRONG: Rgb = [225, 75, 60];

/** The heat colour of a cell holding `share` of its row: green on the diagonal, red off it, dark when empty. */
function heat(share: number, diagonal: boolean): Rgb {
  return mix(EMPTY, diagonal ? RIGHT : WRONG, Math.sqrt(Math.max(0, Math.min(1, share))));
}

/** A cell's text on its heat colour (black on bright cells, white on dark ones). */
function cell(text: string, rgb: Rgb, color: ColorMode): string {
  if (color === "none") return text;
  const luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  const ink: Rgb = luminance > 110 ? [0, 0, 0] : [235, 235, 235];
  return fg(ink, color) + bg(rgb, color) + text + RESET;
}

/**
 * Renders the confusion panel: one line per actual class (index and name, then the share of each predicted class
 * in per cent, `·` for none), column headers the class indices; below, when there is room, the worst mistake.
 * With more classes than lines, a half-block heat map without numbers.
 */
export function renderConfusion(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const matrix = state.confusion;
  const names = state.run?.classNames ?? [];
  if (matrix === undefined) {
    return panel("Confusion", [paint("waiting for the first evaluation…", DIM, color)], size);
  }
  const counts = matrix.counts;
  const classes = counts.length;
  const totals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const share = (a: number, p: number) => (totals[a] > 0 ? counts[a][p] / totals[a] : 0);
  const all = totals.reduce((a, b) => a + b, 0);
  let right = 0;
  for (let c = 0; c < classes; c++) right += counts[c][c];
  const inner = width - 2, rows = height - 2;
  // the longest title that fits whole (a narrow panel cut "acc 98.0%" to "acc 98.…")
  const accuracy = `acc ${percent(all > 0 ? right / all : undefined)}`;
  const title = [`Confusion (${matrix.split}) ${accuracy}`, `Confusion ${accuracy}`, "Confusion"]
    .find((text) => visibleWidth(text) + 2 <= inner) ?? "Confusion";
  const name = (c: number) => names[c] ?? String(c);
  const labelNeed = Math.max(...counts.map((_, c) => `${c} ${name(c)}`.length)) + 1;
  let cellWidth = 0, labelWidth = 0;
  for (const candidate of [4, 3]) {
    const room = inner - classes * candidate;
    if (room >= Math.min(labelNeed, 8) || (candidate === 3 && room >= String(classes - 1).length + 1)) {
      cellWidth = candidate;
      labelWidth = Math.min(labelNeed, room);
      break;
    }
  }
  if (cellWidth === 0 || rows < classes + 1) return panel(title, heatImage(state, size), size);

  const lines: string[] = [];
  const corner = labelWidth >= 10 ? "actual╲pred" : labelWidth >= 4 ? "a╲p" : "";
  let header = paint(corner.padEnd(labelWidth), DIM, color);
  for (let p = 0; p < classes; p++) header += paint(String(p).padStart(cellWidth), DIM, color);
  lines.push(header);
  for (let a = 0; a < classes; a++) {
    let line = truncate(`${a} ${name(a)}`, labelWidth - 1).padEnd(labelWidth);
    for (let p = 0; p < classes; p++) {
      const value = share(a, p);
      const shown = Math.round(value * 100);
      const text = counts[a][p] === 0 ? "·" : String(cellWidth === 3 ? Math.min(99, shown) : shown);
      line += cell(text.padStart(cellWidth - 1) + " ", heat(value, a === p), color);
    }
    lines.push(line);
  }
  if (rows >= classes + 2) {
    let worst: [number, number] | undefined;
    for (let a = 0; a < classes; a++) {
      for (let p = 0; p < classes; p++) {
        if (a !== p && counts[a][p] > 0 && (worst === undefined || share(a, p) > share(...worst))) {
          worst = [a, p];
        }
      }
    }
    const note = worst === undefined
      ? "no mistakes"
      : `worst: ${name(worst[0])} → ${name(worst[1])} ${Math.round(share(...worst) * 100)}%`;
    const legend = `${note} · % of each row`;
    lines.push(paint(truncate(legend.length <= inner ? legend : note, inner), DIM, color));
  }
  return panel(title, lines, size);
}

/** The matrix as a half-block heat image (one or two columns per class), for when the numbers do not fit. */
function heatImage(state: DashboardState, size: PanelSize): string[] {
  const counts = state.confusion!.counts;
  const classes = counts.length;
  const columns = size.width - 2 >= 2 * classes ? 2 : 1;
  const pixels: Rgb[][] = counts.map((row, a) => {
    const total = row.reduce((x, y) => x + y, 0);
    const out: Rgb[] = [];
    for (let p = 0; p < classes; p++) {
      const value = total > 0 ? row[p] / total : 0;
      // without colour the glyph shade is the share itself
      const rgb = size.color === "none"
        ? [value * 255, value * 255, value * 255] as Rgb
        : heat(value, a === p);
      for (let k = 0; k < columns; k++) out.push(rgb);
    }
    return out;
  });
  const lines = halfBlockImage(pixels, size.color);
  lines.push(paint("rows actual, columns predicted", DIM, size.color));
  return lines;
}
