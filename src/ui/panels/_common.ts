// What the panels share: their size type, the dashboard's colours, and small text helpers.

import { type ColorMode, type Rgb, truncate, visibleWidth } from "../ansi.ts";
import type { SampledSeries } from "../series.ts";
import type { DashboardState } from "../state.ts";
import { NEGATIVE, POSITIVE } from "../widgets/colors.ts";

/** Where a panel draws: its outer size in cells (frame included) and the colour mode. */
export interface PanelSize {
  /** Outer width in cells. */
  width: number;
  /** Outer height in lines. */
  height: number;
  /** Colour mode. */
  color: ColorMode;
}

/** Highlights: keys, the selected layer, feedback for a pending command. */
export const ACCENT: Rgb = [255, 200, 80];
/** Things going well: running, right answers. */
export const GOOD: Rgb = [80, 200, 120];
/** Things going wrong: divergence, exploding gradients, warnings. */
export const BAD: Rgb = [235, 80, 80];
/** Plain text drawn in colour. */
export const TEXT: Rgb = [200, 200, 200];
/** The training series (Playground blue). */
export const TRAIN_RGB: Rgb = POSITIVE;
/** The test series (Playground orange). */
export const TEST_RGB: Rgb = NEGATIVE;

/** Returns the colour of the header's state label: red for a bad end, amber when paused, green otherwise. */
export function stateColor(state: DashboardState): Rgb {
  if (state.end) return state.end.reason === "diverged" || state.end.reason === "interrupted" ? BAD : GOOD;
  return state.status === "paused" ? ACCENT : GOOD;
}

/** Formats a rate per second briefly: `640`, `8.2k`, `100k`, `1.2M`, or `-` when unknown. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "-";
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e4) return `${Math.round(perSecond / 1e3)}k`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return String(Math.round(perSecond));
}

/** Formats a fraction as a percentage with one decimal, e.g. `97.5%`, or `-` when absent. */
export function percent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : `${(value * 100).toFixed(1)}%`;
}

/** A series' stored values as the array the charts take (no copy). */
export function seriesValues(series: SampledSeries): number[] {
  return series.values as number[];
}

/** Options for {@linkcode fitParts}. */
export interface FitPartsOptions {
  /** Cells the line may take. */
  width: number;
  /** What goes between parts (may hold escapes). */
  separator: string;
}

/** Joins parts with separators, dropping parts from the end until the line fits. */
export function fitParts(parts: readonly string[], options: FitPartsOptions): string {
  const { width, separator } = options;
  for (let n = parts.length; n > 0; n--) {
    const line = parts.slice(0, n).join(separator);
    if (visibleWidth(line) <= width) return line;
  }
  return truncate(parts[0] ?? "", width);
}
