// Tests of the explain text: number format, superscripts, full and compact lines, wide layers, one-hot targets.

import assert from "node:assert/strict";
import { explainLines, explainText, formatExplainNumber, superscript } from "../../src/ui/explain_text.ts";
import { mnistExplain, xorExplain } from "../fixtures/ui_events.ts";

Deno.test("formatExplainNumber() keeps every number within 8 characters", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [1, "1"],
    [-12, "-12"],
    [0.123456, "0.1235"],
    [-9.99994, "-9.9999"],
    [12.345, "12.35"],
    [1234.5, "1235"],
    [0.000123, "1.23e-4"],
    [-4.4e-21, "-4.40e-21"],
    [123456.7, "1.23e5"],
  ];
  for (const [value, text] of cases) assert.equal(formatExplainNumber(value), text);
  assert.equal(superscript(12), "¹²");
});

Deno.test("explainLines() lists the tutorial's steps in order, forward then backward", () => {
  const formulas = explainLines(xorExplain()).filter((l) => l.kind === "formula").map((l) => l.formula);
  assert.deepEqual(formulas, [
    "x = a⁰",
    "z¹ = W¹·x + b¹",
    "a¹ = σ(z¹)",
    "z² = W²·a¹ + b²",
    "a² = σ(z²)",
    "z³ = W³·a² + b³",
    "ŷ = a³ = σ(z³)",
    "y (target)",
    "L = 1/K·Σ(ŷ − y)²",
    "δ³ = ∂L/∂ŷ ⊙ σ'(z³)",
    "∂W³ = δ³·(a²)ᵀ",
    "∂b³ = δ³",
    "δ² = (W³ᵀ·δ³) ⊙ σ'(z²)",
    "∂W² = δ²·(a¹)ᵀ",
    "∂b² = δ²",
    "δ¹ = (W²ᵀ·δ²) ⊙ σ'(z¹)",
    "∂W¹ = δ¹·xᵀ",
    "∂b¹ = δ¹",
  ]);
  const compact = explainLines(xorExplain(), { compact: true });
  assert.ok(compact.every((l) => !l.formula.startsWith("∂b") && !l.formula.startsWith("layer")));
  assert.ok(compact.some((l) => l.formula === "backward, last layer first (∂bˡ = δˡ)"));
});

Deno.test("explainLines() gives norms and the largest units for wide layers and names a one-hot class", () => {
  const lines = explainLines(mnistExplain(), { valuesWidth: 60 });
  const line = (formula: string) => lines.find((l) => l.formula === formula)!;
  assert.match(line("z¹ = W¹·x + b¹").values, /^‖·‖ \d+\.\d{4} {2}top {2}#\d+ -?\d/);
  assert.match(line("∂W¹ = δ¹·xᵀ").values, /^‖∂W¹‖ = ‖δ¹‖·‖x‖ = \S+ {2}top rows {2}#\d+ /);
  assert.equal(line("y (target)").values, `one-hot #7  "Sneaker"`);
  for (const l of lines) assert.ok(l.values.length <= 60, `too wide: ${l.values}`);
});

Deno.test("explainText() aligns the columns and wraps the numbers to the width", () => {
  const text = explainText(mnistExplain(), { width: 80 });
  for (const line of text) assert.ok([...line].length <= 80, `too wide: ${line}`);
  const at = (prefix: string) =>
    text.find((line) => line.trimStart().startsWith(prefix))!.search(/\(\d+(×\d+)?\)/);
  assert.equal(at("z¹ ="), at("δ¹ ="), "the shapes start in one column");
});
