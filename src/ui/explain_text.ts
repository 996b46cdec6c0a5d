// One sample's forward and backward pass as lines of formulas, shapes and numbers, for the CLI and the explain view.

import type { ExplainEvent, ExplainLayer } from "../train/events.ts";

/** What a line is, so that a view can style it: a heading, a formula with numbers, or its continuation. */
export type ExplainLineKind = "heading" | "formula" | "more";

/** One line: the formula (e.g. `z¹ = W¹·x + b¹`), its shape (e.g. `(3)`, `(3×2)`) and the numbers. */
export interface ExplainLine {
  /** What the line is. */
  kind: ExplainLineKind;
  /** The formula or the heading text. */
  formula: string;
  /** The shape in parentheses, or "". */
  shape: string;
  /** The numbers as text (every one for small vectors; the norm and the largest entries for wide ones). */
  values: string;
}

/** Options of {@linkcode explainLines}. */
export interface ExplainTextOptions {
  /** Columns available for the numbers of one line (default 80); longer lists wrap onto `more` lines. */
  valuesWidth?: number;
  /** Vectors longer than this show their norm and largest entries instead of every number (default 16). */
  maxUnits?: number;
  /** Layers with more inputs than this show ∂W as norms (default 32). */
  maxInputs?: number;
  /** Leave out the per-layer headings and the ∂b lines (∂b = δ is said on the δ line): for small screens. */
  compact?: boolean;
}

const SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** The superscript digits of `n`, e.g. 12 → "¹²". */
export function superscript(n: number): string {
  return String(n).split("").map((d) => SUPERSCRIPTS[Number(d)] ?? d).join("");
}

/**
 * A number in at most 8 characters: integers as they are, 4 decimals for ordinary sizes, exponent form for tiny
 * or huge ones.
 */
export function formatExplainNumber(value: number): string {
  if (value === 0) return "0";
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < 1e5) return String(value);
  if (magnitude >= 1e-3 && magnitude < 10) return value.toFixed(4);
  if (magnitude >= 10 && magnitude < 1e5) return value.toFixed(magnitude < 1000 ? 2 : 0);
  return value.toExponential(2).replace("e+", "e");
}

const NUMBER_WIDTH = 8;

function cell(value: number): string {
  return formatExplainNumber(value).padStart(NUMBER_WIDTH);
}

function norm(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

/** Every number in cells, wrapped at `width` (at least one cell per line). */
function wrapCells(cells: string[], width: number): string[] {
  const perLine = Math.max(1, Math.floor((width + 1) / (NUMBER_WIDTH + 1)));
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(" "));
  return lines.length > 0 ? lines : [""];
}

/** `‖·‖ n  top` then the entries of largest magnitude, `#i value`, as many as fit in `width` (at least one). */
function summary(values: readonly number[], width: number, largest = values.map((v) => Math.abs(v))): string {
  const order = largest.map((_, i) => i).sort((i, j) => largest[j] - largest[i] || i - j);
  let text = `‖·‖ ${formatExplainNumber(norm(values))}  top`;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const part = `  #${i} ${formatExplainNumber(values[i])}`;
    if (k >= 1 && text.length + part.length > width) break;
    text += part;
  }
  return text;
}

const ACTIVATION_SYMBOL: Record<string, string> = {
  sigmoid: "σ",
  tanh: "tanh",
  relu: "relu",
  leaky_relu: "lrelu",
  linear: "id",
  softmax: "softmax",
};

function symbolOf(activation: string): string {
  return ACTIVATION_SYMBOL[activation] ?? activation;
}

const LOSS_FORMULA: Record<string, string> = {
  mse: "L = 1/K·Σ(ŷ − y)²",
  binary_cross_entropy: "L = −1/K·Σ[y·ln ŷ + (1−y)·ln(1−ŷ)]",
  cross_entropy: "L = −Σ y·ln ŷ",
};

/** δᴸ at the output: the fused form where the loss cancels with the activation, else the chain rule. */
function outputDelta(event: ExplainEvent, layer: ExplainLayer, l: string): string {
  if (event.lossName === "cross_entropy" && layer.activation === "softmax") return `δ${l} = ŷ − y`;
  if (event.lossName === "binary_cross_entropy" && layer.activation === "sigmoid") {
    return `δ${l} = (ŷ − y)/K`;
  }
  return `δ${l} = ∂L/∂ŷ ⊙ ${symbolOf(layer.activation)}'(z${l})`;
}

/**
 * The explanation as lines, in the tutorial's order: x; for each layer z = W·a + b and a = f(z); ŷ, y and L; then
 * backward from the last layer, δ = ∂L/∂z, ∂W = δ·aᵀ and ∂b = δ. Vectors of at most `maxUnits` entries list every
 * number; wider ones give their norm and largest entries (`‖·‖ 6.84  top  #7 1.59 …`, `#i` the 0-based unit), and
 * ∂W of a wide layer gives ‖∂W‖ = ‖δ‖·‖a‖ and its largest rows (row i is δᵢ·a, of norm |δᵢ|·‖a‖). A one-hot
 * target of more than two classes reads `one-hot #k "name"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainLines } from "./explain_text.ts";
 * const lines = explainLines({
 *   type: "explain", input: [1], output: [0.5],
 *   layers: [{ units: 1, inputs: 1, activation: "sigmoid", z: [0], a: [0.5] }],
 * });
 * assert.deepEqual(lines.map((line) => line.formula), ["x = a⁰", "layer 1 · 1→1 · sigmoid", "z¹ = W¹·x + b¹", "ŷ = a¹ = σ(z¹)"]);
 * assert.equal(lines[3].values.trim(), "0.5000");
 * ```
 */
export function explainLines(event: ExplainEvent, options: ExplainTextOptions = {}): ExplainLine[] {
  const width = options.valuesWidth ?? 80;
  const maxUnits = options.maxUnits ?? 16, maxInputs = options.maxInputs ?? 32;
  const compact = options.compact ?? false;
  const lines: ExplainLine[] = [];
  const heading = (text: string) => lines.push({ kind: "heading", formula: text, shape: "", values: "" });
  const vector = (formula: string, values: readonly number[], note = "") => {
    const shape = `(${values.length})`;
    if (values.length > maxUnits) {
      lines.push({ kind: "formula", formula, shape, values: summary(values, width - note.length) + note });
      return;
    }
    const wrapped = wrapCells(values.map(cell), width);
    // the note goes after the last number, or on a line of its own when it does not fit there
    const end = wrapped.length - 1;
    if (wrapped[end].length + note.length <= width) wrapped[end] += note;
    else wrapped.push(" ".repeat(NUMBER_WIDTH - 1) + note.trimStart());
    wrapped.forEach((text, i) =>
      lines.push({
        kind: i === 0 ? "formula" : "more",
        formula: i === 0 ? formula : "",
        shape: i === 0 ? shape : "",
        values: text,
      })
    );
  };
  const layers = event.layers, last = layers.length;
  const aName = (l: number) => l === 0 ? "x" : `a${superscript(l)}`;
  const aValues = (l: number) => l === 0 ? event.input : layers[l - 1].a;

  if (event.rawInput !== undefined && event.rawInput.some((v, i) => v !== event.input[i])) {
    vector("raw input", event.rawInput);
    vector("x = a⁰", event.input);
  } else {
    vector("x = a⁰", event.input);
  }
  const predicted = event.predicted !== undefined ? `  → "${event.predicted}"` : "";
  layers.forEach((layer, index) => {
    const l = superscript(index + 1), f = symbolOf(layer.activation);
    if (!compact) heading(`layer ${index + 1} · ${layer.inputs}→${layer.units} · ${layer.activation}`);
    vector(`z${l} = W${l}·${aName(index)} + b${l}`, layer.z);
    if (index + 1 === last) vector(`ŷ = a${l} = ${f}(z${l})`, layer.a, predicted);
    else vector(`a${l} = ${f}(z${l})`, layer.a);
  });
  if (event.target === undefined) return lines;
  const label = event.label !== undefined ? `  "${event.label}"` : "";
  const hot = event.target.indexOf(1);
  const oneHot = event.target.length > 2 && event.target.every((v, k) => v === (k === hot ? 1 : 0));
  if (oneHot) {
    lines.push({
      kind: "formula",
      formula: "y (target)",
      shape: `(${event.target.length})`,
      values: `one-hot #${hot}${label}`,
    });
  } else {
    vector("y (target)", event.target, label);
  }
  const lossFormula = LOSS_FORMULA[event.lossName ?? ""] ?? `L = ${event.lossName}(ŷ, y)`;
  lines.push({
    kind: "formula",
    formula: lossFormula,
    shape: "",
    values: formatExplainNumber(event.loss ?? NaN).padStart(NUMBER_WIDTH),
  });
  heading(
    compact ? "backward, last layer first (∂bˡ = δˡ)" : "backward, by the chain rule from the last layer",
  );
  for (let index = last - 1; index >= 0; index--) {
    const layer = layers[index], l = superscript(index + 1), delta = layer.delta ?? [];
    if (!compact) heading(`layer ${index + 1} · ${layer.inputs}→${layer.units} · ${layer.activation}`);
    const deltaFormula = index === last - 1
      ? outputDelta(event, layer, l)
      : `δ${l} = (W${superscript(index + 2)}ᵀ·δ${superscript(index + 2)}) ⊙ ${
        symbolOf(layer.activation)
      }'(z${l})`;
    vector(deltaFormula, delta);
    const below = aValues(index), dWFormula = `∂W${l} = δ${l}·${index === 0 ? "x" : `(${aName(index)})`}ᵀ`;
    const shape = `(${layer.units}×${layer.inputs})`;
    if (layer.dW !== undefined && layer.units <= maxUnits && layer.inputs <= maxInputs) {
      layer.dW.forEach((row, i) => {
        const wrapped = wrapCells(row.map(cell), width);
        wrapped.forEach((text, k) =>
          lines.push({
            kind: i === 0 && k === 0 ? "formula" : "more",
            formula: i === 0 && k === 0 ? dWFormula : "",
            shape: i === 0 && k === 0 ? shape : "",
            values: text,
          })
        );
      });
    } else {
      // row i of ∂W is δᵢ·aᵀ, so ‖row i‖ = |δᵢ|·‖a‖ and ‖∂W‖ = ‖δ‖·‖a‖
      const belowNorm = norm(below);
      const rows = delta.map((d) => Math.abs(d) * belowNorm);
      const order = rows.map((_, i) => i).sort((i, j) => rows[j] - rows[i] || i - j);
      const parts = order.map((i) => `  #${i} ${formatExplainNumber(rows[i])}`);
      const total = formatExplainNumber(norm(delta) * belowNorm);
      const long = `‖∂W${l}‖ = ‖δ${l}‖·‖${aName(index)}‖ = ${total}  top rows`;
      let text = long.length + (parts[0]?.length ?? 0) <= width ? long : `‖·‖ ${total}  top rows`;
      for (let k = 0; k < parts.length; k++) {
        if (k >= 1 && text.length + parts[k].length > width) break;
        text += parts[k];
      }
      lines.push({ kind: "formula", formula: dWFormula, shape, values: text });
    }
    if (!compact) vector(`∂b${l} = δ${l}`, layer.db ?? delta);
  }
  return lines;
}

/** The lines as plain text: formulas and shapes in aligned columns, the numbers after them. */
function formatExplainLines(lines: readonly ExplainLine[]): string[] {
  const rows = lines.filter((line) => line.kind !== "heading");
  const formulaWidth = Math.max(0, ...rows.map((line) => [...line.formula].length));
  const shapeWidth = Math.max(0, ...rows.map((line) => line.shape.length));
  return lines.map((line) => {
    if (line.kind === "heading") return line.formula;
    const formula = line.formula + " ".repeat(formulaWidth - [...line.formula].length);
    return `  ${formula}  ${line.shape.padEnd(shapeWidth)}  ${line.values}`.trimEnd();
  });
}

/** The width of the formula and shape columns of {@linkcode formatExplainLines}, indents included. */
function explainPrefixWidth(lines: readonly ExplainLine[]): number {
  const rows = lines.filter((line) => line.kind !== "heading");
  const formulaWidth = Math.max(0, ...rows.map((line) => [...line.formula].length));
  const shapeWidth = Math.max(0, ...rows.map((line) => line.shape.length));
  return 2 + formulaWidth + 2 + shapeWidth + 2;
}

/**
 * The explanation as plain text lines of at most about `width` columns: {@linkcode explainLines} with the numbers
 * wrapped to what the formula and shape columns leave.
 */
export function explainText(
  event: ExplainEvent,
  options: ExplainTextOptions & { width?: number } = {},
): string[] {
  const width = options.width ?? 80;
  const prefix = explainPrefixWidth(explainLines(event, { ...options, valuesWidth: 1000 }));
  return formatExplainLines(
    explainLines(event, { ...options, valuesWidth: Math.max(NUMBER_WIDTH, width - prefix) }),
  );
}
