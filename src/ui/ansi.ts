// Escape strings for the terminal (cursor, screen, colours) and width helpers that ignore them; this module writes nothing.

/** How many colours the terminal can show: none (NO_COLOR), the 256-colour palette, or 24-bit. */
export type ColorMode = "none" | "256" | "truecolor";

/** A colour as red, green and blue, each 0–255. */
export type Rgb = readonly [number, number, number];

const ESC = "\x1b[";

/** Moves the cursor to the top-left corner. */
export const CURSOR_HOME = `${ESC}H`;
/** Hides the cursor. */
export const CURSOR_HIDE = `${ESC}?25l`;
/** Shows the cursor. */
export const CURSOR_SHOW = `${ESC}?25h`;
/** Switches to the alternate screen buffer. */
export const ALT_SCREEN_ENTER = `${ESC}?1049h`;
/** Returns to the main screen buffer. */
export const ALT_SCREEN_LEAVE = `${ESC}?1049l`;
/** Clears the whole screen. */
export const CLEAR_SCREEN = `${ESC}2J`;
/** Clears from the cursor to the end of the line. */
export const CLEAR_LINE_END = `${ESC}K`;
/** Clears the whole line the cursor is on (the cursor does not move). */
export const CLEAR_LINE = `${ESC}2K`;
/** Clears from the cursor to the end of the screen. */
export const CLEAR_SCREEN_END = `${ESC}J`;
/** Turns off auto-wrap, so a line that is exactly as wide as the terminal never scrolls it. */
export const WRAP_OFF = `${ESC}?7l`;
/** Turns auto-wrap back on. */
export const WRAP_ON = `${ESC}?7h`;
/**
 * Begins a synchronized update (DEC private mode 2026): a terminal that knows it shows nothing of what follows
 * until {@linkcode SYNC_END}, so a frame never appears half drawn; others ignore it.
 */
export const SYNC_BEGIN = `${ESC}?2026h`;
/** Ends a synchronized update: the terminal shows the whole frame at once. */
export const SYNC_END = `${ESC}?2026l`;
/** Resets all colours and styles. */
export const RESET = `${ESC}0m`;

/**
 * Moves the cursor to a 1-based row and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cursorTo } from "./ansi.ts";
 * assert.equal(cursorTo(3, 1), "\x1b[3;1H");
 * ```
 */
export function cursorTo(row: number, column: number): string {
  return `${ESC}${row};${column}H`;
}

/** Returns the 256-colour palette index nearest to an RGB colour (the 6×6×6 cube or the grey ramp). */
export function rgbTo256(rgb: Rgb): number {
  const [r, g, b] = rgb;
  const grey = Math.round((r + g + b) / 3);
  const spread = Math.max(r, g, b) - Math.min(r, g, b);
  if (spread < 12) {
    if (grey < 4) return 16;
    if (grey > 246) return 231;
    return 232 + Math.min(23, Math.round((grey - 8) / 10));
  }
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.round((v - 35) / 40)));
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}

/** Returns the escape that sets the foreground colour, or "" when the mode is `"none"`. */
export function fg(rgb: Rgb, mode: ColorMode): string {
  if (mode === "none") return "";
  if (mode === "256") return `${ESC}38;5;${rgbTo256(rgb)}m`;
  return `${ESC}38;2;${rgb[0] | 0};${rgb[1] | 0};${rgb[2] | 0}m`;
}

/** Returns the escape that sets the background colour, or "" when the mode is `"none"`. */
export function bg(rgb: Rgb, mode: ColorMode): string {
  if (mode === "none") return "";
  if (mode === "256") return `${ESC}48;5;${rgbTo256(rgb)}m`;
  return `${ESC}48;2;${rgb[0] | 0};${rgb[1] | 0};${rgb[2] | 0}m`;
}

/**
 * Wraps text in a foreground colour and a reset; returns the text unchanged when the mode is `"none"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paint } from "./ansi.ts";
 * assert.equal(paint("ok", [0, 255, 0], "none"), "ok");
 * ```
 */
export function paint(text: string, rgb: Rgb, mode: ColorMode): string {
  if (mode === "none" || text === "") return text;
  return `${fg(rgb, mode)}${text}${RESET}`;
}

/** Makes text bold (no-op when the mode is `"none"`). */
export function bold(text: string, mode: ColorMode): string {
  return mode === "none" || text === "" ? text : `${ESC}1m${text}${RESET}`;
}

/** Makes text reverse-video (no-op when the mode is `"none"`). */
export function inverse(text: string, mode: ColorMode): string {
  return mode === "none" || text === "" ? text : `${ESC}7m${text}${RESET}`;
}

// CSI sequences (ESC [ params final) and OSC sequences (ESC ] ... BEL or ESC \).
// deno-lint-ignore no-control-regex
const ESCAPE_PATTERN = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/y;

/** Returns the number of terminal cells a code point takes: 0 for combining marks, 2 for wide ones. */
function codePointWidth(cp: number): number {
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

/** Returns the length of the escape sequence starting at `i` (where `text[i]` is ESC), or 0 when none matches. */
function escapeLength(text: string, i: number): number {
  ESCAPE_PATTERN.lastIndex = i;
  const match = ESCAPE_PATTERN.exec(text);
  return match ? match[0].length : 0;
}

/**
 * Returns how many terminal cells a string takes, ignoring escape sequences.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { visibleWidth } from "./ansi.ts";
 * assert.equal(visibleWidth("\x1b[31mred\x1b[0m"), 3);
 * ```
 */
export function visibleWidth(text: string): number {
  // One pass over the UTF-16 units with no allocation: frames measure every line several times.
  let width = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) {
      width++;
      i++;
      continue;
    }
    if (unit === 0x1b) {
      const skip = escapeLength(text, i);
      if (skip > 0) {
        i += skip;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    width += codePointWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return width;
}

/**
 * Returns the cells from `start` (inclusive) to `end` (exclusive) of a string, keeping every escape sequence
 * met before `end` so colours stay right, and ending with a reset when the string had escapes. A wide character
 * cut by `start` becomes a space.
 */
export function sliceWidth(text: string, start: number, end: number = Infinity): string {
  let out = "";
  let column = 0;
  let sawEscape = false;
  const length = text.length;
  // Characters inside [start, end) are copied in runs (from `run` to `i`), not one by one.
  let run = -1;
  let i = 0;
  while (i < length) {
    const unit = text.charCodeAt(i);
    if (unit === 0x1b) {
      const skip = escapeLength(text, i);
      if (skip > 0) {
        if (column < end) {
          if (run < 0) run = i;
          sawEscape = true;
        } else if (run >= 0) {
          out += text.slice(run, i);
          run = -1;
        }
        i += skip;
        continue;
      }
    }
    let cp = unit, size = 1, width = 1;
    if (unit < 0x20 || unit >= 0x7f) {
      cp = text.codePointAt(i)!;
      size = cp > 0xffff ? 2 : 1;
      width = codePointWidth(cp);
    }
    if (column >= start && column + width <= end) {
      if (run < 0) run = i;
    } else {
      if (run >= 0) out += text.slice(run, i);
      run = -1;
      if (column < start && column + width > start && column + width <= end) out += " ";
    }
    column += width;
    i += size;
    if (column >= end) break;
  }
  if (run >= 0) out += text.slice(run, i);
  return sawEscape ? out + RESET : out;
}

/**
 * Cuts a string to at most `width` visible cells, ending with `ellipsis` when something was cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { truncate } from "./ansi.ts";
 * assert.equal(truncate("abcdef", 4), "abc…");
 * ```
 */
export function truncate(text: string, width: number, ellipsis = "…"): string {
  if (width <= 0) return "";
  if (visibleWidth(text) <= width) return text;
  const room = Math.max(0, width - visibleWidth(ellipsis));
  const cut = sliceWidth(text, 0, room);
  return cut + (room === width ? "" : ellipsis);
}

/** Cuts or pads a string with spaces to exactly `width` visible cells. */
export function fitWidth(text: string, width: number): string {
  if (width > 0) {
    const measured = visibleWidth(text);
    if (measured === width) return text;
    if (measured < width) return text + " ".repeat(width - measured);
  }
  const cut = truncate(text, width);
  return cut + " ".repeat(Math.max(0, width - visibleWidth(cut)));
}

/** Removes every escape sequence from a string. */
export function stripEscapes(text: string): string {
  let out = "";
  let run = 0;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x1b) {
      const skip = escapeLength(text, i);
      if (skip > 0) {
        out += text.slice(run, i);
        i += skip;
        run = i;
        continue;
      }
    }
    i++;
  }
  return out + text.slice(run);
}

// C0 controls (newline and tab included), DEL, C1 controls, the line and paragraph separators and the bidi
// overrides and isolates ("Trojan source"): none of these may reach a terminal from a file.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  if (char === "\t") return "\\t";
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Makes text from a file safe to print: every control character (C0 including newline and tab, DEL, C1, and the
 * Unicode line separators and bidi overrides) becomes a visible escape such as `\x1b` or `\n`, so an escape
 * sequence in a class name prints as text instead of setting the window title or clearing the screen, and the
 * text stays on one line. Other characters are unchanged.
 *
 * @example
 * ```ts
 * import { escapeControl } from "./ansi.ts";
 * console.assert(escapeControl("a\x1b]0;pwned\x07") === "a\\x1b]0;pwned\\x07");
 * console.assert(escapeControl("two\nlines") === "two\\nlines");
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}
