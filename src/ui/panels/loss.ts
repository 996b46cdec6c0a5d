// The loss panel: train and test loss as a line chart, with the latest values, the best epoch and accuracy.

import { paint, type Rgb, truncate, visibleWidth } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { lineChart, sparkline } from "../widgets/chart.ts";
import { DIM } from "../widgets/colors.ts";
import { formatNumber } from "../widgets/format.ts";
import { panel } from "../widgets/frame.ts";
import { ACCENT, GOOD, type PanelSize, percent, seriesValues, TEST_RGB, TRAIN_RGB } from "./_common.ts";

/** Greedily packs parts into at most `maxLines` lines of `width`, two spaces apart (one when tight). */
function wrapParts(parts: readonly string[], width: number, maxLines: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.length - 1;
    if (last >= 0 && visibleWidth(lines[last]) + 2 + visibleWidth(part) <= width) lines[last] += "  " + part;
    else if (last >= 0 && visibleWidth(lines[last]) + 1 + visibleWidth(part) <= width) {
      lines[last] += " " + part;
    } else if (lines.length < maxLines) lines.push(truncate(part, width));
  }
  return lines;
}

/** What the chart's place says before the first epoch: how far that epoch has got, once a progress event says. */
function waitingText(state: DashboardState): string {
  const progress = state.progress;
  return progress === undefined
    ? "waiting for the first epoch…"
    : `epoch ${progress.epoch}: batch ${progress.batch} of ${progress.batches}…`;
}

/** Renders the loss panel: the chart on top, up to three lines of figures below. */
export function renderLoss(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const inner = width - 2;
  const accuracy = state.run?.task === "classification" && state.latest?.trainAccuracy !== undefined;
  const hasTest = state.testLoss.values.some(Number.isFinite);
  const series = [
    ...(hasTest ? [{ values: seriesValues(state.testLoss), rgb: TEST_RGB, dotted: true }] : []),
    { values: seriesValues(state.trainLoss), rgb: TRAIN_RGB },
  ];
  const latest = state.latest;
  const swatch = (text: string, rgb: Rgb) => paint(text, rgb, color);
  const items = [
    `${swatch("━", TRAIN_RGB)} train ${formatNumber(latest?.trainLoss ?? NaN)}`,
    hasTest ? `${swatch("┅", TEST_RGB)} test ${formatNumber(latest?.testLoss ?? NaN)}` : "",
    state.best ? `best ${formatNumber(state.best.loss)} @${state.best.epoch}` : "",
    accuracy
      ? `acc ${percent(latest?.trainAccuracy)}${
        latest?.testAccuracy !== undefined ? `/${percent(latest.testAccuracy)}` : ""
      }`
      : "",
  ].filter((p) => p !== "");
  let info = wrapParts(items, inner, height >= 14 ? 3 : 2);
  // with no room for everything, a classifier's accuracy is worth more than the best loss and its epoch
  if (accuracy && !info.some((line) => line.includes("acc "))) {
    info = wrapParts(items.filter((item) => !item.startsWith("best ")), inner, height >= 14 ? 3 : 2);
  }
  if (accuracy && state.trainAccuracy.values.length > 1 && info.at(-1)?.includes("acc ")) {
    const last = info.length - 1;
    const room = inner - visibleWidth(info[last]) - 1;
    if (room >= 6) {
      const values = seriesValues(
        hasTest && latest?.testAccuracy !== undefined ? state.testAccuracy : state.trainAccuracy,
      );
      info[last] += " " +
        paint(sparkline(values, { width: Math.min(room, 40), min: 0, max: 1 }), GOOD, color);
    }
  }
  const chartHeight = Math.max(1, height - 2 - info.length);
  // While rewinding, a cursor at the epoch shown: the series span epochs 1 to the live epoch evenly.
  const rewind = state.rewind;
  const live = rewind?.liveEpoch ?? latest?.epoch ?? 1;
  const cursor = rewind && latest ? (live > 1 ? (latest.epoch - 1) / (live - 1) : 1) : undefined;
  const chart = state.trainLoss.values.length > 0
    ? lineChart(series, {
      width: inner,
      height: chartHeight,
      color,
      log: state.logScale,
      cursor,
      cursorRgb: ACCENT,
    })
    : [paint(waitingText(state), DIM, color)];
  const content = [
    ...chart,
    ...Array(Math.max(0, chartHeight - chart.length)).fill(""),
    ...(latest ? info : []),
  ];
  const title = `Loss${state.logScale ? " (log)" : ""}${rewind && latest ? ` @ epoch ${latest.epoch}` : ""}`;
  return panel(title, content, { width, height, color });
}
