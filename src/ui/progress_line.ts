// The headless log's transient progress line on a terminal: redrawn in place during an epoch, erased before a log line.

import { CLEAR_LINE, truncate } from "./ansi.ts";
import type { ProgressEvent, TrainEvent } from "../train/events.ts";

/** Cells of the `[=====>....]` bar, brackets left out, when the terminal is wide enough. */
const BAR_WIDTH = 20;
/** The narrowest bar drawn; below it the line goes without one. */
const MIN_BAR_WIDTH = 5;

/** Options for {@linkcode formatProgressLine}. */
export interface ProgressLineFormatOptions {
  /** The terminal's width; the line takes at most `columns - 1` cells (never the last column). */
  columns: number;
  /** Seconds the epoch still needs, when known; `eta m:ss` ends the line. */
  etaSeconds?: number;
}

/** Seconds as `m:ss`, or `h:mm:ss` from an hour on (rounded up, so a running epoch never shows `0:00` early). */
export function formatEta(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600), minutes = Math.floor(total / 60) % 60, rest = total % 60;
  const ss = String(rest).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${ss}` : `${minutes}:${ss}`;
}

/** A Keras-like bar of `width` cells between brackets: `[=====>....]`, all `=` when the epoch is done. */
function bar(batch: number, batches: number, width: number): string {
  const filled = Math.min(width, Math.floor(width * batch / Math.max(1, batches)));
  const head = filled === 0 ? "" : "=".repeat(filled - 1) + (batch < batches ? ">" : "=");
  return `[${head}${".".repeat(width - filled)}]`;
}

/**
 * One progress line of an epoch in progress, like Keras's:
 * `epoch  3/22  312/469 [============>.......]  31,000 samples/s  eta 0:04`. The bar narrows (and goes, below 5
 * cells) when the terminal is narrow; what still does not fit is cut with "…". Plain text, no colour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProgressLine } from "./progress_line.ts";
 * const event = {
 *   type: "progress", epoch: 3, epochs: 22, batch: 312, batches: 469, samplesPerSecond: 31_000.4, elapsedSeconds: 9,
 * } as const;
 * assert.equal(
 *   formatProgressLine(event, { columns: 80, etaSeconds: 3.2 }),
 *   "epoch  3/22  312/469 [============>.......]  31,000 samples/s  eta 0:04",
 * );
 * ```
 */
export function formatProgressLine(event: ProgressEvent, options: ProgressLineFormatOptions): string {
  const room = options.columns - 1;
  const epoch = `epoch ${String(event.epoch).padStart(String(event.epochs).length)}/${event.epochs}`;
  const count = `${String(event.batch).padStart(String(event.batches).length)}/${event.batches}`;
  const tail = [`${Math.round(event.samplesPerSecond).toLocaleString("en-US")} samples/s`];
  if (options.etaSeconds !== undefined && Number.isFinite(options.etaSeconds)) {
    tail.push(`eta ${formatEta(options.etaSeconds)}`);
  }
  const without = [epoch, count, ...tail].join("  ");
  // the bar follows the count after one space and its brackets: 3 cells more than its width
  const barWidth = Math.min(BAR_WIDTH, room - without.length - 3);
  const line = barWidth >= MIN_BAR_WIDTH
    ? [epoch, `${count} ${bar(event.batch, event.batches, barWidth)}`, ...tail].join("  ")
    : without;
  return truncate(line, room);
}

/** Options for {@linkcode ProgressLine}. */
export interface ProgressLineOptions {
  /** Writes text to the terminal as it is (escape sequences included), synchronously. */
  write: (text: string) => void;
  /** The terminal's width now (read at each redraw, so a resize is followed). */
  columns: () => number;
  /** Least milliseconds between two redraws (default 200: at most 5 a second). */
  minIntervalMs?: number;
  /** The clock, in ms (injectable for tests). */
  now?: () => number;
}

/**
 * The headless log on a terminal: log lines as the plain log prints them, and between them one transient line
 * that shows how far a long epoch has got, redrawn in place (`\r`, erase line, the text, no newline). The
 * transient line is erased before every log line and at every epoch's end, so the log reads as without it, and
 * {@linkcode ProgressLine.erase} leaves nothing of it at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressLine } from "./progress_line.ts";
 * let out = "";
 * const line = new ProgressLine({ write: (text) => out += text, columns: () => 40, now: () => 0 });
 * line.show({
 *   type: "progress", epoch: 1, epochs: 2, batch: 1, batches: 4, samplesPerSecond: 10, elapsedSeconds: 1,
 * }, []);
 * line.erase();
 * assert.equal(out, "\r\x1b[2Kepoch 1/2  1/4 [=>......]  10 samples/s\r\x1b[2K");
 * ```
 */
export class ProgressLine {
  #write: (text: string) => void;
  #columns: () => number;
  #interval: number;
  #now: () => number;
  #shown = false;
  #lastDrawn = -Infinity;
  /** Where the epoch in progress started (batch 0) or was first seen, in trained seconds: the ETA's origin. */
  #origin: { epoch: number; batch: number; elapsedSeconds: number } | undefined;

  /** Creates the line; nothing is written until a progress event comes. */
  constructor(options: ProgressLineOptions) {
    this.#write = options.write;
    this.#columns = options.columns;
    this.#interval = options.minIntervalMs ?? 200;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Writes one event's log lines (each ended with a newline; the transient line erased first) and, for a progress
   * event, redraws the transient line; an epoch's end erases it even when the log leaves that epoch out.
   */
  show(event: TrainEvent, lines: readonly string[]): void {
    if (lines.length > 0 || event.type !== "progress") this.erase();
    for (const line of lines) this.#write(`${line}\n`);
    switch (event.type) {
      case "start":
        // a fresh run's first epoch starts at 0 trained seconds; a resumed one's is found from its progress
        this.#origin = event.resumedFrom === undefined
          ? { epoch: 1, batch: 0, elapsedSeconds: 0 }
          : undefined;
        break;
      case "epoch":
        this.#origin = { epoch: event.epoch + 1, batch: 0, elapsedSeconds: event.elapsedSeconds };
        break;
      case "progress":
        this.#progress(event);
        break;
    }
  }

  /** Erases the transient line when it is shown (before other output, and at the end). */
  erase(): void {
    if (!this.#shown) return;
    this.#write(`\r${CLEAR_LINE}`);
    this.#shown = false;
  }

  #progress(event: ProgressEvent): void {
    if (this.#origin === undefined || this.#origin.epoch !== event.epoch) {
      this.#origin = { epoch: event.epoch, batch: event.batch, elapsedSeconds: event.elapsedSeconds };
    }
    const now = this.#now();
    if (this.#shown && now - this.#lastDrawn < this.#interval) return;
    const origin = this.#origin;
    const done = event.batch - origin.batch, seconds = event.elapsedSeconds - origin.elapsedSeconds;
    const etaSeconds = done > 0 && seconds >= 0 ? (event.batches - event.batch) * seconds / done : undefined;
    this.#write(`\r${CLEAR_LINE}${formatProgressLine(event, { columns: this.#columns(), etaSeconds })}`);
    this.#shown = true;
    this.#lastDrawn = now;
  }
}
