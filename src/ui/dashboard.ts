// The frame assembly: picks the layout by terminal size and joins the panels into one frame; plus the summary.

import { type ColorMode, truncate } from "./ansi.ts";
import { type PanelSize, percent } from "./panels/_common.ts";
import { renderBoundary } from "./panels/boundary.ts";
import { renderConfusion } from "./panels/confusion.ts";
import { renderCurve } from "./panels/curve.ts";
import { renderDetail } from "./panels/detail.ts";
import { renderFilters } from "./panels/filters.ts";
import { renderExplain } from "./panels/explain.ts";
import { renderFooter } from "./panels/footer.ts";
import { renderGradients } from "./panels/gradients.ts";
import { renderHeader } from "./panels/header.ts";
import { renderHelp } from "./panels/help.ts";
import { renderLoss } from "./panels/loss.ts";
import { renderNetwork } from "./panels/network.ts";
import { renderSamples } from "./panels/samples.ts";
import { viewedState } from "./rewind.ts";
import {
  availableViews,
  type DashboardState,
  type DashboardView,
  PICTURE_COLUMNS,
  PICTURE_ROWS,
  stateLabel,
} from "./state.ts";
import { formatDuration, formatNumber } from "./widgets/format.ts";
import { joinColumns, overlayCentered } from "./widgets/frame.ts";

export {
  appendSample,
  availableViews,
  type DashboardInput,
  type DashboardState,
  type DashboardView,
  foldEpochs,
  HISTORY_CAPACITY,
  initialDashboardState,
  PICTURE_COLUMNS,
  PICTURE_ROWS,
  reduceDashboard,
  type RewindState,
  type SampledSeries,
  stateLabel,
  type UiAction,
} from "./state.ts";
export { SATURATION_WARNING } from "./panels/gradients.ts";

/** The smallest terminal the dashboard draws in. */
export const MIN_COLUMNS = 80;
/** The smallest terminal height the dashboard draws in. */
export const MIN_ROWS = 24;

/** Options for {@linkcode renderFrame}. */
export interface RenderOptions {
  /** Terminal width in cells. */
  columns: number;
  /** Terminal height in lines. */
  rows: number;
  /** Colour mode. */
  color: ColorMode;
}

/** The outer size of every panel in a frame; a panel that is absent is not drawn. */
export interface DashboardLayout {
  /** The two header lines across the top. */
  header: PanelSize;
  /** The loss chart, top left. */
  loss: PanelSize;
  /** The place beside the loss chart: the network diagram, or the view `v` chose there (see `view`). */
  network: PanelSize;
  /** What the network's place shows: the network, or the samples, confusion or filters view. */
  view: DashboardView;
  /**
   * Whether image data show all their pictures ({@linkcode PICTURE_COLUMNS}×{@linkcode PICTURE_ROWS} and up):
   * the samples in the network's place, the confusion matrix and the filters in a row below; no network, no detail.
   */
  pictures: boolean;
  /** The sample images, when drawn (as the view beside the loss chart, or in the pictures layout). */
  samples?: PanelSize;
  /** The confusion matrix, when drawn. */
  confusion?: PanelSize;
  /** The first layer's filters, when drawn. */
  filters?: PanelSize;
  /** The decision boundary, top right, once the run sends one. */
  boundary?: PanelSize;
  /** A one-input regression's data and prediction curve, in the boundary's place, once the run sends either. */
  curve?: PanelSize;
  /** The gradients, below (the full width in the compact layout). */
  gradients: PanelSize;
  /** The selected layer's histograms, beside the gradients in the wide layout only. */
  detail?: PanelSize;
  /** The two footer lines across the bottom. */
  footer: PanelSize;
  /** The help box laid over the middle when it is open. */
  help: PanelSize;
  /** The explain view, which takes the whole body between the header and the footer when it is open. */
  explain: PanelSize;
}

/** The names of the layout's panel places (its fields that are sizes). */
export type PanelSlot = {
  [K in keyof DashboardLayout]-?: DashboardLayout[K] extends PanelSize | undefined ? K : never;
}[keyof DashboardLayout];

/**
 * Chooses the layout for a terminal of at least {@linkcode MIN_COLUMNS}×{@linkcode MIN_ROWS}: compact below
 * 110×34 (loss, network and boundary over the gradients), wide from there (the detail panel beside the gradients);
 * the boundary's place shows the curve for one-input regression; the network's place shows the view `v` chose.
 * Image data from 120×40 get the pictures layout instead: loss and samples, then confusion and filters, then the
 * gradients.
 */
export function dashboardLayout(state: DashboardState, options: RenderOptions): DashboardLayout {
  const layout = placePanels(state, options);
  if (layout.pictures || layout.view === "network") return layout;
  return { ...layout, [layout.view]: layout.network };
}

function placePanels(state: DashboardState, options: RenderOptions): DashboardLayout {
  const { columns, rows, color } = options;
  const body = rows - 4;
  const wide = columns >= 110 && rows >= 34;
  const layerCount = state.run?.network.layers.length ?? state.latest?.layers.length ?? 1;
  // the boundary's place shows the boundary of two-input data or the curve of one-input regression
  const hasCurve = state.boundary === undefined &&
    (state.curve !== undefined || state.run?.curvePoints !== undefined);
  const hasBoundary = state.boundary !== undefined || hasCurve;
  const output = (panel: PanelSize) =>
    hasCurve ? { boundary: undefined, curve: panel } : { boundary: hasBoundary ? panel : undefined };
  const size = (width: number, height: number): PanelSize => ({ width, height, color });
  const views = availableViews(state);
  const lines = {
    header: size(columns, 2),
    footer: size(columns, 2),
    help: size(Math.min(columns - 4, 50), rows),
    view: views.includes(state.view) ? state.view : "network" as DashboardView,
    pictures: false,
    explain: size(columns, body),
  };
  if (columns >= PICTURE_COLUMNS && rows >= PICTURE_ROWS && views.includes("samples")) {
    const gradientHeight = Math.min(layerCount + 3, Math.max(3, body - 30));
    const top = Math.ceil((body - gradientHeight) / 2);
    const middle = body - gradientHeight - top;
    const leftWidth = Math.max(44, Math.floor(columns * 0.36));
    const confusion = views.includes("confusion");
    return {
      ...lines,
      view: "network",
      pictures: true,
      loss: size(leftWidth, top),
      network: size(columns - leftWidth, top),
      samples: size(columns - leftWidth, top),
      confusion: confusion ? size(leftWidth, middle) : undefined,
      filters: size(confusion ? columns - leftWidth : columns, middle),
      gradients: size(columns, gradientHeight),
    };
  }
  if (wide) {
    const top = Math.ceil(body / 2);
    const bottom = body - top;
    const boundaryWidth = hasBoundary ? Math.min(2 * (top - 2), Math.floor(columns * 0.3)) + 2 : 0;
    const lossWidth = Math.floor((columns - boundaryWidth) / 2);
    const gradientWidth = Math.floor(columns * 0.6);
    return {
      ...lines,
      loss: size(lossWidth, top),
      network: size(columns - boundaryWidth - lossWidth, top),
      ...output(size(boundaryWidth, top)),
      gradients: size(gradientWidth, bottom),
      detail: size(columns - gradientWidth, bottom),
    };
  }
  const gradientHeight = Math.min(layerCount + 3, Math.max(3, body - 12));
  const top = body - gradientHeight;
  const boundaryWidth = hasBoundary ? Math.min(2 * (top - 2), Math.floor(columns * 0.25)) + 2 : 0;
  const lossWidth = Math.floor((columns - boundaryWidth) * (hasBoundary ? 0.52 : 0.5));
  return {
    ...lines,
    loss: size(lossWidth, top),
    network: size(columns - boundaryWidth - lossWidth, top),
    ...output(size(boundaryWidth, top)),
    gradients: size(columns, gradientHeight),
  };
}

/** The panels that can take the network's place, by view. */
const VIEWS: Record<DashboardView, (state: DashboardState, size: PanelSize) => string[]> = {
  network: renderNetwork,
  samples: renderSamples,
  confusion: renderConfusion,
  filters: renderFilters,
};

/** One panel's lines beside its width, as {@linkcode joinColumns} takes them. */
function block(lines: string[], size: PanelSize): { lines: string[]; width: number } {
  return { lines, width: size.width };
}

/**
 * Renders the whole dashboard as one frame: lines joined by "\n", none wider than `columns`, at most `rows` lines.
 * At 80×24 the layout is compact; from about 110×34 it adds the selected layer's histograms. Pure: the same
 * state and options always give the same string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState, renderFrame } from "./dashboard.ts";
 * const frame = renderFrame(initialDashboardState(), { columns: 80, rows: 24, color: "none" });
 * assert.equal(frame.split("\n").length, 24);
 * ```
 */
export function renderFrame(state: DashboardState, options: RenderOptions): string {
  const { columns, rows } = options;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    const message = `Terminal too small: need ${MIN_COLUMNS}×${MIN_ROWS}, have ${columns}×${rows}`;
    const lines = [truncate(message, Math.max(1, columns))];
    if (rows >= 2) lines.push(truncate("Resize the window, or press q to quit", Math.max(1, columns)));
    return lines.slice(0, Math.max(1, rows)).join("\n");
  }
  // While rewinding, every panel draws the snapshot's epoch.
  state = viewedState(state);
  const layout = dashboardLayout(state, options);
  const { confusion, filters } = layout;
  if (state.explain?.open) {
    let view = [
      ...renderHeader(state, layout.header),
      ...renderExplain(state, layout.explain),
      ...renderFooter(state, layout.footer),
    ];
    if (state.help) {
      view = overlayCentered(view, {
        box: renderHelp(state, layout.help),
        width: layout.help.width,
        columns,
      });
    }
    return view.slice(0, rows).map((line) => truncate(line, columns)).join("\n");
  }
  const upper = [
    block(renderLoss(state, layout.loss), layout.loss),
    block(VIEWS[layout.pictures ? "samples" : layout.view](state, layout.network), layout.network),
    ...(layout.boundary ? [block(renderBoundary(state, layout.boundary), layout.boundary)] : []),
    ...(layout.curve ? [block(renderCurve(state, layout.curve), layout.curve)] : []),
  ];
  const middle = layout.pictures
    ? joinColumns([
      ...(confusion ? [block(renderConfusion(state, confusion), confusion)] : []),
      ...(filters ? [block(renderFilters(state, filters), filters)] : []),
    ])
    : [];
  const gradients = renderGradients(state, layout.gradients);
  const lower = layout.detail
    ? joinColumns([
      block(gradients, layout.gradients),
      block(renderDetail(state, layout.detail), layout.detail),
    ])
    : gradients;
  let frame = [
    ...renderHeader(state, layout.header),
    ...joinColumns(upper),
    ...middle,
    ...lower,
    ...renderFooter(state, layout.footer),
  ];
  if (state.help) {
    const box = renderHelp(state, layout.help);
    frame = overlayCentered(frame, { box, width: layout.help.width, columns });
  }
  return frame.slice(0, rows).map((line) => truncate(line, columns)).join("\n");
}

/**
 * Returns a plain-text summary (no escapes) to leave on the main screen after the dashboard closes: final losses,
 * accuracy, the best epoch, why training ended and where the model was saved (or that it was not; nothing is said
 * about saving when no epoch was completed, which the caller words).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState, renderSummary } from "../../ui.ts";
 *
 * const summary = renderSummary(initialDashboardState());
 * assert.equal(typeof summary, "string");
 * assert.doesNotMatch(summary, /\x1b/); // plain text, no escapes
 * ```
 */
export function renderSummary(state: DashboardState): string {
  const run = state.run;
  const latest = state.latest;
  const lines: string[] = [];
  const epochs = latest?.epochs ?? run?.epochs ?? 0;
  const why = state.end
    ? `${stateLabel(state)} at epoch ${state.end.epoch}/${epochs}`
    : `stopped at epoch ${latest?.epoch ?? 0}/${epochs}`;
  lines.push(`termnet · ${run?.name ?? "run"}: ${why} (${formatDuration(latest?.elapsedSeconds ?? 0)})`);
  if (state.end?.message) lines.push(`  ${state.end.message}`);
  // The figures of the weights that were kept: early stopping's restored epoch when it gave those back (they are
  // the weights saved), else the last epoch's.
  const restored = state.end?.restored?.metrics;
  const final = restored ?? latest;
  if (final) {
    const test = final.testLoss !== undefined ? `   test loss ${formatNumber(final.testLoss, 8)}` : "";
    const which = restored !== undefined ? `   (epoch ${restored.epoch}, the weights kept)` : "";
    lines.push(`  train loss ${formatNumber(final.trainLoss, 8)}${test}${which}`);
    if (final.trainAccuracy !== undefined) {
      const testAccuracy = final.testAccuracy !== undefined ? `   test ${percent(final.testAccuracy)}` : "";
      lines.push(`  accuracy   train ${percent(final.trainAccuracy)}${testAccuracy}`);
    }
  }
  if (state.best) {
    lines.push(
      `  best ${state.best.split} loss ${formatNumber(state.best.loss, 8)} at epoch ${state.best.epoch}`,
    );
  }
  // before the first epoch ended there is nothing to save: the caller says what happened to the files (one line)
  if (state.savedPath) lines.push(`  model saved to ${state.savedPath}`);
  else if (latest !== undefined) lines.push("  model not saved");
  return lines.join("\n");
}
