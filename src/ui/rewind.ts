// Looking back through training: which snapshot a scrub key shows, and the state the panels draw while rewinding.

import type { EpochEvent, TimelineReader } from "../train/events.ts";
import type { DashboardState, RewindState, UiAction } from "./state.ts";

/** Snapshots shown per second while the timeline plays back (`p`). */
export const PLAYBACK_RATE = 20;

/** Snapshots `{` and `}` move by. */
export const SCRUB_JUMP = 10;

/** The keys that move through the timeline, and how far: one, ten, to the first, to the latest. */
const SCRUB_KEYS: Record<string, number | "first" | "latest"> = {
  "[": -1,
  "]": 1,
  "{": -SCRUB_JUMP,
  "}": SCRUB_JUMP,
  "home": "first",
  "end": "latest",
};

/** Whether `key` is one of the timeline's keys (`[ ] { } Home End p`). */
export function isTimelineKey(key: string): boolean {
  return key in SCRUB_KEYS || key === "p";
}

/** The snapshot index the state shows now: the rewound one, or the latest when live. */
function currentIndex(state: DashboardState, timeline: TimelineReader): number {
  if (state.rewind === undefined) return timeline.length - 1;
  return Math.max(0, timeline.indexAtOrBefore(state.rewind.event.epoch));
}

/** Shows snapshot `index`, or goes live at (or past) the latest one. */
function showIndex(timeline: TimelineReader, index: number, playing: boolean): UiAction {
  if (index >= timeline.length - 1) return { type: "show_live" };
  const at = Math.max(0, index);
  return { type: "show_snapshot", index: at, count: timeline.length, event: timeline.eventAt(at), playing };
}

/**
 * What a timeline key does in `state`: `[`/`]` one snapshot back/forward, `{`/`}` ten, `Home` the first, `End`
 * the latest (live), `p` starts playback from the snapshot shown (from the first when live) or stops it. Going
 * past the latest snapshot returns to live; a scrub key stops playback. Undefined when the key does nothing
 * (another key, or a timeline of fewer than two snapshots).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState } from "./state.ts";
 * import { scrubAction } from "./rewind.ts";
 * const event = (epoch: number) => ({
 *   type: "epoch" as const, epoch, epochs: 3, trainLoss: 1, learningRate: 0.1, samplesPerSecond: 1,
 *   elapsedSeconds: epoch, layers: [],
 * });
 * const timeline = {
 *   length: 3, epochAt: (i: number) => i + 1, eventAt: (i: number) => event(i + 1),
 *   indexAtOrBefore: (epoch: number) => Math.min(2, Math.max(0, epoch - 1)),
 * };
 * const action = scrubAction("[", initialDashboardState(), timeline);
 * assert.equal(action?.type === "show_snapshot" && action.event.epoch, 2);
 * ```
 */
export function scrubAction(
  key: string,
  state: DashboardState,
  timeline: TimelineReader,
): UiAction | undefined {
  if (timeline.length < 2) return undefined;
  if (key === "p") {
    if (state.rewind?.playing) return showIndex(timeline, currentIndex(state, timeline), false);
    const from = state.rewind === undefined ? 0 : currentIndex(state, timeline);
    return showIndex(timeline, from, true);
  }
  const move = SCRUB_KEYS[key];
  if (move === undefined) return undefined;
  if (move === "first") return showIndex(timeline, 0, false);
  if (move === "latest") return state.rewind === undefined ? undefined : { type: "show_live" };
  return showIndex(timeline, currentIndex(state, timeline) + move, false);
}

/**
 * The next step of playback: the snapshot after the one shown, still playing, or live after the latest.
 * Undefined when the state is not playing.
 */
export function playbackStep(state: DashboardState, timeline: TimelineReader): UiAction | undefined {
  if (!state.rewind?.playing) return undefined;
  return showIndex(timeline, currentIndex(state, timeline) + 1, true);
}

/** The fields every epoch event has; the others (boundary, pictures, …) are kept in the state by the same name. */
const EPOCH_FIELDS = new Set([
  "type",
  "epoch",
  "epochs",
  "trainLoss",
  "testLoss",
  "trainAccuracy",
  "testAccuracy",
  "learningRate",
  "samplesPerSecond",
  "elapsedSeconds",
  "layers",
]);

/**
 * The state the panels draw: while rewinding, the state as of the snapshot's epoch: its epoch event as the
 * latest, its learning rate, and each field that epochs may leave out (the decision boundary, sample predictions,
 * confusion matrix, filters, …) from the snapshot, under the state field of the same name. The loss series stay
 * whole (the chart draws a cursor at the epoch); `rewind.liveEpoch` says how far training has got. Live, the state
 * itself.
 */
export function viewedState(state: DashboardState): DashboardState {
  const rewind = state.rewind;
  if (rewind === undefined) return state;
  const snapshot: EpochEvent = rewind.event;
  const carried: Record<string, unknown> = {};
  for (const key of Object.keys(snapshot)) {
    const value = (snapshot as unknown as Record<string, unknown>)[key];
    if (!EPOCH_FIELDS.has(key) && value !== undefined) carried[key] = value;
  }
  const view: RewindState = { ...rewind, liveEpoch: state.latest?.epoch ?? snapshot.epoch };
  return {
    ...state,
    ...carried,
    latest: snapshot,
    learningRate: snapshot.learningRate,
    requestedLearningRate: undefined,
    rewind: view,
  };
}
