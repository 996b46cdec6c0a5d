// The dashboard's reducer: loss history, commands and their feedback, view settings, and batched folding.

import assert from "node:assert/strict";
import {
  appendSample,
  type DashboardState,
  foldEpochs,
  HISTORY_CAPACITY,
  initialDashboardState,
  reduceDashboard,
  stateLabel,
} from "../../src/ui/state.ts";
import type { EpochEvent } from "../../src/train/events.ts";
import { renderFrame, renderSummary } from "../../src/ui/dashboard.ts";
import { divergedRun, xorEpoch, xorExplain, xorPausedRun, xorRun, xorStart } from "../fixtures/ui_events.ts";
import { fold } from "./_golden.ts";

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
  const first = reduceDashboard(asked, { type: "learning_rate_changed", value: 0.06, epoch: 50 });
  assert.equal(first.learningRate, 0.06);
  assert.equal(first.requestedLearningRate, 0.12, "a later request stays pending");
  const second = reduceDashboard(first, { type: "learning_rate_changed", value: 0.12, epoch: 50 });
  assert.equal(second.learningRate, 0.12);
  assert.equal(second.requestedLearningRate, undefined);
  assert.equal(second.pending, undefined);
  assert.equal(second.status, "paused");
  assert.match(header(second), /lr 0\.12 /);
  assert.doesNotMatch(header(second), /→/);
  assert.match(renderFrame(second, { columns: 80, rows: 24, color: "none" }), /› Learning rate set to 0\.12/);
  const other = reduceDashboard(second, { type: "notice", message: "Learning rate set to 0.5" });
  assert.equal(other.learningRate, 0.12, "a notice is only text: the typed event changes the rate");
});

Deno.test("reduceDashboard() takes the saved path from a saved event or an action, and shows a failure", () => {
  const saving = reduceDashboard(fold([xorStart()]), { type: "command_sent", command: { type: "save" } });
  const fromEvent = reduceDashboard(saving, { type: "saved", path: "runs/xor/model.json", epoch: 3 });
  assert.equal(fromEvent.savedPath, "runs/xor/model.json");
  assert.equal(fromEvent.pending, undefined);
  const failed = reduceDashboard(saving, {
    type: "save_failed",
    message: "Cannot save the checkpoint: disk full",
  });
  assert.equal(failed.savedPath, undefined);
  assert.equal(failed.pending, undefined);
  assert.deepEqual(failed.notices.at(-1), "Cannot save the checkpoint: disk full");
  const fromNotice = fold([xorStart(), { type: "notice", message: "Saved model to runs/xor/model.json" }]);
  assert.equal(fromNotice.savedPath, undefined, "a notice is only text");
  const fromAction = reduceDashboard(fromEvent, { type: "model_saved", path: "out/final.json" });
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

Deno.test("reduceDashboard(): terminal escapes in a run name, class names and messages are shown as text", () => {
  const hostile = "\x1b]0;pwned\x07\x1b[2J";
  const start = xorStart();
  const state = fold([
    { ...start, name: `run${hostile}`, classNames: [hostile, "b"] },
    ...xorRun(3).slice(1),
    { type: "notice", message: `Checkpoint saved to runs/${hostile}/model.json` },
    { type: "saved", path: `runs/${hostile}/model.json`, epoch: 3 },
    { type: "save_failed", message: `Cannot save: ${hostile}` },
    { type: "end", reason: "done", epoch: 3, message: `done\n${hostile}` },
  ]);
  assert.equal(state.savedPath, "runs/\\x1b]0;pwned\\x07\\x1b[2J/model.json");
  assert.ok(state.notices.every((notice) => !notice.includes("\x1b")), state.notices.join("|"));
  assert.equal(state.run?.name, "run\\x1b]0;pwned\\x07\\x1b[2J");
  assert.equal(state.run?.classNames?.[0], "\\x1b]0;pwned\\x07\\x1b[2J");
  assert.equal(state.end?.message, "done\\n\\x1b]0;pwned\\x07\\x1b[2J");
  for (const color of ["none", "truecolor"] as const) {
    const frame = renderFrame(state, { columns: 120, rows: 40, color });
    assert.ok(!frame.includes("\x07"), "no bell from a file reaches the frame");
    assert.ok(!frame.includes("\x1b]"), "no operating-system command reaches the frame");
    assert.ok(!frame.includes("\x1b[2J"), "no clear-screen from a file reaches the frame");
  }
  assert.ok(!renderSummary(state).includes("\x1b"));
});

Deno.test("reduceDashboard() keeps the explain view's sample, scroll and numbers across epochs", () => {
  let state = fold([...xorRun(3), { type: "explain_toggle", open: true }]);
  assert.deepEqual(state.explain, { open: true, sample: 0, scroll: 0 });
  state = fold([{ type: "explain_sample", sample: 1 }, { type: "explain_scroll", delta: 3 }], state);
  assert.deepEqual(state.explain, { open: true, sample: 1, scroll: 3 });
  state = fold([{ type: "explain_scroll", delta: -5 }, xorExplain()], state);
  assert.equal(state.explain?.scroll, 0);
  assert.equal(state.explain?.event?.sample, 1);
  state = fold([xorEpoch(4), xorEpoch(5)], state);
  assert.equal(state.explain?.event?.sample, 1, "epochs keep the view");
  assert.equal(state.explain?.open, true);
  state = fold([{ type: "explain_sample", sample: -1 }], state);
  assert.equal(state.explain?.sample, 3, "samples wrap around the 4 of the event");
  state = fold([{ type: "explain_toggle" }], state);
  assert.equal(state.explain?.open, false);
  assert.equal(state.explain?.sample, 3, "closing keeps the sample for the next e");
  state = fold([xorStart()], state);
  assert.equal(state.explain?.event, undefined, "a restart drops the old numbers");
});

Deno.test("reduceDashboard(): terminal escapes in an explain event's class names are shown as text", () => {
  const hostile = "\x1b]0;pwned\x07";
  const event = { ...xorExplain(), classNames: [hostile, "1"], label: hostile, predicted: hostile };
  const state = fold([...xorRun(2), { type: "explain_toggle", open: true }, event]);
  assert.equal(state.explain?.event?.label, "\\x1b]0;pwned\\x07");
  const frame = renderFrame(state, { columns: 80, rows: 24, color: "truecolor" });
  assert.ok(!frame.includes("\x07") && !frame.includes("\x1b]"));
});

Deno.test("reduceDashboard() shows a pause in the middle of an epoch until n has finished that epoch", () => {
  const running = fold(xorRun(3));
  const paused = reduceDashboard(running, { type: "state", paused: true, epoch: 4, batch: 3, batches: 8 });
  assert.deepEqual(paused.pausedAt, { epoch: 4, batch: 3, batches: 8 });
  assert.equal(stateLabel(paused), "paused at batch 3/8 of epoch 4");
  const header = (state: DashboardState) =>
    renderFrame(state, { columns: 100, rows: 30, color: "none" }).split("\n")[0];
  assert.match(header(paused), /❚❚ paused at batch 3\/8 of epoch 4 +epoch +3\/500/);
  const stepping = reduceDashboard(paused, { type: "command_sent", command: { type: "step" } });
  assert.equal(stepping.pending, "finishing epoch 4…");
  const done = reduceDashboard(stepping, xorEpoch(4));
  assert.equal(done.pending, undefined);
  assert.equal(done.pausedAt, undefined);
  assert.equal(stateLabel(done), "paused");
  const between = reduceDashboard(done, { type: "command_sent", command: { type: "step" } });
  assert.equal(between.pending, "stepping one epoch…");
});

Deno.test("reduceDashboard() shows the pace from the start, from a key at once and from the trainer", () => {
  const line = (state: DashboardState) =>
    renderFrame(state, { columns: 100, rows: 30, color: "none" }).split("\n")[1];
  const start = fold([{ ...xorStart(), pace: 20 }]);
  assert.equal(start.pace, 20);
  assert.match(line(start), /lr 0\.03 · pace 20\/s · /);
  // 497 epochs left at 20 a second: the ETA counts the pace, not only the training time so far
  assert.match(
    line(fold([{ ...xorStart(), pace: 20 }, { ...xorEpoch(3), elapsedSeconds: 0.003 }])),
    /eta 0:2[45] /,
  );
  const asked = reduceDashboard(start, {
    type: "command_sent",
    command: { type: "set_pace", epochsPerSecond: 10 },
  });
  assert.equal(asked.pace, 10, "a second < builds on the first before the trainer answers");
  assert.equal(asked.pending, "pace → 10/s…");
  const confirmed = reduceDashboard(asked, { type: "pace_changed", epochsPerSecond: 10 });
  assert.equal(confirmed.pending, undefined);
  const free = reduceDashboard(confirmed, { type: "pace_changed" });
  assert.equal(free.pace, undefined);
  assert.doesNotMatch(line(free), /pace/);
});

Deno.test("reduceDashboard() after a restart shows the rate the new start uses, not the one set with +", () => {
  const before = fold([
    ...xorRun(5),
    { type: "command_sent", command: { type: "set_learning_rate", value: 0.06 } },
    { type: "learning_rate_changed", value: 0.06, epoch: 5 },
    // + again, not yet confirmed when r is pressed
    { type: "command_sent", command: { type: "set_learning_rate", value: 0.12 } },
    { type: "command_sent", command: { type: "restart" } },
  ]);
  assert.equal(before.learningRate, 0.06);
  assert.equal(before.requestedLearningRate, 0.12);
  const after = reduceDashboard(before, xorStart());
  assert.equal(after.learningRate, 0.03);
  assert.equal(after.requestedLearningRate, undefined);
  const line2 = renderFrame(after, { columns: 80, rows: 24, color: "none" }).split("\n")[1];
  assert.match(line2, / · lr 0\.03 · /);
});
