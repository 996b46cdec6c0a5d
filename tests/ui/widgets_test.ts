// The widgets and the escape helpers: widths, shading without colour, and scales.

import assert from "node:assert/strict";
import { fg, rgbTo256, sliceWidth, stripEscapes, truncate, visibleWidth } from "../../src/ui/ansi.ts";
import {
  boundaryPlot,
  divergingColor,
  formatDuration,
  formatNumber,
  heatStrip,
  histogramChart,
  lineChart,
  NEGATIVE,
  networkDiagram,
  NEUTRAL,
  panel,
  POSITIVE,
  progressBar,
  sequentialColor,
  sparkline,
} from "../../src/ui/widgets.ts";

Deno.test("visibleWidth() ignores escapes and counts wide characters twice", () => {
  assert.equal(visibleWidth(`${fg([255, 0, 0], "truecolor")}ab\x1b[0m`), 2);
  assert.equal(visibleWidth("⣿▀█░"), 4);
  assert.equal(visibleWidth("日本"), 4);
});

Deno.test("truncate() and sliceWidth() keep colours and cut by visible cells", () => {
  const red = `\x1b[31mabcdef\x1b[0m`;
  assert.equal(stripEscapes(truncate(red, 4)), "abc…");
  assert.equal(visibleWidth(truncate(red, 4)), 4);
  assert.equal(stripEscapes(sliceWidth(red, 2, 4)), "cd");
  assert.ok(sliceWidth(red, 2, 4).startsWith("\x1b[31m"));
  assert.equal(truncate("short", 10), "short");
});

Deno.test("rgbTo256() maps greys to the ramp and colours to the cube", () => {
  assert.equal(rgbTo256([0, 0, 0]), 16);
  assert.equal(rgbTo256([255, 255, 255]), 231);
  assert.equal(rgbTo256([255, 0, 0]), 196);
  assert.ok(rgbTo256([128, 128, 128]) >= 232);
});

Deno.test("divergingColor() and sequentialColor() span their scales", () => {
  assert.deepEqual(divergingColor(-1), NEGATIVE);
  assert.deepEqual(divergingColor(0), NEUTRAL);
  assert.deepEqual(divergingColor(1), POSITIVE);
  assert.deepEqual(divergingColor(5), POSITIVE);
  assert.deepEqual(sequentialColor(0), [68, 1, 84]);
  assert.deepEqual(sequentialColor(1), [253, 231, 37]);
});

Deno.test("formatNumber() fits the width", () => {
  for (const value of [0.000012345, 0.012345, 1.5, 123456789, -0.5, 1e-12, NaN, Infinity]) {
    assert.ok(formatNumber(value, 6).length <= 6, `${value} → ${formatNumber(value, 6)}`);
  }
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(1.2e-5), "1.2e-5");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(65), "1:05");
});

Deno.test("sparkline() averages long series into the width and marks non-finite values", () => {
  const line = sparkline(Array.from({ length: 100 }, (_, i) => i), { width: 10 });
  assert.equal(line.length, 10);
  assert.equal(line[0], "▁");
  assert.equal(line[9], "█");
  assert.equal(sparkline([1, Infinity, 2], { width: 3 }), "▁×█");
});

Deno.test("progressBar() fills with eighths", () => {
  assert.equal(progressBar(0, { width: 4, color: "none" }), "░░░░");
  assert.equal(progressBar(1, { width: 4, color: "none" }), "████");
  assert.equal(progressBar(0.5 + 1 / 32, { width: 4, color: "none" }), "██▏░");
});

Deno.test("lineChart() draws braille within the width and height", () => {
  const lines = lineChart([{ values: [3, 2, 1, 0.5, 0.25], rgb: POSITIVE }], {
    width: 30,
    height: 6,
    color: "none",
  });
  assert.equal(lines.length, 6);
  for (const line of lines) assert.equal(visibleWidth(line), 30);
  assert.ok(lines[0].startsWith("     3┤"));
  assert.ok(lines.join("").match(/[\u2801-\u28ff]/));
  const log = lineChart([{ values: [100, 10, 1], rgb: POSITIVE }], {
    width: 20,
    height: 4,
    color: "none",
    log: true,
  });
  assert.ok(log[0].startsWith("   100┤"));
  assert.ok(log[3].startsWith("     1┤"));
});

Deno.test("heatStrip() shades with glyphs without colour and paints cells with colour", () => {
  assert.equal(heatStrip([0, 2, 4], { width: 3, color: "none" }), " ▒█");
  const colored = heatStrip([0, 2, 4], { width: 3, color: "256" });
  assert.equal(stripEscapes(colored), "███");
  assert.ok(colored.includes("\x1b[38;5;"));
});

Deno.test("histogramChart() draws bars and a labelled range", () => {
  const lines = histogramChart({ min: -1, max: 1, counts: [0, 1, 4, 1, 0] }, {
    width: 15,
    height: 3,
    color: "none",
  });
  assert.equal(lines.length, 4);
  for (const line of lines) assert.equal(visibleWidth(line), 15);
  assert.ok(lines[0].includes("█"));
  assert.match(lines[3], /^-1 +0 +1$/);
});

Deno.test("boundaryPlot() uses half blocks with colour and o/x marks without", () => {
  const data = {
    width: 2,
    height: 2,
    xRange: [0, 1] as [number, number],
    yRange: [0, 1] as [number, number],
    values: [0, 1, 0, 1],
    classes: 2,
    points: [{ x: 0, y: 1, label: 0 }, { x: 1, y: 0, label: 1 }],
  };
  const plain = boundaryPlot(data, { width: 4, height: 2, color: "none" });
  assert.equal(plain.length, 2);
  assert.equal(plain[0][0], "o");
  assert.equal(plain[1][3], "x");
  const colored = boundaryPlot(data, { width: 4, height: 2, color: "truecolor" });
  assert.equal(stripEscapes(colored[0]), "▀▀▀▀");
  assert.ok(colored[0].includes("\x1b[48;2;"));
});

Deno.test("networkDiagram() draws every neuron of a small network and its labels", () => {
  const lines = networkDiagram([
    { label: "in 2", units: 2 },
    {
      label: "L1 3",
      sublabel: "tanh",
      units: 3,
      values: [0, 0.5, 1],
      weights: [[1, -1], [0.5, 0.2], [-1, 1]],
    },
    { label: "out 1", sublabel: "sigmoid", units: 1, values: [1], weights: [[1, -1, 0.5]] },
  ], { width: 30, height: 10, color: "none", selected: 1 });
  assert.equal(lines.length, 10);
  const text = lines.join("\n");
  assert.equal((text.match(/\[[ ░▒▓█·]\]/g) ?? []).length, 6);
  assert.match(lines[8], /in 2 .*▸L1 3 .*out 1/);
  assert.match(text, /[\u2801-\u28ff]/);
  for (const line of lines) assert.ok(visibleWidth(line) <= 30);
});

Deno.test("networkDiagram() never cuts a unit count to fit the selection mark", () => {
  // 26 cells for 4 columns: "L1 16" fits a 6-cell slot, "▸L1 16" does not; the labels fall back to unit counts.
  const columns = [
    { label: "in 1", units: 1 },
    { label: "L1 16", sublabel: "tanh", units: 16 },
    { label: "L2 16", sublabel: "tanh", units: 16 },
    { label: "out 1", sublabel: "linear", units: 1 },
  ];
  const lines = networkDiagram(columns, { width: 26, height: 12, color: "none", selected: 1 });
  const labels = lines[10].trim().split(/\s+/);
  assert.deepEqual(labels, ["1", "▸16", "16", "1"]);
  const colored = networkDiagram(columns, { width: 26, height: 12, color: "truecolor", selected: 1 });
  assert.match(stripEscapes(colored[10]), /in 1 .*L1 16 .*L2 16 .*out 1/);
});

Deno.test("panel() frames content and pads it", () => {
  const lines = panel("Loss", ["a", "bbbbbbbbbbbbbbb"], { width: 10, height: 4, color: "none" });
  assert.deepEqual(lines, ["┌ Loss ──┐", "│a       │", "│bbbbbbb…│", "└────────┘"]);
});
