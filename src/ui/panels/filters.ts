// The filters panel, "what layer 1 sees": the incoming weights of some first-layer units drawn as images on the
// blue–white–orange scale (blue positive, orange negative), each on its own symmetric scale.

import { type ColorMode, paint, type Rgb, visibleWidth } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { DIM, divergingColor, NEGATIVE, POSITIVE } from "../widgets/colors.ts";
import { formatNumber } from "../widgets/format.ts";
import { panel } from "../widgets/frame.ts";
import { halfBlockImage } from "../widgets/image.ts";
import { shrinkPixels, type Tile, tileGrid, tileScale } from "../widgets/tiles.ts";
import type { PanelSize } from "./_common.ts";

/** Shows at least this many filters when they can shrink to fit them. */
const AT_LEAST = 8;

/** Glyphs for a signed level without colour: strong and weak negative, zero, weak and strong positive. */
const SIGNED = ["=", "-", " ", "+", "#"];

/** A glyph for `t` in [-1, 1]. */
export function signedGlyph(t: number): string {
  const level = Math.round((Math.max(-1, Math.min(1, t)) + 1) * 2);
  return SIGNED[level];
}

/** Draws one filter scaled to [-1, 1]: half blocks in colour, signed glyphs (two pixel rows a glyph) without. */
function filterImage(rows: readonly number[][], color: ColorMode): string[] {
  if (color !== "none") {
    return halfBlockImage(rows.map((row) => row.map((t): Rgb => divergingColor(t))), color);
  }
  const lines: string[] = [];
  for (let r = 0; r < rows.length; r += 2) {
    const top = rows[r], bottom = rows[r + 1] ?? top;
    lines.push(top.map((t, c) => signedGlyph((t + bottom[c]) / 2)).join(""));
  }
  return lines;
}

/**
 * Renders the filters panel: as many of the first layer's filters as fit, at the largest scale that shows at least
 * eight, each scaled by its own largest |w| as drawn (given under it with the unit's number, when it fits), and a
 * legend when there is room.
 */
export function renderFilters(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const filters = state.filters;
  const title = "What layer 1 sees";
  if (filters === undefined || filters.weights.length === 0) {
    const why = state.run?.image === undefined ? "no images in this data" : "waiting for the first weights…";
    return panel(title, [paint(why, DIM, color)], size);
  }
  const swatch = (rgb: Rgb, glyphs: string) => color === "none" ? glyphs : paint("■", rgb, color);
  const legends = [
    `${swatch(POSITIVE, "# +")} positive  ${swatch(NEGATIVE, "= -")} negative  (each unit on its own scale)`,
    `${swatch(POSITIVE, "# +")} positive  ${swatch(NEGATIVE, "= -")} negative`,
    `${swatch(POSITIVE, "+")} > 0  ${swatch(NEGATIVE, "-")} < 0`,
  ];
  const legend = legends.find((text) => visibleWidth(text) <= width - 2);
  const scale = tileScale({
    width: width - 2,
    height: height - 3,
    imageHeight: filters.height,
    imageWidth: filters.width,
    count: filters.weights.length,
    atLeast: AT_LEAST,
  });
  const drawn = filters.weights.slice(0, scale.shown).map((weights, i) => {
    // averaged down first, then scaled by the largest |w| drawn, so every filter uses the whole colour scale
    const finite = weights.map((w) => (Number.isFinite(w) ? w : 0));
    const rows = shrinkPixels(finite, { height: filters.height, width: filters.width, factor: scale.factor });
    let largest = 0;
    for (const row of rows) for (const w of row) largest = Math.max(largest, Math.abs(w));
    for (const row of rows) for (let c = 0; c < row.length; c++) row[c] = largest > 0 ? row[c] / largest : 0;
    const unit = `u${filters.units[i] + 1}`;
    return { lines: filterImage(rows, color), unit, full: `${unit} ±${formatNumber(largest, 4)}` };
  });
  // every label gives the scale, or none does (when one would not fit)
  const withScale = drawn.every((tile) => tile.full.length <= scale.tileWidth);
  const tiles: Tile[] = drawn.map((tile) => ({
    lines: tile.lines,
    label: paint(withScale ? tile.full : tile.unit, DIM, color),
  }));
  const lines = tileGrid(tiles, { tileWidth: scale.tileWidth, perRow: scale.perRow });
  if (legend !== undefined && lines.length < height - 2) lines.push(legend);
  return panel(title, lines, size);
}
