// Golden frames of the whole dashboard at fixed sizes and colour modes, and the summary.

import assert from "node:assert/strict";
import type { ColorMode } from "../../src/ui/ansi.ts";
import {
  type DashboardState,
  initialDashboardState,
  renderFrame,
  renderSummary,
} from "../../src/ui/dashboard.ts";
import {
  divergedRun,
  mnistExplain,
  mnistRun,
  sineRun,
  xorEarlyStopEnd,
  xorEpoch,
  xorExplain,
  xorPausedRun,
  xorRun,
  xorStart,
} from "../fixtures/ui_events.ts";
import { assertFits as fits, assertGolden as golden, fold } from "./_golden.ts";
import { rewoundXor } from "./_rewind.ts";

const SNAPSHOTS = new URL("./__snapshots__/", import.meta.url);

/** Compares `frame` with the golden file `<name>.txt`. */
function assertGolden(name: string, frame: string): Promise<void> {
  return golden(new URL(`${name}.txt`, SNAPSHOTS), frame);
}

function assertFits(frame: string, columns: number, rows: number, color: ColorMode): void {
  fits(frame, { columns, rows, color });
}

const CASES: { name: string; state: () => DashboardState }[] = [
  { name: "xor", state: () => fold(xorRun()) },
  // one-input regression part way: the Curve panel in the boundary's place
  { name: "sine", state: () => fold(sineRun(12)) },
  { name: "mnist", state: () => fold([...mnistRun(), { type: "select_layer", delta: 1 }]) },
  { name: "paused", state: () => fold(xorPausedRun()) },
  { name: "diverged", state: () => fold([...divergedRun(), { type: "toggle_log" }]) },
  {
    name: "explain",
    state: () =>
      fold([
        ...xorPausedRun(),
        { type: "explain_toggle", open: true },
        { type: "explain_sample", sample: 1 },
        xorExplain(),
      ]),
  },
  {
    name: "explain-scrolled",
    state: () =>
      fold([
        ...mnistRun(),
        { type: "explain_toggle", open: true },
        { type: "explain_sample", sample: 1234 },
        mnistExplain(),
        { type: "explain_scroll", delta: 4 },
      ]),
  },
  // looking back at epoch 20 of 50: "rewind · epoch 20" in the header, a cursor in the loss chart
  { name: "rewind", state: () => rewoundXor(20) },
];
const SIZES: [number, number][] = [[80, 24], [120, 40]];
const COLORS: ColorMode[] = ["none", "256", "truecolor"];

for (const { name, state } of CASES) {
  for (const [columns, rows] of SIZES) {
    for (const color of COLORS) {
      // Every combination is checked for fit; goldens are kept for no colour everywhere and one colour mode each.
      const golden = color === "none" || (color === "256" && columns === 80) ||
        (color === "truecolor" && columns === 120);
      Deno.test(`renderFrame() draws ${name} at ${columns}×${rows} (${color})${golden ? " matching the golden frame" : ""}`, async () => {
        const frame = renderFrame(state(), { columns, rows, color });
        assertFits(frame, columns, rows, color);
        if (golden) await assertGolden(`${name}.${columns}x${rows}.${color}`, frame);
      });
    }
  }
}

Deno.test("renderFrame() shows the help overlay over the dashboard", async () => {
  const state = fold([...xorPausedRun(), { type: "toggle_help" }]);
  const frame = renderFrame(state, { columns: 80, rows: 24, color: "none" });
  assertFits(frame, 80, 24, "none");
  assert.match(frame, /double \/ halve the learning rate/);
  await assertGolden("help.80x24.none", frame);
});

Deno.test("renderFrame() before the first event shows an empty dashboard", async () => {
  const frame = renderFrame(initialDashboardState(), { columns: 80, rows: 24, color: "none" });
  assertFits(frame, 80, 24, "none");
  assert.equal(frame.split("\n").length, 24);
  await assertGolden("waiting.80x24.none", frame);
});

Deno.test("renderFrame() in a terminal smaller than 80×24 says so", () => {
  const frame = renderFrame(fold(xorRun()), { columns: 60, rows: 20, color: "256" });
  assert.equal(frame.split("\n")[0], "Terminal too small: need 80×24, have 60×20");
  assertFits(frame, 60, 20, "none");
  const tiny = renderFrame(fold(xorRun()), { columns: 10, rows: 1, color: "none" });
  assertFits(tiny, 10, 1, "none");
});

Deno.test("renderFrame() fits every size from 80×24 to 200×60", () => {
  const states = [
    fold(xorRun()),
    fold(mnistRun()),
    fold(divergedRun()),
    fold(sineRun()),
    initialDashboardState(),
  ];
  for (const state of states) {
    for (const [columns, rows] of [[80, 24], [81, 25], [99, 30], [110, 34], [133, 41], [200, 60]]) {
      for (const color of ["none", "truecolor"] as const) {
        const frame = renderFrame(state, { columns, rows, color });
        assertFits(frame, columns, rows, color === "none" ? "none" : frame.includes("\x1b") ? color : "none");
      }
    }
  }
});

Deno.test("renderFrame() is pure: the same state gives the same frame", () => {
  const state = fold(xorRun());
  const options = { columns: 120, rows: 40, color: "truecolor" as const };
  assert.equal(renderFrame(state, options), renderFrame(state, options));
});

Deno.test("renderSummary() lists final losses, accuracy, best epoch and the saved model", () => {
  const state = fold([
    ...xorRun(50),
    { type: "end", reason: "quit", epoch: 50, message: "Stopped by the user" },
    { type: "model_saved", path: "runs/xor/model.json" },
  ]);
  const summary = renderSummary(state);
  assert.ok(!summary.includes("\x1b"));
  assert.match(summary, /^termnet · xor: quit at epoch 50\/500/);
  assert.match(summary, /train loss 0\.04\d+ {3}test loss 0\.06\d+/);
  assert.match(summary, /accuracy {3}train 99\.7% {3}test 97\.5%/);
  assert.match(summary, /best test loss .* at epoch \d+/);
  assert.match(summary, /model saved to runs\/xor\/model\.json/);
});

Deno.test("renderSummary() gives the restored epoch's figures after early stopping restored it", () => {
  const state = fold([
    ...xorRun(50),
    xorEarlyStopEnd(),
    { type: "model_saved", path: "runs/xor/model.json" },
  ]);
  const summary = renderSummary(state);
  // the saved weights are epoch 30's: their figures, not the last epoch's (test 97.5% at epoch 50)
  assert.match(summary, /train loss 0\.0456 {3}test loss 0\.0123 {3}\(epoch 30, the weights kept\)/);
  assert.match(summary, /accuracy {3}train 99\.5% {3}test 100\.0%/);
  assert.doesNotMatch(summary, /97\.5%/);
});

Deno.test("renderFrame() shows the batch reached in a long epoch, and drops it when the epoch is done", async (t) => {
  const progress = (epoch: number, batch: number, elapsedSeconds: number) => ({
    type: "progress" as const,
    epoch,
    epochs: 30,
    batch,
    batches: 469,
    samplesPerSecond: 31000,
    elapsedSeconds,
  });
  await t.step("before the first epoch ends: the batch counter on the waiting screen", async () => {
    const state = fold([mnistRun()[0], progress(1, 312, 0.6)]);
    const frame = renderFrame(state, { columns: 80, rows: 24, color: "none" });
    assertFits(frame, 80, 24, "none");
    assert.match(
      frame.split("\n")[1],
      /batch 312\/469 ▰▰▰▰▰▱▱▱ · elapsed 0:01 · eta 0:26 · 31k samples\/s · lr/,
    );
    await assertGolden("progress-first.80x24.none", frame);
  });
  await t.step("in epoch 21 of 30: batch, live elapsed time and throughput", async () => {
    const state = fold([...mnistRun(), progress(21, 117, 57.5)]);
    for (const color of ["none", "256"] as const) {
      const frame = renderFrame(state, { columns: 80, rows: 24, color });
      assertFits(frame, 80, 24, color);
      await assertGolden(`progress.80x24.${color}`, frame);
    }
    const wide = renderFrame(state, { columns: 120, rows: 40, color: "none" });
    assert.match(wide.split("\n")[1], /^ epoch 21 batch 117\/469 ▰▰▱▱▱▱▱▱ · elapsed 0:58 · eta 0:28 · /);
  });
  await t.step("the epoch's event ends it", () => {
    const events = mnistRun();
    const state = fold([...events.slice(0, -1), progress(20, 400, 55), events[events.length - 1]]);
    assert.equal(state.progress, undefined);
    assert.doesNotMatch(renderFrame(state, { columns: 80, rows: 24, color: "none" }), /batch \d+\/469/);
  });
});

Deno.test("renderSummary() says nothing about saving when no epoch was completed (the caller's one line does)", () => {
  const quit = fold([
    mnistRun()[0],
    { type: "end", reason: "quit", epoch: 0, message: "Stopped by the user before the first epoch ended" },
  ]);
  assert.deepEqual(renderSummary(quit).split("\n"), [
    "termnet · fashion-mnist: quit at epoch 0/30 (0:00)",
    "  Stopped by the user before the first epoch ended",
  ]);
  // after an epoch, unsaved is said
  assert.match(renderSummary(fold([xorStart(), xorEpoch(1)])), /^ {2}model not saved$/m);
});

Deno.test("renderFrame() paused in an epoch fits s's answer at 80 columns: the hint shortens to 'paused'", async (t) => {
  const paused = [
    ...xorRun(50),
    { type: "state" as const, paused: true, epoch: 51, batch: 2, batches: 4 },
  ];
  await t.step("saved", async () => {
    const state = fold([...paused, {
      type: "saved",
      path: "runs/fashion-mnist-sample/model.json",
      epoch: 50,
    }]);
    const frame = renderFrame(state, { columns: 80, rows: 24, color: "none" });
    assertFits(frame, 80, 24, "none");
    assert.equal(
      frame.split("\n")[22],
      " paused   › Checkpoint saved to runs/fashion-mnist-sample/model.json",
    );
    await assertGolden("paused-saved.80x24.none", frame);
  });
  await t.step("nothing to save yet", () => {
    const state = fold([
      ...paused,
      { type: "save_failed", message: "Nothing to save yet: no epoch was completed" },
    ]);
    const line = renderFrame(state, { columns: 80, rows: 24, color: "none" }).split("\n")[22];
    assert.equal(line, " paused   › Nothing to save yet: no epoch was completed");
  });
  await t.step("with room, the whole hint stays", () => {
    const state = fold([...paused, { type: "saved", path: "runs/x/model.json", epoch: 50 }]);
    const line = renderFrame(state, { columns: 120, rows: 40, color: "none" }).split("\n")[38];
    assert.equal(
      line,
      " paused: space resumes, n finishes the epoch   › Checkpoint saved to runs/x/model.json",
    );
  });
});
