// The help overlay: a box listing every key and what it does.

import type { DashboardState } from "../state.ts";
import { panel } from "../widgets/frame.ts";
import type { PanelSize } from "./_common.ts";

const HELP: readonly [string, string][] = [
  ["space", "pause or resume training"],
  ["n", "finish or run one epoch (paused)"],
  ["+ / -", "double / halve the learning rate"],
  ["< > =", "halve / double / remove the pace"],
  ["← → tab", "select a layer"],
  ["s", "save a checkpoint now"],
  ["l", "toggle a log scale for the loss"],
  ["e  , .", "explain a sample (previous / next)"],
  ["r", "restart from the same seed"],
  ["v", "next view beside the loss chart"],
  ["[ ]  { }", "one / ten snapshots back or forward"],
  ["Home End", "first snapshot / back to live"],
  ["p", "play the timeline back (p stops)"],
  ["q  ctrl-c", "quit (saves the model)"],
  ["?  esc", "show or hide this help"],
];

/**
 * Renders the help box listing every key, `size.width` wide and as tall as its content (`size.height` is ignored);
 * the frame lays it over the middle of the dashboard.
 */
export function renderHelp(_state: DashboardState, size: PanelSize): string[] {
  const content = [
    "",
    ...HELP.map(([key, what]) => `  ${key.padEnd(10)} ${what}`),
    "",
    "  press ? or esc to close",
  ];
  return panel("Keys", content, {
    width: size.width,
    height: content.length + 2,
    color: size.color,
    highlight: true,
  });
}
