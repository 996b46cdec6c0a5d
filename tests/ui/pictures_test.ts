// Golden frames of the pictures of the data and of the errors (samples, confusion, filters) and the `v` views.

import assert from "node:assert/strict";
import { type ColorMode, stripEscapes } from "../../src/ui/ansi.ts";
import { availableViews, type DashboardState, renderFrame } from "../../src/ui/dashboard.ts";
import { keyOutcome } from "../../src/ui/keys.ts";
import { renderConfusion } from "../../src/ui/panels/confusion.ts";
import { renderFilters, signedGlyph } from "../../src/ui/panels/filters.ts";
import { renderSamples } from "../../src/ui/panels/samples.ts";
import { reduceDashboard } from "../../src/ui/state.ts";
import { tileScale } from "../../src/ui/widgets/tiles.ts";
import { fashionPicturesRun, irisRun, mnistRun, xorRun } from "../fixtures/ui_events.ts";
import { assertFits, assertGolden, fold } from "./_golden.ts";
import type { StartEvent } from "../../src/train/events.ts";

const SNAPSHOTS = new URL("./__snapshots__/", import.meta.url);

/** The state after pressing `v` `times` times. */
function cycled(state: DashboardState, times: number): DashboardState {
  for (let i = 0; i < times; i++) state = reduceDashboard(state, keyOutcome("v", state).action!);
  return state;
}

const CASES: { name: string; state: () => DashboardState; sizes: [number, number][] }[] = [
  { name: "fashion.pictures", state: () => fold(fashionPicturesRun()), sizes: [[120, 40]] },
  { name: "fashion.samples", state: () => cycled(fold(fashionPicturesRun()), 1), sizes: [[80, 24]] },
  { name: "fashion.confusion", state: () => cycled(fold(fashionPicturesRun()), 2), sizes: [[80, 24]] },
  { name: "fashion.filters", state: () => cycled(fold(fashionPicturesRun()), 3), sizes: [[80, 24]] },
  { name: "iris.confusion", state: () => cycled(fold(irisRun()), 1), sizes: [[80, 24], [120, 40]] },
];
const COLORS: ColorMode[] = ["none", "truecolor"];

for (const { name, state, sizes } of CASES) {
  for (const [columns, rows] of sizes) {
    for (const color of COLORS) {
      Deno.test(`renderFrame() draws ${name} at ${columns}×${rows} (${color}) matching the golden frame`, async () => {
        const frame = renderFrame(state(), { columns, rows, color });
        assertFits(frame, { columns, rows, color });
        await assertGolden(new URL(`${name}.${columns}x${rows}.${color}.txt`, SNAPSHOTS), frame);
      });
    }
  }
}

Deno.test("availableViews() offers the pictures for image data and the confusion matrix for classifiers", () => {
  assert.deepEqual(availableViews(fold(fashionPicturesRun())), [
    "network",
    "samples",
    "confusion",
    "filters",
  ]);
  assert.deepEqual(availableViews(fold(irisRun())), ["network", "confusion"]);
  assert.deepEqual(availableViews(fold(xorRun())), ["network", "confusion"]);
  const regression = fold([{ ...irisRun()[0], task: "regression", classNames: undefined } as never]);
  assert.deepEqual(availableViews(regression), ["network"]);
});

Deno.test("v cycles the views back to the network, at any status", () => {
  const state = fold(fashionPicturesRun());
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => cycled(state, n).view),
    ["samples", "confusion", "filters", "network"],
  );
  const ended = fold([...irisRun(), { type: "end", reason: "done", epoch: 40, message: "" }]);
  assert.equal(cycled(ended, 1).view, "confusion");
  assert.equal(cycled(ended, 2).view, "network");
  // a restart keeps the view
  assert.equal(reduceDashboard(cycled(ended, 1), irisRun()[0]).view, "confusion");
});

Deno.test("renderFrame() at 80×24 shows the chosen view in the network's place; 2-D data keep the boundary", () => {
  const xor = cycled(fold(xorRun()), 1);
  const frame = stripEscapes(renderFrame(xor, { columns: 80, rows: 24, color: "none" }));
  assert.match(frame, /┌ Confusion/);
  assert.match(frame, /┌ Output/);
  assert.doesNotMatch(frame, /┌ Network/);
});

Deno.test("the pictures keep the last values sent while epochs leave them out", () => {
  const events = fashionPicturesRun();
  const last = events.findLast((e) => e.type === "epoch")!;
  const bare = { ...last, epoch: 21, samplePredictions: undefined, confusion: undefined, filters: undefined };
  const state = fold([...events, bare]);
  assert.equal(state.latest?.epoch, 21);
  assert.ok(
    state.samplePredictions !== undefined && state.confusion !== undefined && state.filters !== undefined,
  );
});

Deno.test("renderSamples() labels each image with its predicted class, ✓ right and ✗ wrong", () => {
  const state = fold(fashionPicturesRun());
  const lines = renderSamples(state, { width: 40, height: 16, color: "none" }).join("\n");
  assert.match(lines, /Samples \(test\) 4\/6 right/);
  assert.match(lines, /✓Ankle bo…/);
  assert.match(lines, /✗Coat/);
  // colour: right in green, wrong in red
  const colored = renderSamples(state, { width: 40, height: 16, color: "truecolor" }).join("\n");
  assert.ok(colored.includes("\x1b[38;2;80;200;120m✓Trouser"), "a right answer in green");
  assert.ok(colored.includes("\x1b[38;2;235;80;80m✗Coat"), "a wrong answer in red");
});

Deno.test("renderSamples() before the first prediction names the true classes, dimmed", () => {
  const start = fashionPicturesRun()[0];
  const lines = renderSamples(fold([start]), { width: 40, height: 16, color: "none" }).join("\n");
  assert.match(lines, /┌ Samples \(test\) ─/);
  assert.match(lines, /·Ankle bo…/);
});

Deno.test("renderSamples() and renderFilters() say so when the data are not images", () => {
  const state = fold(mnistRun());
  assert.match(
    renderSamples(state, { width: 40, height: 10, color: "none" }).join(),
    /no images in this data/,
  );
  assert.match(
    renderFilters(state, { width: 40, height: 10, color: "none" }).join(),
    /no images in this data/,
  );
});

Deno.test("renderConfusion() draws 20 classes as a heat image when the numbers do not fit", () => {
  const counts = Array.from(
    { length: 20 },
    (_, a) => Array.from({ length: 20 }, (_, p) => (a === p ? 9 : 1)),
  );
  const classNames = counts.map((_, c) => `class ${c}`);
  const state = fold([{ ...irisRun()[0] as StartEvent, classNames }, {
    ...irisRun()[1],
    confusion: { split: "test", counts },
  } as never]);
  for (const color of ["none", "truecolor"] as const) {
    const lines = renderConfusion(state, { width: 40, height: 14, color });
    assertFits(lines.join("\n"), { columns: 40, rows: 14, color });
    assert.match(stripEscapes(lines.join("\n")), /rows actual, columns predicted/);
  }
  const wide = stripEscapes(renderConfusion(state, { width: 100, height: 30, color: "none" }).join("\n"));
  assert.match(wide, /19 class 19 +4 +4 .* 32 +│/);
});

Deno.test("renderConfusion() waits for the first matrix", () => {
  const state = fold([irisRun()[0]]);
  assert.match(renderConfusion(state, { width: 40, height: 10, color: "none" }).join(), /waiting/);
});

Deno.test("signedGlyph() tells the sign apart without colour", () => {
  assert.deepEqual([-1, -0.5, 0, 0.5, 1].map(signedGlyph), ["=", "-", " ", "+", "#"]);
});

Deno.test("tileScale() shrinks images until enough fit", async (t) => {
  await t.step("full size when there is room", () => {
    const scale = tileScale({ width: 120, height: 32, imageHeight: 28, imageWidth: 28, count: 8 });
    assert.deepEqual([scale.factor, scale.shown], [1, 8]);
  });
  await t.step("the 3×3 mean in the 80×24 view", () => {
    const scale = tileScale({ width: 38, height: 12, imageHeight: 28, imageWidth: 28, count: 32 });
    assert.deepEqual([scale.factor, scale.tileWidth, scale.tileHeight, scale.shown], [3, 10, 5, 6]);
  });
  await t.step("as many as fit at the smallest scale", () => {
    const scale = tileScale({ width: 10, height: 4, imageHeight: 28, imageWidth: 28, count: 32 });
    assert.deepEqual([scale.factor, scale.perRow, scale.shown], [7, 2, 2]);
  });
});

Deno.test("renderFrame() with pictures fits every size from 80×24 to 200×60", () => {
  const states = [fold(fashionPicturesRun()), fold([fashionPicturesRun()[0]]), cycled(fold(irisRun()), 1)];
  for (const state of states) {
    for (const view of [0, 1, 2, 3]) {
      for (const [columns, rows] of [[80, 24], [99, 30], [110, 34], [120, 40], [133, 41], [200, 60]]) {
        for (const color of ["none", "truecolor"] as const) {
          const frame = renderFrame(cycled(state, view), { columns, rows, color });
          assertFits(frame, { columns, rows, color });
        }
      }
    }
  }
});
