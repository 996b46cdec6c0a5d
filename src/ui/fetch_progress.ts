// The lines `deno task fetch` prints: a one-line progress bar per file on a terminal, plain lines in a log.

import { truncate } from "./ansi.ts";
import { progressBar } from "./widgets/chart.ts";

/** A byte count in decimal units, e.g. `26.4 MB`, `5.1 kB`, `812 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}

/** Options for {@linkcode fetchProgressLine}. */
export interface FetchProgressOptions {
  /** The terminal's width; the line never exceeds it. */
  columns: number;
}

/**
 * The progress line of one download: the file name, a bar, the percentage and the bytes so far, e.g.
 * `train-images-idx3-ubyte.gz ███████▊░░░░░░░░   48%  12.7 MB / 26.4 MB`; without a known total, only the bytes.
 * The bar takes up to 16 cells and is left out when the line would not fit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchProgressLine } from "./fetch_progress.ts";
 * assert.equal(fetchProgressLine("a.gz", 500, 1000, { columns: 40 }), "a.gz ██████▌░░░░░░   50%  500 B / 1.0 kB");
 * ```
 */
export function fetchProgressLine(
  file: string,
  received: number,
  total: number | undefined,
  options: FetchProgressOptions,
): string {
  if (total === undefined || total <= 0) {
    return truncate(`${file}  ${formatBytes(received)}`, options.columns);
  }
  const fraction = Math.min(1, received / total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const tail = `  ${percent}  ${formatBytes(received)} / ${formatBytes(total)}`;
  const barWidth = Math.max(0, Math.min(16, options.columns - file.length - tail.length - 1));
  const bar = barWidth >= 4 ? ` ${progressBar(fraction, { width: barWidth, color: "none" })}` : "";
  return truncate(`${file}${bar}${tail}`, options.columns);
}
