// Golden frames of the curve panel (a one-input regression's points and prediction) alone, at the sizes it gets
// inside 80×24 and 120×40 frames.

import assert from "node:assert/strict";
import { stripEscapes } from "../../../src/ui/ansi.ts";
import { dashboardLayout } from "../../../src/ui/dashboard.ts";
import { renderCurve } from "../../../src/ui/panels/curve.ts";
import { sineRun, xorRun } from "../../fixtures/ui_events.ts";
import { fold } from "../_golden.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("curve", { render: renderCurve, slot: "curve", states: ["sine"] });

Deno.test("dashboardLayout() gives one-input regression the curve in the boundary's place, from the start event", () => {
  const started = fold(sineRun(0));
  const sine = fold(sineRun());
  const xor = fold(xorRun());
  for (const [columns, rows] of [[80, 24], [120, 40]]) {
    const options = { columns, rows, color: "none" as const };
    assert.deepEqual(dashboardLayout(started, options).curve, dashboardLayout(sine, options).curve);
    assert.equal(dashboardLayout(sine, options).boundary, undefined);
    assert.deepEqual(dashboardLayout(sine, options).curve, dashboardLayout(xor, options).boundary);
    assert.equal(dashboardLayout(xor, options).curve, undefined);
  }
});

Deno.test("renderCurve() labels the axes with the data's x range and a y range around the targets", () => {
  const lines = renderCurve(fold(sineRun()), { width: 34, height: 18, color: "none" }).map(stripEscapes);
  const text = lines.join("\n");
  assert.match(lines.at(-3)!, /-3\.14 +3\.14/);
  assert.match(lines[1], /^│1\.\d+┤/);
  assert.match(lines.at(-4)!, /^│-1\.\d+┤/);
  assert.match(text, /━ net · train × test/);
  assert.match(text, /[\u2801-\u28ff]/, "the curve is drawn in braille");
  assert.match(text, /×/, "test points show as ×");
});

Deno.test("renderCurve() draws the points alone before the first curve, and nothing without either", () => {
  const points = renderCurve(fold(sineRun(0)), { width: 34, height: 18, color: "none" }).join("\n");
  assert.doesNotMatch(points.split("\n").slice(1, -3).join("\n"), /[\u2801-\u28ff]/);
  assert.match(points, /·/);
  const empty = renderCurve(fold(xorRun()), { width: 34, height: 18, color: "none" });
  assert.equal(empty.length, 18);
  assert.ok(empty.slice(1, -1).every((line) => /^│ *│$/.test(line)));
});
