// The explain view: one training sample's forward and backward pass, every formula beside its shape and numbers.

import { bold, type ColorMode, paint, type Rgb, visibleWidth } from "../ansi.ts";
import { type ExplainLine, explainLines, formatExplainNumber } from "../explain_text.ts";
import type { DashboardState } from "../state.ts";
import { DIM, NEGATIVE, POSITIVE } from "../widgets/colors.ts";
import { joinColumns, panel } from "../widgets/frame.ts";
import { halfBlockImage } from "../widgets/image.ts";
import { ACCENT, fitParts, type PanelSize } from "./_common.ts";

/** Numbers in a values column (not the `#i` unit indexes, not digits inside words). */
const NUMBER_PATTERN = /(?<![#\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w])/g;

/** One line in columns, the numbers blue when positive and orange when negative (the Playground's colours). */
function styleLine(line: ExplainLine, columns: { formula: number; shape: number }, size: PanelSize): string {
  const color = size.color;
  if (line.kind === "heading") return " " + paint(bold(line.formula, color), ACCENT, color);
  const formula = line.formula + " ".repeat(Math.max(0, columns.formula - [...line.formula].length));
  const shape = paint(line.shape.padEnd(columns.shape), DIM, color);
  const values = color === "none" ? line.values : line.values.replace(
    NUMBER_PATTERN,
    (n) => paint(n, Number(n) === 0 ? DIM : n.startsWith("-") ? NEGATIVE : POSITIVE, color),
  );
  return ` ${formula} ${shape} ${values}`;
}

/** Columns the text needs beside a picture of the input (narrower terminals show no picture). */
const PICTURE_MIN_TEXT = 84;

/**
 * The input x as a grey picture (half blocks, two pixel rows per cell; glyphs without colour) with a caption, for
 * image data when the view has room for it beside the text; undefined otherwise.
 */
function inputPicture(
  state: DashboardState,
  room: { width: number; rows: number; color: ColorMode },
): { lines: string[]; width: number } | undefined {
  const image = state.run?.image, x = state.explain?.event?.input;
  if (image === undefined || x === undefined || x.length !== image.height * image.width) return undefined;
  const cells = Math.ceil(image.height / 2) + 1;
  const width = image.width + 3;
  if (room.width - width < PICTURE_MIN_TEXT || room.rows < cells) return undefined;
  let low = Infinity, high = -Infinity;
  for (const v of x) low = Math.min(low, v), high = Math.max(high, v);
  const span = high - low || 1;
  const pixels: Rgb[][] = [];
  for (let r = 0; r < image.height; r++) {
    pixels.push(
      x.slice(r * image.width, (r + 1) * image.width).map((v): Rgb => {
        const grey = Math.round(255 * (v - low) / span);
        return [grey, grey, grey];
      }),
    );
  }
  const caption = paint(`x (${image.height}×${image.width})`, DIM, room.color);
  return { lines: [" " + caption, ...halfBlockImage(pixels, room.color).map((line) => "  " + line)], width };
}

/** The widths of the formula and shape columns. */
function columnWidths(lines: readonly ExplainLine[]): { formula: number; shape: number } {
  const rows = lines.filter((line) => line.kind !== "heading");
  return {
    formula: Math.max(0, ...rows.map((line) => [...line.formula].length)),
    shape: Math.max(0, ...rows.map((line) => line.shape.length)),
  };
}

/** The line above the numbers: which sample, its class or target, the prediction and the loss. */
function summaryLine(state: DashboardState, width: number): string {
  const event = state.explain?.event;
  if (event === undefined) return "";
  const parts: string[] = [];
  if (event.label !== undefined) parts.push(`class "${event.label}"`);
  else if (event.target !== undefined && event.target.length <= 4) {
    parts.push(`target ${event.target.map(formatExplainNumber).join(", ")}`);
  }
  if (event.predicted !== undefined) {
    parts.push(`predicted "${event.predicted}"${event.predicted === event.label ? " ✓" : " ✗"}`);
  } else if (event.output.length <= 4) {
    parts.push(`output ${event.output.map(formatExplainNumber).join(", ")}`);
  }
  if (event.loss !== undefined) {
    // the loss's name goes first when the line is full (a long class name): the sample's loss stays
    const loss = `loss ${formatExplainNumber(event.loss)}`;
    const full = [...parts, `${loss} (${event.lossName})`];
    parts.push(visibleWidth(full.join(" · ")) <= width - 1 ? full.at(-1)! : loss);
  }
  return " " + fitParts(parts, { width: width - 1, separator: " · " });
}

/**
 * Renders the explain view in `size`: a title with the sample and the epoch of the weights, a summary line, then
 * the formulas, shapes and numbers of {@linkcode explainLines}: in full when they fit (every layer's heading and
 * ∂b), else compact (∂b = δ said on the δ line), scrolled by `state.explain.scroll` when still too long; the last
 * line gives the keys.
 */
export function renderExplain(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const view = state.explain;
  const event = view?.event;
  const inner = width - 2, rows = Math.max(0, height - 2);
  const samples = event?.samples ?? state.run?.trainSize;
  const sample = (view?.sample ?? 0) + 1;
  const at = event?.pausedAt;
  const title = `Explain: sample ${sample}${samples ? `/${samples}` : ""}` +
    (at !== undefined
      ? ` · weights at batch ${at.batch}/${at.batches} of epoch ${at.epoch}`
      : event?.epoch !== undefined
      ? ` · weights of epoch ${event.epoch}`
      : "");
  const keys = (more: string) =>
    " " + [
      `${paint(",", ACCENT, color)} ${paint(".", ACCENT, color)} sample`,
      more,
      `${paint("e", ACCENT, color)} close`,
    ].filter((p) => p !== "").join("  ");
  if (event === undefined) {
    const why = view?.unavailable ?? "computing the forward and backward pass…";
    return panel(title, [...why.split("\n").map((line) => ` ${line}`), "", keys("")], {
      width,
      height,
      color,
      highlight: true,
    });
  }
  const bodyRows = Math.max(1, rows - 2);
  const picture = inputPicture(state, { width: inner, rows: bodyRows, color });
  const textWidth = picture ? inner - picture.width : inner;
  const layout = (compact: boolean) => {
    const columns = columnWidths(explainLines(event, { valuesWidth: 1000, compact }));
    const valuesWidth = Math.max(8, textWidth - columns.formula - columns.shape - 3);
    return { lines: explainLines(event, { valuesWidth, compact }), columns };
  };
  let { lines, columns } = layout(false);
  if (lines.length > bodyRows) ({ lines, columns } = layout(true));
  const maxScroll = Math.max(0, lines.length - bodyRows);
  const scroll = Math.min(view?.scroll ?? 0, maxScroll);
  const shown = lines.slice(scroll, scroll + bodyRows).map((line) => styleLine(line, columns, size));
  const position = maxScroll > 0
    ? `${paint("↑↓", ACCENT, color)} lines ${scroll + 1}–${scroll + shown.length} of ${lines.length}`
    : "";
  const stale = event.sample !== undefined && event.sample !== (view?.sample ?? 0);
  const text = picture
    ? joinColumns([{ lines: shown, width: textWidth }, { lines: picture.lines, width: picture.width }])
    : shown;
  const content = [
    stale ? ` ${paint(`computing sample ${sample}…`, DIM, color)}` : summaryLine(state, inner),
    ...text,
  ];
  while (content.length < rows - 1) content.push("");
  content.length = Math.max(0, rows - 1);
  content.push(keys(position));
  return panel(title, content, { width, height, color, highlight: true });
}
