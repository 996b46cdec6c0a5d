// Golden frames of the dashboard at fixed sizes and colour modes, plus reducer behaviour.

import assert from "node:assert/strict";
import { stripEscapes, visibleWidth } from "../../src/ui/ansi.ts";
import {
  appendSample,
  type DashboardInput,
  type DashboardState,
  foldEpochs,
  HISTORY_CAPACITY,
  initialDashboardState,
  reduceDashboard,
  renderFrame,
  renderSummary,
} from "../../src/ui/dashboard.ts";
import type { ColorMode } from "../../src/ui/ansi.ts";
import type { EpochEvent } from "../../src/train/events.ts";
import { divergedRun, mnistRun, xorEpoch, xorPausedRun, xorRun, xorStart } from "../fixtures/ui_events.ts";

const SNAPSHOTS = new URL("./__snapshots__/", import.meta.url);

function updating(): boolean {
  try {
    return Deno.env.get("UPDATE_GOLDEN") === "1";
  } catch {
    return false;
  }
}

function fold(inputs: readonly DashboardInput[], start = initialDashboardState()): DashboardState {
  return inputs.reduce(reduceDashboard, start);
}

/** Compares `frame` with the committed golden file, or rewrites it when UPDATE_GOLDEN=1. */
async function assertGolden(name: string, frame: string): Promise<void> {
  const url = new URL(`${name}.txt`, SNAPSHOTS);
  if (updating()) {
    await Deno.writeTextFile(url, frame + "\n");
    return;
  }
  let golden: string;
  try {
    golden = await Deno.readTextFile(url);
  } catch {
    throw new Error(
      `Cannot read golden frame "${name}.txt": run the tests with UPDATE_GOLDEN=1 to create it`,
    );
  }
  assert.equal(frame, golden.replace(/\n$/, ""), `Frame "${name}" differs from its golden file`);
}

function assertFits(frame: string, columns: number, rows: number, color: ColorMode): void {
  const lines = frame.split("\n");
  assert.ok(lines.length <= rows, `${lines.length} lines exceed ${rows} rows`);
  lines.forEach((line, i) => {
    assert.ok(
      visibleWidth(line) <= columns,
      `line ${i} is ${visibleWidth(line)} wide: ${stripEscapes(line)}`,
    );
  });
  if (color === "none") assert.ok(!frame.includes("\x1b"), "a NO_COLOR frame contains an escape byte");
  else assert.ok(frame.includes("\x1b["), "a colour frame has no escapes");
}

const CASES: { name: string; state: () => DashboardState }[] = [
  { name: "xor", state: () => fold(xorRun()) },
  { name: "mnist", state: () => fold([...mnistRun(), { type: "select_layer", delta: 1 }]) },
  { name: "paused", state: () => fold(xorPausedRun()) },
  { name: "diverged", state: () => fold([...divergedRun(), { type: "toggle_log" }]) },
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
  const states = [fold(xorRun()), fold(mnistRun()), fold(divergedRun()), initialDashboardState()];
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

Deno.test("reduceDashboard() keeps the loss history and the best epoch", () => {
  const state = fold(xorRun(50));
  assert.equal(state.status, "running");
  assert.equal(state.latest?.epoch, 50);
  assert.equal(state.trainLoss.values.length, 50);
  assert.equal(state.testLoss.values.length, 50);
  assert.equal(state.gradientNorms.length, 3);
  assert.equal(state.best?.split, "test");
  const testLosses = xorRun(50).flatMap((e) => (e.type === "epoch" ? [e.testLoss!] : []));
  assert.equal(state.best?.loss, Math.min(...testLosses));
  assert.equal(state.best?.epoch, testLosses.indexOf(Math.min(...testLosses)) + 1);
});

Deno.test("reduceDashboard() follows pause, step and resume", async (t) => {
  const running = fold(xorRun(3));
  await t.step("pausing shows feedback until the trainer answers", () => {
    const asked = reduceDashboard(running, { type: "command_sent", command: { type: "pause" } });
    assert.equal(asked.pending, "pausing…");
    const paused = reduceDashboard(asked, { type: "state", paused: true });
    assert.equal(paused.status, "paused");
    assert.equal(paused.pending, undefined);
  });
  await t.step("a step clears its feedback on the next epoch", () => {
    const paused = reduceDashboard(running, { type: "state", paused: true });
    const stepping = reduceDashboard(paused, { type: "command_sent", command: { type: "step" } });
    assert.match(stepping.pending ?? "", /stepping/);
    const stepped = reduceDashboard(stepping, xorEpoch(4));
    assert.equal(stepped.pending, undefined);
    assert.equal(stepped.status, "paused");
  });
});

Deno.test("reduceDashboard() tracks a requested learning rate until it takes effect", () => {
  const running = fold(xorRun(3));
  const asked = reduceDashboard(running, {
    type: "command_sent",
    command: { type: "set_learning_rate", value: 0.06 },
  });
  assert.equal(asked.requestedLearningRate, 0.06);
  assert.equal(asked.learningRate, 0.03);
  const applied = reduceDashboard(asked, xorEpoch(4, { learningRate: 0.06 }));
  assert.equal(applied.requestedLearningRate, undefined);
  assert.equal(applied.learningRate, 0.06);
});

Deno.test("reduceDashboard() shows a new learning rate as soon as the trainer confirms it", () => {
  const paused = fold(xorPausedRun());
  const asked = [0.06, 0.12].reduce(
    (state, value) =>
      reduceDashboard(state, { type: "command_sent", command: { type: "set_learning_rate", value } }),
    paused,
  );
  const header = (state: DashboardState) =>
    renderFrame(state, { columns: 80, rows: 24, color: "none" }).split("\n")[1];
  assert.match(header(asked), /lr 0\.03→0\.12/);
  const first = reduceDashboard(asked, { type: "notice", message: "Learning rate set to 0.06" });
  assert.equal(first.learningRate, 0.06);
  assert.equal(first.requestedLearningRate, 0.12, "a later request stays pending");
  const second = reduceDashboard(first, { type: "notice", message: "Learning rate set to 0.12" });
  assert.equal(second.learningRate, 0.12);
  assert.equal(second.requestedLearningRate, undefined);
  assert.equal(second.pending, undefined);
  assert.equal(second.status, "paused");
  assert.match(header(second), /lr 0\.12 /);
  assert.doesNotMatch(header(second), /→/);
  const other = reduceDashboard(second, { type: "notice", message: "Learning rate set to nothing" });
  assert.equal(other.learningRate, 0.12, "a notice without a rate changes nothing");
});

Deno.test("reduceDashboard() takes the saved path from a notice or an action", () => {
  const fromNotice = fold([xorStart(), { type: "notice", message: "Saved model to runs/xor/model.json" }]);
  assert.equal(fromNotice.savedPath, "runs/xor/model.json");
  const fromAction = reduceDashboard(fromNotice, { type: "model_saved", path: "out/final.json" });
  assert.equal(fromAction.savedPath, "out/final.json");
  const checkpoint = fold(xorRun(2));
  assert.equal(checkpoint.savedPath, "runs/xor/checkpoint-50.json");
});

Deno.test("reduceDashboard() selects layers cyclically and toggles views", () => {
  let state = fold(xorRun(2));
  state = reduceDashboard(state, { type: "select_layer", delta: -1 });
  assert.equal(state.selectedLayer, 2);
  state = reduceDashboard(state, { type: "select_layer", delta: 1 });
  assert.equal(state.selectedLayer, 0);
  state = reduceDashboard(state, { type: "toggle_log" });
  assert.equal(state.logScale, true);
  state = reduceDashboard(state, { type: "toggle_help" });
  assert.equal(state.help, true);
});

Deno.test("reduceDashboard() starts over on a new start event but keeps view settings", () => {
  let state = fold([...xorRun(10), { type: "toggle_log" }, { type: "select_layer", delta: 1 }]);
  state = reduceDashboard(state, xorStart());
  assert.equal(state.trainLoss.values.length, 0);
  assert.equal(state.best, undefined);
  assert.equal(state.logScale, true);
  assert.equal(state.selectedLayer, 1);
});

Deno.test("reduceDashboard() records why training ended", () => {
  const state = fold(divergedRun());
  assert.equal(state.status, "ended");
  assert.equal(state.end?.reason, "diverged");
  assert.match(renderSummary(state), /diverged at epoch 14\/500/);
});

Deno.test("appendSample() keeps at most HISTORY_CAPACITY points by merging pairs", () => {
  let series = initialDashboardState().trainLoss;
  const epochs = HISTORY_CAPACITY * 4 + 3;
  for (let e = 0; e < epochs; e++) series = appendSample(series, e);
  assert.ok(series.values.length <= HISTORY_CAPACITY);
  assert.equal(series.stride, 8);
  assert.equal(series.values[0], 3.5);
  const covered = (series.values.length - 1) * series.stride + series.lastCount;
  assert.equal(covered, epochs);
});

Deno.test("foldEpochs() gives the state of folding the epochs one by one", () => {
  // Long enough to merge the history twice; some epochs lack the boundary, the test split, one layer or a rate.
  const epochs: EpochEvent[] = [];
  for (let e = 1; e <= HISTORY_CAPACITY * 3 + 5; e++) {
    const event = xorEpoch((e % 400) + 1, { learningRate: e > 2000 ? 0.06 : 0.03 });
    epochs.push({
      ...event,
      epoch: e,
      trainLoss: e === 777 ? NaN : event.trainLoss,
      testLoss: e % 3 === 0 ? undefined : event.testLoss,
      boundary: e % 5 === 0 ? event.boundary : undefined,
      layers: e % 1000 < 7 ? event.layers.slice(1) : event.layers,
    });
  }
  const start = fold([
    xorStart(),
    { type: "command_sent", command: { type: "set_learning_rate", value: 0.06 } },
    { type: "select_layer", delta: 2 },
  ]);
  const oneByOne = fold(epochs, start);
  let batched = start;
  for (let from = 0, size = 1; from < epochs.length; from += size, size = (size * 7) % 1500 + 1) {
    batched = foldEpochs(batched, epochs.slice(from, from + size));
  }
  const view = (state: DashboardState) => {
    const series = (s: DashboardState["trainLoss"]) => ({ ...s, values: [...s.values] });
    return {
      ...state,
      trainLoss: series(state.trainLoss),
      testLoss: series(state.testLoss),
      trainAccuracy: series(state.trainAccuracy),
      testAccuracy: series(state.testAccuracy),
      gradientNorms: state.gradientNorms.map(series),
    };
  };
  assert.deepStrictEqual(view(batched), view(oneByOne));
  assert.equal(oneByOne.requestedLearningRate, undefined);
  assert.equal(oneByOne.selectedLayer, 1);
  assert.equal(foldEpochs(oneByOne, []), oneByOne);
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
