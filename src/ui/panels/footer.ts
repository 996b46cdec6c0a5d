// The footer: a status line (end, divergence, pause hint or the latest notice) and the key hints.

import { paint, truncate, visibleWidth } from "../ansi.ts";
import { availableViews, type DashboardState, PICTURE_COLUMNS, stateLabel } from "../state.ts";
import { formatNumber } from "../widgets/format.ts";
import { ACCENT, BAD, type PanelSize, stateColor } from "./_common.ts";

const KEYS: readonly [string, string][] = [
  ["space", "pause"],
  ["n", "step"],
  ["+/-", "lr"],
  ["←→", "layer"],
  ["s", "save"],
  ["l", "log"],
  ["r", "restart"],
  ["v", "view"],
  ["q", "quit"],
  ["?", "help"],
];

/** The keys that still do something after the end (the dashboard stays open until q). */
const END_KEYS: readonly [string, string][] = [
  ["[ ]", "rewind"],
  ["p", "play back"],
  ["r", "restart"],
  ["q", "quit"],
];

/** Renders the two footer lines across the whole width (`size.height` is ignored). */
export function renderFooter(state: DashboardState, size: PanelSize): string[] {
  const { width: columns, color } = size;
  const latest = state.latest;
  let status = "";
  const rewind = state.rewind;
  if (rewind) {
    status = paint(
      `${rewind.playing ? "▶▶" : "◀◀"} snapshot ${rewind.index + 1}/${rewind.count} · [ ] ±1 · { } ±10 · ` +
        `Home first · End live · p ${rewind.playing ? "stop" : "play"}`,
      ACCENT,
      color,
    );
  } else if (state.end) {
    const text = `■ ${state.end.message || `${stateLabel(state)} at epoch ${state.end.epoch}`}`;
    // too long for one line (a restored epoch, a divergence's advice): on both lines, the keys beside the rest
    if (visibleWidth(text) > columns - 1) return wrappedEndFooter(state, text, size);
    status = paint(text, stateColor(state), color);
  } else if (latest && !Number.isFinite(latest.trainLoss)) {
    status = paint(
      `loss is ${formatNumber(latest.trainLoss)}: training is diverging, try a smaller rate (-)`,
      BAD,
      color,
    );
  } else {
    const notice = state.notices.length > 0 ? `› ${state.notices[state.notices.length - 1]}` : "";
    // paused: how to go on, shortened to "paused" when the notice beside it (s's answer) would not fit (the key
    // line says "space resume" anyway)
    let hint = state.status === "paused"
      ? `paused: space resumes, n ${state.pausedAt ? "finishes the epoch" : "runs one epoch"}`
      : "";
    if (hint !== "" && notice !== "" && hint.length + 3 + visibleWidth(notice) > columns - 1) hint = "paused";
    status = [hint === "" ? "" : paint(hint, ACCENT, color), notice].filter((p) => p !== "").join("   ");
  }
  const keys = KEYS.map(([key, what]) =>
    `${paint(key, ACCENT, color)} ${key === "space" && state.status === "paused" ? "resume" : what}`
  );
  // When the keys do not fit, the least needed go first (they stay listed in the help). `v` is listed when there
  // is more than one view, unless image data show all their pictures at once (from 120 columns).
  const dropOrder = ["l", "r", "s", "v", "←→", "+/-", "n"];
  const views = availableViews(state);
  const cycles = views.length > 1 && !(views.includes("samples") && columns >= PICTURE_COLUMNS);
  let shown = KEYS.map(([key]) => key).filter((key) => key !== "v" || cycles);
  for (const key of dropOrder) {
    if (visibleWidth(keys.filter((_, i) => shown.includes(KEYS[i][0])).join("  ")) <= columns - 1) break;
    shown = shown.filter((k) => k !== key);
  }
  const keyLine = state.end
    ? truncate(endKeys(state, END_KEYS.length, color), columns - 1)
    : truncate(keys.filter((_, i) => shown.includes(KEYS[i][0])).join("  "), columns - 1);
  return [" " + truncate(status, columns - 1), " " + keyLine];
}

/** The end keys in the order they are kept when not all fit: leaving, rewinding, training again, playing back. */
const END_KEYS_KEPT = ["q", "[ ]", "r", "p"];

/** The `count` most needed keys that work after the end (`r` not in a replay), joined for the key line. */
function endKeys(state: DashboardState, count: number, color: PanelSize["color"]): string {
  const kept = END_KEYS_KEPT.slice(0, count);
  return END_KEYS.filter(([key]) => kept.includes(key) && !(state.replay && key === "r"))
    .map(([key, what]) => `${paint(key, ACCENT, color)} ${what}`).join(" · ");
}

/**
 * The footer after the end when the end message is longer than a line: the message broken at a space over both
 * lines, the second line ending with as many of the end keys as fit (`q quit` always, then `[ ]`, `r`, `p`).
 */
function wrappedEndFooter(state: DashboardState, text: string, size: PanelSize): string[] {
  const { width: columns, color } = size;
  const room = columns - 1;
  const cut = text.lastIndexOf(" ", room);
  const first = cut > 0 ? text.slice(0, cut) : text.slice(0, room);
  const rest = "  " + text.slice(first.length).trimStart();
  let keys = "";
  for (let count = END_KEYS.length; count >= 1; count--) {
    keys = endKeys(state, count, color);
    if (visibleWidth(rest) + 3 + visibleWidth(keys) <= room) break;
  }
  const second = truncate(rest, room - 3 - visibleWidth(keys));
  const gap = " ".repeat(Math.max(3, room - visibleWidth(second) - visibleWidth(keys)));
  const paintEnd = (line: string) => paint(line, stateColor(state), color);
  return [" " + paintEnd(first), " " + paintEnd(second) + gap + keys];
}
