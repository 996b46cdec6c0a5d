// Grids of small images with a label under each: the scale that fits a space, block averaging, and the grid.

import { fitWidth } from "../ansi.ts";

/** Options for {@linkcode shrinkPixels}. */
export interface ShrinkOptions {
  /** Pixel rows of the image. */
  height: number;
  /** Pixel columns of the image. */
  width: number;
  /** Pixels per block side (1 keeps the image). */
  factor: number;
}

/**
 * Averages a row-major image down by `factor` in both directions into rows of pixels (edge blocks average what
 * they hold): the 2×2 mean of a 28×28 image is 14 rows of 14.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shrinkPixels } from "./tiles.ts";
 * assert.deepEqual(shrinkPixels([1, 3, 5, 7], { height: 2, width: 2, factor: 2 }), [[4]]);
 * ```
 */
export function shrinkPixels(pixels: readonly number[], options: ShrinkOptions): number[][] {
  const { height, width } = options;
  const factor = Math.max(1, Math.floor(options.factor));
  const rows: number[][] = [];
  for (let r = 0; r * factor < height; r++) {
    const row: number[] = [];
    for (let c = 0; c * factor < width; c++) {
      let sum = 0, count = 0;
      for (let y = r * factor; y < Math.min(height, (r + 1) * factor); y++) {
        for (let x = c * factor; x < Math.min(width, (c + 1) * factor); x++) {
          sum += pixels[y * width + x], count++;
        }
      }
      row.push(sum / count);
    }
    rows.push(row);
  }
  return rows;
}

/** What {@linkcode tileScale} fits: the space, the image size and how many images there are. */
export interface TileScaleOptions {
  /** Cells across the space. */
  width: number;
  /** Lines down the space. */
  height: number;
  /** Pixel rows of each image. */
  imageHeight: number;
  /** Pixel columns of each image. */
  imageWidth: number;
  /** Images there are to show. */
  count: number;
  /** Show at least this many when the images can shrink to fit them (default 6). */
  atLeast?: number;
}

/** How a grid of tiles fills a space: the shrink factor, the tile size in cells and how many fit. */
export interface TileScale {
  /** Pixels per block side. */
  factor: number;
  /** Cells across one tile (its pixel columns). */
  tileWidth: number;
  /** Lines of one tile's image (two pixel rows a line), without its label line. */
  tileHeight: number;
  /** Tiles in a row. */
  perRow: number;
  /** Rows of tiles. */
  rows: number;
  /** Tiles shown: min(count, perRow · rows). */
  shown: number;
}

/**
 * The largest scale (smallest shrink factor) at which at least `min(count, atLeast)` images fit in the space,
 * each `ceil(width / f)` cells wide and `ceil(height / f / 2)` lines tall plus a label line, one column apart;
 * images never shrink below 4 pixels a side. The smallest scale when even that shows fewer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tileScale } from "./tiles.ts";
 * // 28×28 images in 78×16 cells: the 2×2 mean (14 cells × 7 lines) fits 5 a row, 2 rows
 * const scale = tileScale({ width: 78, height: 16, imageHeight: 28, imageWidth: 28, count: 32 });
 * assert.deepEqual([scale.factor, scale.perRow, scale.rows, scale.shown], [2, 5, 2, 10]);
 * ```
 */
export function tileScale(options: TileScaleOptions): TileScale {
  const { width, height, imageHeight, imageWidth, count } = options;
  const wanted = Math.min(count, options.atLeast ?? 6);
  const largest = Math.max(1, Math.floor(Math.min(imageHeight, imageWidth) / 4));
  let scale: TileScale | undefined;
  for (let factor = 1; factor <= largest; factor++) {
    const tileWidth = Math.ceil(imageWidth / factor);
    const tileHeight = Math.ceil(Math.ceil(imageHeight / factor) / 2);
    const perRow = Math.max(0, Math.floor((width + 1) / (tileWidth + 1)));
    const rows = Math.max(0, Math.floor(height / (tileHeight + 1)));
    scale = { factor, tileWidth, tileHeight, perRow, rows, shown: Math.min(count, perRow * rows) };
    if (scale.shown >= wanted && scale.shown > 0) return scale;
  }
  return scale!;
}

/** One tile of a {@linkcode tileGrid}: its image lines and a label line (both may hold escapes). */
export interface Tile {
  /** The image, `tileHeight` lines of `tileWidth` cells. */
  lines: readonly string[];
  /** One line under the image, cut to the tile's width. */
  label: string;
}

/** Options for {@linkcode tileGrid}. */
export interface TileGridOptions {
  /** Cells across one tile. */
  tileWidth: number;
  /** Tiles in a row. */
  perRow: number;
}

/** Lays tiles out in rows, one column apart, each image with its label under it. */
export function tileGrid(tiles: readonly Tile[], options: TileGridOptions): string[] {
  const { tileWidth, perRow } = options;
  const lines: string[] = [];
  for (let start = 0; start < tiles.length; start += Math.max(1, perRow)) {
    const row = tiles.slice(start, start + Math.max(1, perRow));
    const height = Math.max(...row.map((tile) => tile.lines.length));
    for (let r = 0; r < height; r++) {
      lines.push(row.map((tile) => fitWidth(tile.lines[r] ?? "", tileWidth)).join(" "));
    }
    lines.push(row.map((tile) => fitWidth(tile.label, tileWidth)).join(" "));
  }
  return lines;
}
