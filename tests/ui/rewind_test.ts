// Tests of looking back through the timeline: what each scrub key shows, playback, and the state panels draw.

import assert from "node:assert/strict";
import type { TrainEvent } from "../../src/train/events.ts";
import { decodeKeys, keyOutcome } from "../../src/ui/keys.ts";
import { playbackStep, scrubAction, viewedState } from "../../src/ui/rewind.ts";
import { type DashboardState, reduceDashboard, type UiAction } from "../../src/ui/state.ts";
import { renderFrame } from "../../src/ui/dashboard.ts";
import { renderCurve } from "../../src/ui/panels/curve.ts";
import { sineRun, xorEpoch, xorRun } from "../fixtures/ui_events.ts";
import { fold } from "./_golden.ts";
import { recordedTimeline, rewoundXor } from "./_rewind.ts";

const EVENTS = xorRun(50);

/** The epoch a state shows: the rewound snapshot's, or "live". */
function shown(state: DashboardState): number | "live" {
  return state.rewind === undefined ? "live" : state.rewind.event.epoch;
}

/** Presses `keys` in order from `state`, returning the epoch shown after each. */
function press(state: DashboardState, keys: string[], events: readonly TrainEvent[] = EVENTS) {
  const timeline = recordedTimeline(events);
  const seen: (number | "live")[] = [];
  for (const key of keys) {
    const action = scrubAction(key, state, timeline);
    if (action) state = reduceDashboard(state, action);
    seen.push(shown(state));
  }
  return { state, seen, timeline };
}

Deno.test("scrubAction() moves one or ten snapshots, to the first, and past the latest back to live", () => {
  const { seen } = press(fold(EVENTS), ["[", "[", "{", "}", "]", "]", "home", "[", "}", "end", "end"]);
  assert.deepEqual(seen, [49, 48, 38, 48, 49, "live", 1, 1, 11, "live", "live"]);
});

Deno.test("scrubAction() plays from the snapshot shown (from the first when live); p again stops", () => {
  const live = fold(EVENTS);
  const { state, timeline } = press(live, ["p"]);
  assert.equal(shown(state), 1);
  assert.equal(state.rewind?.playing, true);
  let playing = state;
  for (let i = 0; i < 10; i++) playing = reduceDashboard(playing, playbackStep(playing, timeline)!);
  assert.equal(shown(playing), 11);
  assert.equal(playing.rewind?.playing, true);
  const stopped = reduceDashboard(playing, scrubAction("p", playing, timeline)!);
  assert.deepEqual([shown(stopped), stopped.rewind?.playing], [11, false]);
  assert.equal(playbackStep(stopped, timeline), undefined, "no step when not playing");
  const resumed = reduceDashboard(stopped, scrubAction("p", stopped, timeline)!);
  assert.deepEqual([shown(resumed), resumed.rewind?.playing], [11, true]);
});

Deno.test("playbackStep() reaches the latest snapshot and goes live; a scrub key stops playback", () => {
  const timeline = recordedTimeline(EVENTS);
  let state = reduceDashboard(fold(EVENTS), scrubAction("p", fold(EVENTS), timeline)!);
  const epochs: (number | "live")[] = [];
  while (state.rewind !== undefined) {
    state = reduceDashboard(state, playbackStep(state, timeline)!);
    epochs.push(shown(state));
  }
  assert.equal(epochs.length, 49);
  assert.deepEqual(epochs.slice(-2), [49, "live"]);
  const playing = reduceDashboard(fold(EVENTS), scrubAction("p", fold(EVENTS), timeline)!);
  const scrubbed = reduceDashboard(playing, scrubAction("}", playing, timeline)!);
  assert.deepEqual([shown(scrubbed), scrubbed.rewind?.playing], [11, false]);
});

Deno.test("scrubAction() does nothing without two snapshots or for other keys", () => {
  const one = EVENTS.slice(0, 2);
  assert.equal(scrubAction("[", fold(one), recordedTimeline(one)), undefined);
  assert.equal(scrubAction("x", fold(EVENTS), recordedTimeline(EVENTS)), undefined);
  assert.equal(scrubAction("end", fold(EVENTS), recordedTimeline(EVENTS)), undefined, "End while live");
});

Deno.test("rewinding keeps going while training goes on, and a restart returns to live", () => {
  const state = rewoundXor(20);
  const later = fold([xorEpoch(51), xorEpoch(52)], state);
  assert.equal(shown(later), 20);
  assert.equal(later.latest?.epoch, 52);
  assert.equal(viewedState(later).rewind?.liveEpoch, 52);
  // the thinning may drop the epoch shown: the keys go on from the snapshot at or before it
  const events = [...EVENTS, xorEpoch(51), xorEpoch(52)];
  assert.deepEqual(press(later, ["[", "]", "]"], events).seen, [19, 20, 21]);
  const restarted = reduceDashboard(later, EVENTS[0]);
  assert.equal(restarted.rewind, undefined);
});

Deno.test("viewedState() shows the snapshot's epoch in every field the panels read", () => {
  const state = rewoundXor(20);
  const view = viewedState(state);
  assert.equal(view.latest?.epoch, 20);
  assert.deepEqual(view.latest?.layers[0].weights, state.rewind?.event.layers[0].weights);
  assert.deepEqual(view.boundary?.values, state.rewind?.event.boundary?.values);
  assert.notDeepEqual(view.boundary?.values, state.boundary?.values, "not the latest boundary");
  assert.equal(view.trainLoss, state.trainLoss, "the whole loss history stays");
  const live = fold(EVENTS);
  assert.equal(viewedState(live), live, "live, the state itself");
});

Deno.test("rewinding a regression shows the curve of the epoch shown, as it was drawn then", () => {
  const events = sineRun(30);
  const timeline = recordedTimeline(events);
  const live = fold(events);
  const size = { width: 34, height: 18, color: "none" as const };
  for (const epoch of [4, 13, 20]) {
    const index = timeline.indexAtOrBefore(epoch);
    const state = reduceDashboard(live, {
      type: "show_snapshot",
      index,
      count: timeline.length,
      event: timeline.eventAt(index),
      playing: false,
    });
    // the curve of epoch 3, 12 or 18 (sent every third epoch), through the timeline's Float32
    const then = fold(events.slice(0, epoch + 1));
    const expected = { ...then, curve: timeline.eventAt(index).curve };
    assert.deepEqual(expected.curve?.values, Array.from(Float32Array.from(then.curve!.values)));
    assert.deepEqual(renderCurve(viewedState(state), size), renderCurve(expected, size));
    assert.notDeepEqual(
      renderCurve(viewedState(state), size),
      renderCurve(live, size),
      `epoch ${epoch} is not live`,
    );
    const frame = renderFrame(state, { columns: 80, rows: 24, color: "none" });
    assert.match(frame, /Curve/);
  }
});

Deno.test("renderFrame() while rewinding: the header says rewind · epoch N, the loss chart has a cursor", () => {
  const frame = renderFrame(rewoundXor(20), { columns: 80, rows: 24, color: "none" });
  const lines = frame.split("\n");
  assert.match(lines[0], /◀◀ rewind · epoch 20\s.*epoch\s+20\/500/);
  assert.match(lines[1], /live epoch 50 running/);
  assert.match(frame, /Loss @ epoch 20/);
  const live = renderFrame(fold(EVENTS), { columns: 80, rows: 24, color: "none" });
  assert.doesNotMatch(live, /rewind/);
  const playing = renderFrame(rewoundXor(20, true), { columns: 80, rows: 24, color: "none" });
  assert.match(playing.split("\n")[0], /▶▶ rewind · epoch 20/);
});

Deno.test("keyOutcome() sends the timeline keys to scrubAction in every state, and p no longer pauses", () => {
  const timeline = recordedTimeline(EVENTS);
  const ended = fold([...EVENTS, { type: "end", reason: "done", epoch: 50, message: "Finished 50 epochs" }]);
  for (const state of [fold(EVENTS), fold([...EVENTS, { type: "state", paused: true }]), ended]) {
    const action = keyOutcome("[", state, { timeline }).action as UiAction;
    assert.equal(action.type === "show_snapshot" && action.event.epoch, 49, state.status);
    assert.equal(keyOutcome("p", state, { timeline }).command, undefined);
  }
  assert.deepEqual(keyOutcome("[", fold(EVENTS)), {}, "without a timeline the keys do nothing");
  assert.deepEqual(keyOutcome("p", fold(EVENTS)), {});
});

Deno.test("decodeKeys() reads Home and End as terminals send them", () => {
  const text = "\x1b[H\x1b[F\x1bOH\x1bOF\x1b[1~\x1b[4~\x1b[7~\x1b[8~[]{}p";
  assert.deepEqual(decodeKeys(new TextEncoder().encode(text)), [
    "home",
    "end",
    "home",
    "end",
    "home",
    "end",
    "home",
    "end",
    "[",
    "]",
    "{",
    "}",
    "p",
  ]);
});

Deno.test("a replay has no trainer: its keys do nothing, q leaves, the rewind keys work, r is not offered", () => {
  const timeline = recordedTimeline(EVENTS);
  const end: TrainEvent = { type: "end", reason: "done", epoch: 50, message: "Finished 50 epochs" };
  const state = fold([{ type: "replay_opened" }, ...EVENTS, end]);
  assert.equal(state.replay, true);
  for (const key of ["r", "space", "n", "+", "-", "s"]) {
    assert.deepEqual(keyOutcome(key, state, { timeline }), {}, key);
  }
  assert.deepEqual(keyOutcome("q", state, { timeline }), { exit: true });
  assert.equal(keyOutcome("[", state, { timeline }).action?.type, "show_snapshot");
  const footer = renderFrame(state, { columns: 80, rows: 24, color: "none" }).split("\n").at(-1)!;
  assert.match(footer, /\[ \] rewind · p play back · q quit/);
  assert.doesNotMatch(footer, /restart/);
});
