// Layout of blocks of lines: a titled box, blocks side by side, and text or a box laid over other lines.

import { type ColorMode, fitWidth, paint, type Rgb, sliceWidth, visibleWidth } from "../ansi.ts";

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
 * import { panel } from "./frame.ts";
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

/** What {@linkcode overlay} writes and where. */
export interface OverlayOptions {
  /** The text to write (may hold escapes). */
  text: string;
  /** The visible column it starts at. */
  at: number;
}

/** Writes `text` over `line` starting at visible column `at`, keeping what is left and right of it. */
export function overlay(line: string, options: OverlayOptions): string {
  const { text, at } = options;
  const lineWidth = visibleWidth(line);
  const left = at > lineWidth ? line + " ".repeat(at - lineWidth) : sliceWidth(line, 0, at);
  return left + text + sliceWidth(line, at + visibleWidth(text));
}

/** Options for {@linkcode overlayCentered}. */
export interface OverlayCenteredOptions {
  /** The box's lines, each `width` cells wide. */
  box: readonly string[];
  /** The box's width in cells. */
  width: number;
  /** The width the box is centred in. */
  columns: number;
}

/** Lays a box over the middle of `lines` (centred both ways), keeping what is left and right of it. */
export function overlayCentered(lines: readonly string[], options: OverlayCenteredOptions): string[] {
  const { box, width } = options;
  const top = Math.max(0, Math.floor((lines.length - box.length) / 2));
  const left = Math.floor((options.columns - width) / 2);
  const out = lines.slice();
  box.forEach((row, i) => {
    const line = out[top + i] ?? "";
    const padded = visibleWidth(line) < left ? line + " ".repeat(left - visibleWidth(line)) : line;
    out[top + i] = sliceWidth(padded, 0, left) + row + sliceWidth(padded, left + width);
  });
  return out;
}
