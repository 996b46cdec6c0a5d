// The header: run name, state, epoch progress, then elapsed time, rate, learning rate, pace and data sizes.

import { bold, paint, truncate, visibleWidth } from "../ansi.ts";
import { type DashboardState, stateLabel } from "../state.ts";
import { progressBar } from "../widgets/chart.ts";
import { DIM, POSITIVE } from "../widgets/colors.ts";
import { formatDuration, formatLearningRate, formatNumber } from "../widgets/format.ts";
import { ACCENT, fitParts, formatRate, type PanelSize, stateColor } from "./_common.ts";

/** A small bar of how far the epoch in progress has got: `▰▰▰▱▱▱▱▱` (8 cells). */
function batchBar(fraction: number, color: PanelSize["color"]): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * 8);
  return paint("▰".repeat(filled), POSITIVE, color) + paint("▱".repeat(8 - filled), DIM, color);
}

/** Renders the two header lines across the whole width (`size.height` is ignored). */
export function renderHeader(state: DashboardState, size: PanelSize): string[] {
  const { width: columns, color } = size;
  const run = state.run;
  const latest = state.latest;
  const epochs = latest?.epochs ?? run?.epochs ?? 0;
  const epoch = latest?.epoch ?? 0;
  const rewind = state.rewind;
  // Looking back: the epoch shown leads; how far training has got comes first on the second line.
  const label = rewind ? `rewind · epoch ${epoch}` : state.pending ?? stateLabel(state);
  const marker = rewind
    ? (rewind.playing ? "▶▶" : "◀◀")
    : state.status === "paused"
    ? "❚❚"
    : state.end
    ? "■"
    : "▶";
  const status = paint(`${marker} ${label}`, state.pending || rewind ? ACCENT : stateColor(state), color);
  const title = `${bold("termnet", color)} · ${run?.name ?? "…"}`;
  const digits = String(epochs).length;
  const epochText = `epoch ${String(epoch).padStart(digits)}/${epochs}`;
  const percentText = `${Math.floor(epochs > 0 ? (epoch / epochs) * 100 : 0)}%`.padStart(4);
  const left = `${title}  ${status}`;
  const barWidth = Math.max(8, Math.min(30, columns - visibleWidth(left) - epochText.length - 12));
  const bar = progressBar(epochs > 0 ? epoch / epochs : 0, { width: barWidth, color, fill: POSITIVE });
  const right = `${epochText} ${bar} ${percentText}`;
  const gap = columns - 1 - visibleWidth(left) - visibleWidth(right);
  const line1 = gap >= 2 ? ` ${left}${" ".repeat(gap)}${right}` : ` ${truncate(left, columns - 1)}`;
  // Within a long epoch (progress events): the batch reached, and the clock, eta and throughput of that epoch so far.
  const progress = state.status === "running" && !state.end && !rewind ? state.progress : undefined;
  const elapsed = progress?.elapsedSeconds ?? latest?.elapsedSeconds ?? 0;
  const done = progress !== undefined ? progress.epoch - 1 + progress.batch / progress.batches : epoch;
  const unpaced = done > 0 && !state.end ? (elapsed / done) * (epochs - done) : state.end ? 0 : NaN;
  // elapsed counts training time only: with a pace the rest takes at least (epochs left) / pace
  const eta = state.pace !== undefined && !state.end
    ? Math.max(unpaced, (epochs - epoch) / state.pace)
    : unpaced;
  const learningRate = state.requestedLearningRate !== undefined
    ? `lr ${formatLearningRate(state.learningRate)}→${formatLearningRate(state.requestedLearningRate)}`
    : `lr ${formatLearningRate(state.learningRate)}`;
  const dim = (text: string) => paint(text, DIM, color);
  // what shapes training besides the rate: the schedule (next to lr), dropout and clipping, when used
  const schedule = run?.schedule !== undefined ? ` ${run.schedule}` : "";
  const dropout = run?.dropout !== undefined
    ? `dropout ${run.dropout.map((p) => formatNumber(p, 4)).join("/")}`
    : "";
  const clip = run?.clipNorm !== undefined ? `clip ${formatNumber(run.clipNorm, 4)}` : "";
  const batchText = progress === undefined
    ? ""
    : `batch ${String(progress.batch).padStart(String(progress.batches).length)}/${progress.batches} ` +
      batchBar(progress.batch / progress.batches, color);
  const parts = [
    rewind ? `live epoch ${rewind.liveEpoch ?? epoch} ${state.pending ?? stateLabel(state)}` : "",
    batchText,
    `elapsed ${formatDuration(elapsed)}`,
    state.end || rewind ? "" : `eta ${formatDuration(eta)}`,
    `${formatRate(progress?.samplesPerSecond ?? latest?.samplesPerSecond ?? NaN)} samples/s`,
    learningRate + schedule,
    dropout,
    clip,
    state.pace !== undefined ? `pace ${formatNumber(state.pace, 4)}/s` : "",
    run ? `${run.optimizer} · ${run.loss}` : "",
    run ? `${run.trainSize} train / ${run.testSize} test` : "",
  ].filter((p) => p !== "");
  // the epoch in progress leads the batch when the line still holds the rate with it
  if (progress !== undefined) {
    const long = [`epoch ${progress.epoch} ${parts[0]}`, ...parts.slice(1)];
    const needed = long.slice(0, long.findIndex((p) => p.startsWith("lr ")) + 1).join(" · ");
    if (visibleWidth(needed) <= columns - 1) parts[0] = long[0];
  }
  const line2 = " " + fitParts(parts, { width: columns - 1, separator: dim(" · ") });
  return [line1, line2];
}
