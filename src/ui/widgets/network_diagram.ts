// The network diagram: columns of neurons coloured by activation, joined by links coloured by weight.

import { type ColorMode, paint, type Rgb, visibleWidth } from "../ansi.ts";
import { BrailleCanvas } from "./braille.ts";
import { DIM, mix, NEGATIVE, POSITIVE, sequentialColor, shadeGlyph } from "./colors.ts";
import { formatCount } from "./format.ts";
import { overlay } from "./frame.ts";

/** One column of a {@linkcode networkDiagram}: the inputs or a layer. */
export interface DiagramColumn {
  /** First label line under the column, e.g. `"L1 3"`. */
  label: string;
  /** Second label line, e.g. the activation name. */
  sublabel?: string;
  /** Number of units. */
  units: number;
  /** Per-unit values in [0, 1] for the neuron colour (omitted: grey). */
  values?: readonly number[];
  /** Weights into this column (units × previous column's units), when small enough to draw. */
  weights?: readonly (readonly number[])[];
}

const SHORT_NAMES: Record<string, string> = {
  sigmoid: "sigm",
  softmax: "smax",
  linear: "lin",
  leaky_relu: "lrelu",
  identity: "id",
  input: "in",
};

/** Options for {@linkcode networkDiagram}. */
export interface NetworkDiagramOptions {
  /** Width in cells. */
  width: number;
  /** Height in lines, two label lines included. */
  height: number;
  /** Colour mode. */
  color: ColorMode;
  /** Index of the highlighted column. */
  selected?: number;
}

/**
 * Draws a network as columns of neurons coloured by value, joined by braille links coloured by the weight's
 * sign (orange negative, blue positive) and brightness by its size; strong links are drawn thick. Without colour,
 * negative links are dotted and weak ones left out. Layers taller than the space are averaged into groups.
 */
export function networkDiagram(columns: readonly DiagramColumn[], options: NetworkDiagramOptions): string[] {
  const { width, color } = options;
  const rows = Math.max(1, options.height - 2);
  const count = columns.length;
  const centers = columns.map((_, k) => Math.round(((k + 0.5) * width) / count));
  const shown = columns.map((c) => Math.max(1, Math.min(c.units, rows)));
  const rowOf = (k: number, i: number) => Math.floor(((i + 0.5) * rows) / shown[k]);
  const canvas = new BrailleCanvas(width, rows);
  const notes: { row: number; column: number; text: string }[] = [];
  for (let k = 1; k < count; k++) {
    const weights = columns[k].weights;
    const exact = shown[k] === columns[k].units && shown[k - 1] === columns[k - 1].units;
    const x0 = (centers[k - 1] + 2) * 2;
    const x1 = (centers[k] - 2) * 2 + 1;
    if (x1 - x0 < 2) continue;
    if (!weights || !exact) {
      if (shown[k] * shown[k - 1] > 64) {
        const text = `${formatCount(columns[k].units * columns[k - 1].units)}w`;
        const gap = centers[k] - centers[k - 1] - 3;
        const column = centers[k - 1] + 2 + Math.floor((gap - text.length) / 2);
        if (gap >= text.length + 2) notes.push({ row: Math.floor(rows / 2), column, text });
        continue;
      }
      for (let j = 0; j < shown[k]; j++) {
        for (let i = 0; i < shown[k - 1]; i++) {
          canvas.line(x0, rowOf(k - 1, i) * 4 + 1.5, x1, rowOf(k, j) * 4 + 1.5, {
            rgb: [70, 70, 70],
            every: 3,
          });
        }
      }
      continue;
    }
    let maxAbs = 0;
    for (const row of weights) {
      for (const w of row) if (Number.isFinite(w)) maxAbs = Math.max(maxAbs, Math.abs(w));
    }
    const links: { i: number; j: number; t: number }[] = [];
    for (let j = 0; j < shown[k]; j++) {
      for (let i = 0; i < shown[k - 1]; i++) {
        const w = weights[j]?.[i] ?? 0;
        links.push({ i, j, t: maxAbs > 0 && Number.isFinite(w) ? w / maxAbs : 0 });
      }
    }
    links.sort((a, b) => Math.abs(a.t) - Math.abs(b.t));
    for (const { i, j, t } of links) {
      const strength = Math.abs(t);
      if (color === "none" && strength < 0.15) continue;
      const end = t < 0 ? NEGATIVE : POSITIVE;
      const rgb = mix([55, 55, 55], end, Math.sqrt(strength));
      const every = color === "none" && t < 0 ? 2 : 1;
      const ya = rowOf(k - 1, i) * 4 + 1.5;
      const yb = rowOf(k, j) * 4 + 1.5;
      canvas.line(x0, ya, x1, yb, { rgb, weight: strength, every });
      if (strength > 0.6) canvas.line(x0, ya + 1, x1, yb + 1, { rgb, weight: strength, every });
    }
  }
  const lines = canvas.render(color);
  for (const note of notes) {
    lines[note.row] = overlay(lines[note.row], { text: paint(note.text, DIM, color), at: note.column });
  }
  for (let k = 0; k < count; k++) {
    const column = columns[k];
    for (let i = 0; i < shown[k]; i++) {
      const from = Math.floor((i * column.units) / shown[k]);
      const to = Math.max(from + 1, Math.floor(((i + 1) * column.units) / shown[k]));
      let value: number | undefined;
      if (column.values && column.values.length >= to) {
        let sum = 0;
        for (let u = from; u < to; u++) sum += column.values[u];
        value = sum / (to - from);
      }
      const grouped = to - from > 1;
      let glyph: string;
      if (color === "none") {
        glyph = (grouped ? "{" : "[") + (value === undefined ? "·" : shadeGlyph(value)) +
          (grouped ? "}" : "]");
      } else {
        const rgb = value === undefined ? [150, 150, 150] as Rgb : sequentialColor(value);
        const ring: Rgb = k === options.selected ? [255, 200, 80] : [110, 110, 110];
        glyph = paint(grouped ? "╏" : "▐", ring, color) + paint("█", rgb, color) +
          paint(grouped ? "╏" : "▌", ring, color);
      }
      const r = rowOf(k, i);
      lines[r] = overlay(lines[r], { text: glyph, at: centers[k] - 1 });
    }
  }
  const labelLine = (pick: (c: DiagramColumn, k: number) => string) => {
    let line = "";
    for (let k = 0; k < count; k++) {
      const slot = Math.floor(width / count);
      const full = pick(columns[k], k);
      const text = (full.length < slot ? full : (SHORT_NAMES[full] ?? full)).slice(0, slot - 1);
      const start = Math.max(
        visibleWidth(line),
        Math.min(width - text.length, centers[k] - Math.floor(text.length / 2)),
      );
      line += " ".repeat(Math.max(0, start - visibleWidth(line)));
      line += k === options.selected
        ? paint(text, [255, 200, 80], color)
        : paint(text, [170, 170, 170], color);
    }
    return line;
  };
  // When "L1 16" (with the selection mark "▸" it carries without colour) does not fit under a column, the first
  // line keeps only the unit count (the order names layers), so a cut never turns "▸L1 16" into "▸L1 1".
  const slot = Math.floor(width / count);
  const mark = (k: number) => (k === options.selected && color === "none" ? "▸" : "");
  const tight = columns.some((c, k) => mark(k).length + c.label.length > slot - 1);
  const title = (c: DiagramColumn) => (tight ? String(c.units) : c.label);
  lines.push(labelLine((c, k) => `${mark(k)}${title(c)}`));
  lines.push(labelLine((c) => c.sublabel ?? ""));
  return lines.slice(0, options.height);
}
