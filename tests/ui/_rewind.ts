// Shared by the rewind tests: a timeline recorded from fixture events, and the XOR fixture rewound to an epoch.

import type { TrainEvent } from "../../src/train/events.ts";
import { Timeline } from "../../src/train/timeline.ts";
import { type DashboardState, reduceDashboard } from "../../src/ui/state.ts";
import { xorRun } from "../fixtures/ui_events.ts";
import { fold } from "./_golden.ts";

/** A timeline that recorded `events`, as the CLI records a run's. */
export function recordedTimeline(events: readonly TrainEvent[]): Timeline {
  const timeline = new Timeline();
  for (const event of events) timeline.record(event);
  return timeline;
}

/** The XOR fixture after 50 epochs, looking back at `epoch` (playing back when `playing`). */
export function rewoundXor(epoch = 20, playing = false): DashboardState {
  const events = xorRun(50);
  const timeline = recordedTimeline(events);
  const index = timeline.indexAtOrBefore(epoch);
  return reduceDashboard(fold(events), {
    type: "show_snapshot",
    index,
    count: timeline.length,
    event: timeline.eventAt(index),
    playing,
  });
}
