// The dashboard's model: a reducer that folds trainer events and UI actions into state, and pure frame rendering.

import type {
  DecisionBoundary,
  EndReason,
  EpochEvent,
  LayerStats,
  StartEvent,
  TrainCommand,
  TrainEvent,
} from "../train/events.ts";
import {
  bold,
  type ColorMode,
  fitWidth,
  paint,
  type Rgb,
  sliceWidth,
  truncate,
  visibleWidth,
} from "./ansi.ts";
import {
  boundaryPlot,
  type DiagramColumn,
  DIM,
  formatDuration,
  formatNumber,
  heatStrip,
  histogramChart,
  joinColumns,
  lineChart,
  NEGATIVE,
  networkDiagram,
  panel,
  POSITIVE,
  progressBar,
  sparkline,
} from "./widgets.ts";

/** The smallest terminal the dashboard draws in. */
export const MIN_COLUMNS = 80;
/** The smallest terminal height the dashboard draws in. */
export const MIN_ROWS = 24;
/** Share of saturated or dead units above which a layer gets a warning mark. */
export const SATURATION_WARNING = 0.5;
/** Points kept per history series; older points are merged in pairs when it fills. */
export const HISTORY_CAPACITY = 1024;

/** A series over epochs kept at bounded size: each stored value is the mean of `stride` consecutive epochs. */
export interface SampledSeries {
  /** Epochs per stored value (a power of two). */
  readonly stride: number;
  /** Stored means, oldest first. */
  readonly values: readonly number[];
  /** Epochs in the last stored value (≤ stride). */
  readonly lastCount: number;
}

/** An action from the user interface (not from the trainer). */
export type UiAction =
  | { type: "select_layer"; delta: number }
  | { type: "toggle_log" }
  | { type: "toggle_help" }
  | { type: "command_sent"; command: TrainCommand }
  | { type: "model_saved"; path?: string };

/** Anything {@linkcode reduceDashboard} folds: a trainer event or a UI action. */
export type DashboardInput = TrainEvent | UiAction;

/** Everything the dashboard shows, built only by {@linkcode reduceDashboard}. */
export interface DashboardState {
  /** The run's start event, once it came. */
  readonly run?: StartEvent;
  /** Whether training has not started, is running, is paused, or has ended. */
  readonly status: "waiting" | "running" | "paused" | "ended";
  /** Feedback for a command sent but not yet answered, e.g. `"pausing…"`. */
  readonly pending?: string;
  /** The latest epoch event. */
  readonly latest?: EpochEvent;
  /** The latest decision boundary (epochs may leave it out to save time; the last one stays shown). */
  readonly boundary?: DecisionBoundary;
  /** Learning rate in effect. */
  readonly learningRate: number;
  /** Learning rate asked for with `+`/`-` and not yet in effect. */
  readonly requestedLearningRate?: number;
  /** Training loss per epoch. */
  readonly trainLoss: SampledSeries;
  /** Test loss per epoch (NaN when absent). */
  readonly testLoss: SampledSeries;
  /** Training accuracy per epoch (NaN when absent). */
  readonly trainAccuracy: SampledSeries;
  /** Test accuracy per epoch (NaN when absent). */
  readonly testAccuracy: SampledSeries;
  /** Gradient norm per layer per epoch. */
  readonly gradientNorms: readonly SampledSeries[];
  /** Lowest loss so far (test loss when there is a test split) and its epoch. */
  readonly best?: { readonly loss: number; readonly epoch: number; readonly split: "train" | "test" };
  /** The latest notices, newest last. */
  readonly notices: readonly string[];
  /** How training ended. */
  readonly end?: { readonly reason: EndReason; readonly epoch: number; readonly message: string };
  /** Where the model was last saved. */
  readonly savedPath?: string;
  /** Selected layer (0 is the first hidden layer). */
  readonly selectedLayer: number;
  /** Whether the loss chart uses a log scale. */
  readonly logScale: boolean;
  /** Whether the help overlay is shown. */
  readonly help: boolean;
}

/**
 * Returns the state before any event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState } from "./dashboard.ts";
 * assert.equal(initialDashboardState().status, "waiting");
 * ```
 */
export function initialDashboardState(): DashboardState {
  return {
    status: "waiting",
    learningRate: 0,
    trainLoss: EMPTY_SERIES,
    testLoss: EMPTY_SERIES,
    trainAccuracy: EMPTY_SERIES,
    testAccuracy: EMPTY_SERIES,
    gradientNorms: [],
    notices: [],
    selectedLayer: 0,
    logScale: false,
    help: false,
  };
}

/**
 * A series that appends in O(1): the stored means live in an append-only buffer shared by successive versions
 * (each version reads only its own prefix) and the last, still-growing mean is kept beside it, so a new epoch
 * costs no copy of the history. Versions stay immutable; a version appended to twice copies its prefix.
 */
class SharedSeries implements SampledSeries {
  readonly stride: number;
  readonly lastCount: number;
  /** Buffer of finished means (shared); this version owns indices [0, finished). */
  readonly buffer: number[];
  /** How many buffer entries belong to this version. */
  readonly finished: number;
  /** The last stored mean (not in the buffer). */
  readonly last: number | undefined;
  #values: readonly number[] | undefined;

  constructor(
    stride: number,
    lastCount: number,
    buffer: number[],
    finished: number,
    last: number | undefined,
  ) {
    this.stride = stride;
    this.lastCount = lastCount;
    this.buffer = buffer;
    this.finished = finished;
    this.last = last;
  }

  /** Stored means, oldest first (built once per version, when read). */
  get values(): readonly number[] {
    if (this.#values === undefined) {
      const values = this.buffer.slice(0, this.finished);
      if (this.last !== undefined) values.push(this.last);
      this.#values = values;
    }
    return this.#values;
  }
}

const EMPTY_SERIES: SampledSeries = new SharedSeries(1, 0, [], 0, undefined);

function toShared(series: SampledSeries): SharedSeries {
  if (series instanceof SharedSeries) return series;
  const values = [...series.values];
  const last = values.pop();
  return new SharedSeries(series.stride, series.lastCount, values, values.length, last);
}

/**
 * A series appended to in place while one batch of epochs is folded, then frozen into a {@linkcode SharedSeries}
 * by `build()`: the versions in between are never seen, so a batch costs one new version per series, not one per
 * epoch. Appends follow exactly the rules of {@linkcode appendSample} (which is built on it).
 */
class SeriesBuilder {
  // Plain fields, `last` always a number (`lastCount` 0 when there is none): this runs cold, per epoch.
  stride: number;
  lastCount: number;
  buffer: number[];
  finished: number;
  last: number;

  constructor(series: SampledSeries) {
    const current = toShared(series);
    this.stride = current.stride;
    this.buffer = current.buffer;
    this.finished = current.finished;
    this.lastCount = current.last === undefined ? 0 : current.lastCount;
    this.last = current.last ?? 0;
  }

  /**
   * Appends `values[0..count)`, one epoch each, oldest first: each goes into the last mean while it holds fewer
   * than `stride` epochs, else starts a new mean; a full series merges its means in pairs. The loop works on
   * locals and calls nothing but the rare merge, since it runs thousands of times before V8 optimizes it.
   */
  pushAll(values: Float64Array, count: number): void {
    let stride = this.stride, lastCount = this.lastCount, buffer = this.buffer;
    let finished = this.finished, last = this.last;
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (lastCount === 0) {
        buffer = [];
        lastCount = 1;
        last = value;
      } else if (lastCount < stride) {
        last = (last * lastCount + value) / (lastCount + 1);
        lastCount++;
      } else {
        // take the buffer over when this version is its tip; otherwise another version has appended: copy
        if (buffer.length !== finished) buffer = buffer.slice(0, finished);
        buffer[finished++] = last;
        lastCount = 1;
        last = value;
      }
      if (lastCount === stride && finished + 1 >= HISTORY_CAPACITY) {
        this.stride = stride, this.lastCount = lastCount, this.buffer = buffer;
        this.finished = finished, this.last = last;
        this.merge();
        stride = this.stride, lastCount = this.lastCount, buffer = this.buffer;
        finished = this.finished, last = this.last;
      }
    }
    this.stride = stride, this.lastCount = lastCount, this.buffer = buffer;
    this.finished = finished, this.last = last;
  }

  /** The series as it stands, as an immutable version. */
  build(): SharedSeries {
    const last = this.lastCount === 0 ? undefined : this.last;
    return new SharedSeries(this.stride, this.lastCount, this.buffer, this.finished, last);
  }

  /** Merges neighbours in pairs (into a new buffer): the series is full and its last mean complete. */
  merge(): void {
    const values = this.buffer.slice(0, this.finished);
    values.push(this.last);
    const merged: number[] = [];
    for (let i = 0; i + 1 < values.length; i += 2) merged.push((values[i] + values[i + 1]) / 2);
    if (values.length % 2 === 1) {
      merged.push(values[values.length - 1]);
      this.lastCount = this.stride;
    } else this.lastCount = this.stride * 2;
    this.stride *= 2;
    this.last = merged.pop()!;
    this.buffer = merged;
    this.finished = merged.length;
  }
}

/**
 * Appends one epoch's value to a series, merging neighbours in pairs when it reaches
 * {@linkcode HISTORY_CAPACITY}, so memory stays bounded however long the run; an append copies nothing.
 */
export function appendSample(series: SampledSeries, value: number): SampledSeries {
  const builder = new SeriesBuilder(series);
  builder.pushAll(Float64Array.of(value), 1);
  return builder.build();
}

/** The trainer's confirmation of a rate change, e.g. "Learning rate set to 0.02". */
const LEARNING_RATE_PATTERN = /^Learning rate set to (\S+)$/;

/** Whether `rate` is the requested rate (up to rounding), so the request is done. */
function reachedRequest(rate: number, requested: number | undefined): boolean {
  return requested !== undefined && Math.abs(rate - requested) <= 1e-12 * requested;
}

const SAVED_PATTERN = /\b(?:saved|wrote|written)\b.*?\b(?:to|at|in|as)\s+["'`]?([^\s"'`]+?)["'`]?\.?$/i;

function pendingFor(command: TrainCommand): string {
  switch (command.type) {
    case "pause":
      return "pausing…";
    case "resume":
      return "resuming…";
    case "step":
      return "stepping one epoch…";
    case "set_learning_rate":
      return `learning rate → ${formatNumber(command.value, 8)}…`;
    case "save":
      return "saving…";
    case "quit":
      return "quitting and saving…";
    case "restart":
      return "restarting…";
  }
}

/** One epoch's value of series `series`: 0 train loss, 1 test loss, 2 and 3 the accuracies, 4 + i layer i's norm. */
function seriesValue(epoch: EpochEvent, series: number): number {
  switch (series) {
    case 0:
      return epoch.trainLoss;
    case 1:
      return epoch.testLoss ?? NaN;
    case 2:
      return epoch.trainAccuracy ?? NaN;
    case 3:
      return epoch.testAccuracy ?? NaN;
    default:
      return epoch.layers[series - 4].gradientNorm;
  }
}

/**
 * Folds a batch of epoch events, oldest first, into the state: the same state as folding them one by one with
 * {@linkcode reduceDashboard}, built once. Small networks send thousands of epochs a second, most of them before
 * V8 has optimized anything, so the dashboard folds the epochs that came since the last frame in one go.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldEpochs, initialDashboardState } from "./dashboard.ts";
 * const epoch = (n: number, loss: number) => ({
 *   type: "epoch" as const, epoch: n, epochs: 2, trainLoss: loss, learningRate: 0.1,
 *   samplesPerSecond: 4, elapsedSeconds: n, layers: [],
 * });
 * const state = foldEpochs(initialDashboardState(), [epoch(1, 0.5), epoch(2, 0.25)]);
 * assert.deepEqual(state.trainLoss.values, [0.5, 0.25]);
 * assert.equal(state.best?.epoch, 2);
 * ```
 */
export function foldEpochs(state: DashboardState, epochs: readonly EpochEvent[]): DashboardState {
  if (epochs.length === 0) return state;
  const scalars = [
    new SeriesBuilder(state.trainLoss),
    new SeriesBuilder(state.testLoss),
    new SeriesBuilder(state.trainAccuracy),
    new SeriesBuilder(state.testAccuracy),
  ];
  const norms: SeriesBuilder[] = [];
  for (const series of state.gradientNorms) norms.push(new SeriesBuilder(series));
  let best = state.best;
  let hasBest = best !== undefined;
  let bestLoss = best === undefined ? Infinity : best.loss;
  let bestEpoch = 0;
  let bestSplit: "train" | "test" = "train";
  let improved = false;
  let requested = state.requestedLearningRate;
  let boundary = state.boundary;
  let selectedLayer = state.selectedLayer;
  for (let k = 0; k < epochs.length; k++) {
    const input = epochs[k];
    const loss = input.testLoss ?? input.trainLoss;
    if (Number.isFinite(loss) && (!hasBest || loss < bestLoss)) {
      hasBest = true;
      bestLoss = loss;
      bestEpoch = input.epoch;
      bestSplit = input.testLoss !== undefined ? "test" : "train";
      improved = true;
    }
    if (requested !== undefined && reachedRequest(input.learningRate, requested)) requested = undefined;
    if (input.boundary !== undefined) boundary = input.boundary;
    selectedLayer = Math.min(selectedLayer, Math.max(0, input.layers.length - 1));
  }
  // The series, one column at a time, in runs of epochs with the same layer count (a run starts the series of
  // layers that appear and drops those of layers that go, as folding epoch by epoch would). One call site for
  // pushAll keeps the code V8 optimizes small: it is compiled while the first epochs are still coming.
  const column = new Float64Array(epochs.length);
  for (let from = 0; from < epochs.length;) {
    const layerCount = epochs[from].layers.length;
    let to = from + 1;
    while (to < epochs.length && epochs[to].layers.length === layerCount) to++;
    if (norms.length > layerCount) norms.length = layerCount;
    while (norms.length < layerCount) norms.push(new SeriesBuilder(EMPTY_SERIES));
    for (let series = 0; series < 4 + layerCount; series++) {
      for (let k = from; k < to; k++) column[k - from] = seriesValue(epochs[k], series);
      (series < 4 ? scalars[series] : norms[series - 4]).pushAll(column, to - from);
    }
    from = to;
  }
  if (improved) best = { loss: bestLoss, epoch: bestEpoch, split: bestSplit };
  const gradientNorms: SampledSeries[] = [];
  for (const builder of norms) gradientNorms.push(builder.build());
  const pending = state.pending;
  return {
    run: state.run,
    status: state.status === "waiting" ? "running" : state.status,
    pending: pending !== undefined && pending.startsWith("stepping") ? undefined : pending,
    latest: epochs[epochs.length - 1],
    boundary,
    learningRate: epochs[epochs.length - 1].learningRate,
    requestedLearningRate: requested,
    trainLoss: scalars[0].build(),
    testLoss: scalars[1].build(),
    trainAccuracy: scalars[2].build(),
    testAccuracy: scalars[3].build(),
    gradientNorms,
    best,
    notices: state.notices,
    end: state.end,
    savedPath: state.savedPath,
    selectedLayer,
    logScale: state.logScale,
    help: state.help,
  };
}

/**
 * Folds one trainer event or UI action into the dashboard state and returns the new state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState, reduceDashboard } from "./dashboard.ts";
 * const state = reduceDashboard(initialDashboardState(), { type: "toggle_log" });
 * assert.ok(state.logScale);
 * ```
 */
export function reduceDashboard(state: DashboardState, input: DashboardInput): DashboardState {
  switch (input.type) {
    case "start":
      return {
        ...initialDashboardState(),
        run: input,
        status: "running",
        learningRate: input.learningRate,
        gradientNorms: input.network.layers.map(() => EMPTY_SERIES),
        notices: state.notices,
        savedPath: undefined,
        selectedLayer: Math.min(state.selectedLayer, Math.max(0, input.network.layers.length - 1)),
        logScale: state.logScale,
        help: state.help,
      };
    case "epoch":
      return foldEpochs(state, [input]);
    case "notice": {
      const saved = SAVED_PATTERN.exec(input.message);
      const pending = saved && state.pending?.startsWith("saving") ? undefined : state.pending;
      const learningRateNotice = /learning rate/i.test(input.message) &&
        state.pending?.startsWith("learning rate");
      // The trainer confirms a new rate as soon as it takes it (while paused too): show it now, not next epoch.
      const confirmed = LEARNING_RATE_PATTERN.exec(input.message);
      const rate = confirmed ? Number(confirmed[1]) : NaN;
      const hasRate = rate > 0 && Number.isFinite(rate);
      return {
        ...state,
        notices: [...state.notices, input.message].slice(-5),
        savedPath: saved ? saved[1] : state.savedPath,
        pending: learningRateNotice ? undefined : pending,
        learningRate: hasRate ? rate : state.learningRate,
        requestedLearningRate: hasRate && reachedRequest(rate, state.requestedLearningRate)
          ? undefined
          : state.requestedLearningRate,
      };
    }
    case "state":
      return {
        ...state,
        status: state.status === "ended" ? "ended" : input.paused ? "paused" : "running",
        pending: state.pending === "pausing…" || state.pending === "resuming…" ||
            state.pending?.startsWith("stepping")
          ? undefined
          : state.pending,
      };
    case "end":
      return {
        ...state,
        status: "ended",
        pending: undefined,
        end: { reason: input.reason, epoch: input.epoch, message: input.message },
      };
    case "select_layer": {
      const count = state.run?.network.layers.length ?? state.latest?.layers.length ?? 0;
      if (count === 0) return state;
      return { ...state, selectedLayer: (((state.selectedLayer + input.delta) % count) + count) % count };
    }
    case "toggle_log":
      return { ...state, logScale: !state.logScale };
    case "toggle_help":
      return { ...state, help: !state.help };
    case "command_sent":
      return {
        ...state,
        pending: pendingFor(input.command),
        requestedLearningRate: input.command.type === "set_learning_rate"
          ? input.command.value
          : state.requestedLearningRate,
      };
    case "model_saved":
      return {
        ...state,
        savedPath: input.path ?? state.savedPath,
        pending: state.pending?.startsWith("saving") ? undefined : state.pending,
      };
  }
}

/** Options for {@linkcode renderFrame}. */
export interface RenderOptions {
  /** Terminal width in cells. */
  columns: number;
  /** Terminal height in lines. */
  rows: number;
  /** Colour mode. */
  color: ColorMode;
}

const ACCENT: Rgb = [255, 200, 80];
const GOOD: Rgb = [80, 200, 120];
const BAD: Rgb = [235, 80, 80];
const TEXT: Rgb = [200, 200, 200];
const TRAIN_RGB: Rgb = POSITIVE;
const TEST_RGB: Rgb = NEGATIVE;
const LAYER_COLORS: readonly Rgb[] = [[86, 180, 233], [240, 170, 60], [0, 170, 130], [220, 120, 170], [
  230,
  220,
  90,
]];

const END_LABELS: Record<EndReason, string> = {
  done: "done",
  early_stop: "stopped early",
  target_loss: "reached target loss",
  diverged: "diverged",
  quit: "quit",
  interrupted: "interrupted",
};

/** Returns the one-word state shown in the header, e.g. `"running"`, `"paused"`, `"diverged"`. */
export function stateLabel(state: DashboardState): string {
  if (state.end) return END_LABELS[state.end.reason];
  if (state.status === "waiting") return "starting";
  return state.status;
}

function stateColor(state: DashboardState): Rgb {
  if (state.end) return state.end.reason === "diverged" || state.end.reason === "interrupted" ? BAD : GOOD;
  return state.status === "paused" ? ACCENT : GOOD;
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "-";
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e4) return `${Math.round(perSecond / 1e3)}k`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return String(Math.round(perSecond));
}

function percent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : `${(value * 100).toFixed(1)}%`;
}

function seriesValues(series: SampledSeries): number[] {
  return series.values as number[];
}

/** Joins parts with separators, dropping parts from the end until the line fits. */
function fitParts(parts: readonly string[], width: number, separator: string): string {
  for (let n = parts.length; n > 0; n--) {
    const line = parts.slice(0, n).join(separator);
    if (visibleWidth(line) <= width) return line;
  }
  return truncate(parts[0] ?? "", width);
}

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

function renderHeader(state: DashboardState, options: RenderOptions): string[] {
  const { columns, color } = options;
  const run = state.run;
  const latest = state.latest;
  const epochs = latest?.epochs ?? run?.epochs ?? 0;
  const epoch = latest?.epoch ?? 0;
  const label = state.pending ?? stateLabel(state);
  const marker = state.status === "paused" ? "❚❚" : state.end ? "■" : "▶";
  const status = paint(`${marker} ${label}`, state.pending ? ACCENT : stateColor(state), color);
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
  const elapsed = latest?.elapsedSeconds ?? 0;
  const eta = epoch > 0 && !state.end ? (elapsed / epoch) * (epochs - epoch) : state.end ? 0 : NaN;
  const learningRate = state.requestedLearningRate !== undefined
    ? `lr ${formatNumber(state.learningRate, 8)}→${formatNumber(state.requestedLearningRate, 8)}`
    : `lr ${formatNumber(state.learningRate, 8)}`;
  const dim = (text: string) => paint(text, DIM, color);
  const parts = [
    `elapsed ${formatDuration(elapsed)}`,
    state.end ? "" : `eta ${formatDuration(eta)}`,
    `${formatRate(latest?.samplesPerSecond ?? NaN)} samples/s`,
    learningRate,
    run ? `${run.optimizer} · ${run.loss}` : "",
    run ? `${run.trainSize} train / ${run.testSize} test` : "",
  ].filter((p) => p !== "");
  const line2 = " " + fitParts(parts, columns - 1, dim(" · "));
  return [line1, line2];
}

function lossPanel(
  state: DashboardState,
  size: { width: number; height: number; color: ColorMode },
): string[] {
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
  const info = wrapParts(items, inner, height >= 14 ? 3 : 2);
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
  const chart = state.trainLoss.values.length > 0
    ? lineChart(series, { width: inner, height: chartHeight, color, log: state.logScale })
    : [paint("waiting for the first epoch…", DIM, color)];
  const content = [
    ...chart,
    ...Array(Math.max(0, chartHeight - chart.length)).fill(""),
    ...(latest ? info : []),
  ];
  const title = `Loss${state.logScale ? " (log)" : ""}`;
  return panel(title, content, { width, height, color });
}

function activationScale(layer: LayerStats): number[] {
  const values = layer.meanActivation;
  const name = layer.activation.toLowerCase();
  if (name === "sigmoid" || name === "softmax") return values.map((v) => v);
  if (name === "tanh") return values.map((v) => (v + 1) / 2);
  const low = Math.min(0, ...values);
  const high = Math.max(...values);
  return values.map((v) => (high - low > 0 ? (v - low) / (high - low) : 0));
}

function networkPanel(
  state: DashboardState,
  size: { width: number; height: number; color: ColorMode },
): string[] {
  const { width, height, color } = size;
  const run = state.run;
  const layers = state.latest?.layers;
  if (!run) return panel("Network", [], { width, height, color });
  const columns: DiagramColumn[] = [
    { label: `in ${run.network.input}`, sublabel: "input", units: run.network.input },
    ...run.network.layers.map((layer, i): DiagramColumn => ({
      label: `${i === run.network.layers.length - 1 ? "out" : `L${i + 1}`} ${layer.units}`,
      sublabel: layer.activation,
      units: layer.units,
      values: layers?.[i] ? activationScale(layers[i]) : undefined,
      weights: layers?.[i]?.weights,
    })),
  ];
  const shape = [run.network.input, ...run.network.layers.map((l) => l.units)].join("-");
  const diagram = networkDiagram(columns, {
    width: width - 2,
    height: height - 2,
    color,
    selected: state.selectedLayer + 1,
  });
  return panel(`Network ${shape}`, diagram, { width, height, color });
}

function boundaryPanel(
  state: DashboardState,
  size: { width: number; height: number; color: ColorMode },
): string[] {
  const { width, height, color } = size;
  const boundary = state.boundary;
  if (!boundary) return panel("Output", [], { width, height, color });
  const plot = boundaryPlot({ ...boundary, points: state.run?.points }, {
    width: width - 2,
    height: height - 2,
    color,
  });
  return panel("Output", plot, { width, height, color });
}

function gradientPanel(
  state: DashboardState,
  size: { width: number; height: number; color: ColorMode },
): string[] {
  const { width, height, color } = size;
  const inner = width - 2;
  const layers = state.latest?.layers ?? [];
  const names = state.run?.network.layers ?? [];
  // log10 of every norm, taken once: the range over all layers, then each layer's history (-Infinity for
  // norms that are not positive, drawn at the bottom of the range)
  let low = Infinity;
  let high = -Infinity;
  const histories: number[][] = [];
  for (const series of state.gradientNorms) {
    const values = series.values;
    const history: number[] = [];
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      const t = v > 0 ? Math.log10(v) : -Infinity;
      if (v > 0 && Number.isFinite(v)) {
        if (t < low) low = t;
        if (t > high) high = t;
      }
      history.push(t);
    }
    histories.push(history);
  }
  const rowsAvailable = height - 2 - (height - 2 > layers.length ? 1 : 0);
  const first = Math.max(
    0,
    Math.min(state.selectedLayer - Math.floor(rowsAvailable / 2), layers.length - rowsAvailable),
  );
  const fixed = 48;
  const rest = Math.max(4, inner - fixed);
  const widest = Math.max(1, ...layers.map((l) => l.unitGradient.length));
  const heatWidth = Math.max(8, Math.min(Math.floor(rest * 0.4), 32, widest));
  const sparkWidth = Math.max(2, rest - heatWidth - 2);
  const content: string[] = [];
  if (height - 2 > layers.length) {
    content.push(
      paint(
        `  ${"layer".padEnd(6)}${"act".padEnd(8)}${"units".padStart(5)}  ${"‖dW‖".padEnd(9)}${
          (sparkWidth >= 13 ? "history (log)" : "history").padEnd(sparkWidth + 1)
        } ${"per unit".padEnd(heatWidth + 2)} sat/dead`,
        DIM,
        color,
      ),
    );
  }
  for (let i = first; i < Math.min(layers.length, first + rowsAvailable); i++) {
    const layer = layers[i];
    const selected = i === state.selectedLayer;
    const marker = selected ? paint("▸", ACCENT, color) : " ";
    const name = `${i === names.length - 1 ? "out" : `L${i + 1}`}`.padEnd(6);
    const norm = layer.gradientNorm;
    const flag = !Number.isFinite(norm) || norm > 1e3
      ? paint("▲", BAD, color)
      : norm < 1e-6
      ? paint("▼", ACCENT, color)
      : " ";
    const history = histories[i] ?? [];
    for (let j = 0; j < history.length; j++) if (history[j] === -Infinity) history[j] = low;
    const spark = sparkline(history, {
      width: sparkWidth,
      min: Number.isFinite(low) ? low : undefined,
      max: Number.isFinite(high) ? high : undefined,
    });
    const strip = heatStrip(layer.unitGradient, {
      width: Math.min(heatWidth, layer.unitGradient.length),
      color,
    });
    const share = layer.saturatedShare;
    // A saturated output layer is a confident classifier, not a problem: only hidden layers are flagged.
    const warn = share > SATURATION_WARNING && i < names.length - 1;
    const shareText = ` ${`${Math.round(share * 100)}%`.padStart(4)}${warn ? " !" : "  "}`;
    const kind = layer.activation.toLowerCase().includes("relu") ? "dead" : "sat";
    const line = `${marker} ${selected ? bold(name, color) : name}${layer.activation.slice(0, 7).padEnd(8)}` +
      `${String(layer.units).padStart(5)}  ${formatNumber(norm, 7).padEnd(7)}${flag} ` +
      `${paint(fitWidth(spark, sparkWidth), selected ? ACCENT : TEXT, color)} ` +
      ` ${paint("│", DIM, color)}${fitWidth(strip, heatWidth)}${paint("│", DIM, color)} ` +
      `${warn ? paint(`${kind}${shareText}`, BAD, color) : `${kind}${shareText}`}`;
    content.push(line);
  }
  if (layers.length === 0) content.push(paint("no gradients yet", DIM, color));
  const free = height - 2 - content.length;
  if (free >= 6 && layers.length > 0) {
    const series = state.gradientNorms.map((norms, i) => ({
      values: seriesValues(norms).map((v) => (v > 0 ? v : NaN)),
      rgb: LAYER_COLORS[i % LAYER_COLORS.length],
    }));
    const legend = layers.map((_, i) =>
      paint(`━ ${i === names.length - 1 ? "out" : `L${i + 1}`}`, LAYER_COLORS[i % LAYER_COLORS.length], color)
    );
    content.push("", paint("‖dW‖ over epochs (log scale)", DIM, color) + "  " + legend.join(" "));
    content.push(...lineChart(series, { width: inner, height: free - 2, color, log: true }));
  }
  return panel("Gradients", content, { width, height, color });
}

function detailPanel(
  state: DashboardState,
  size: { width: number; height: number; color: ColorMode },
): string[] {
  const { width, height, color } = size;
  const inner = width - 2;
  const layer = state.latest?.layers[state.selectedLayer];
  const count = state.run?.network.layers.length ?? 0;
  const name = state.selectedLayer === count - 1 ? "output layer" : `layer ${state.selectedLayer + 1}`;
  if (!layer) return panel(`Detail: ${name}`, [], { width, height, color });
  const head = [
    `${layer.inputs}→${layer.units} ${layer.activation}`,
    `w μ ${formatNumber(layer.weightMean, 7)} σ ${formatNumber(layer.weightStd, 6)}`,
    `[${formatNumber(layer.weightMin, 6)}, ${formatNumber(layer.weightMax, 6)}]`,
  ];
  const histWidth = Math.floor((inner - 2) / 3);
  const barRows = Math.max(2, height - 2 - 4);
  const blocks = [
    { title: "weights", histogram: layer.histograms.weights, rgb: POSITIVE },
    { title: "activations", histogram: layer.histograms.activations, rgb: GOOD },
    { title: "gradients", histogram: layer.histograms.gradients, rgb: NEGATIVE },
  ].map(({ title, histogram, rgb }) => ({
    lines: [
      paint(title, DIM, color),
      ...histogramChart(histogram, { width: histWidth, height: barRows, color, rgb }),
    ],
    width: histWidth + 1,
  }));
  const content = [fitParts(head, inner, "  "), "", ...joinColumns(blocks)];
  return panel(`Detail: ${name} (←/→)`, content, { width, height, color, highlight: false });
}

const KEYS: readonly [string, string][] = [
  ["space", "pause"],
  ["n", "step"],
  ["+/-", "lr"],
  ["←→", "layer"],
  ["s", "save"],
  ["l", "log"],
  ["r", "restart"],
  ["q", "quit"],
  ["?", "help"],
];

const HELP: readonly [string, string][] = [
  ["space", "pause or resume training"],
  ["n", "run one epoch (while paused)"],
  ["+ / -", "double / halve the learning rate"],
  ["← → tab", "select a layer"],
  ["s", "save a checkpoint now"],
  ["l", "toggle a log scale for the loss"],
  ["r", "restart from the same seed"],
  ["q  ctrl-c", "quit (saves the model)"],
  ["?  esc", "show or hide this help"],
];

function footer(state: DashboardState, options: RenderOptions): string[] {
  const { columns, color } = options;
  const latest = state.latest;
  let status = "";
  if (state.end) {
    const text = state.end.message || `${stateLabel(state)} at epoch ${state.end.epoch}`;
    status = paint(`■ ${text}`, stateColor(state), color);
  } else if (latest && !Number.isFinite(latest.trainLoss)) {
    status = paint(
      `loss is ${formatNumber(latest.trainLoss)}: training is diverging, try a smaller rate (-)`,
      BAD,
      color,
    );
  } else {
    const notice = state.notices.length > 0 ? `› ${state.notices[state.notices.length - 1]}` : "";
    const hint = state.status === "paused"
      ? paint("paused: space resumes, n runs one epoch", ACCENT, color)
      : "";
    status = [hint, notice].filter((p) => p !== "").join("   ");
  }
  const keys = KEYS.map(([key, what]) =>
    `${paint(key, ACCENT, color)} ${key === "space" && state.status === "paused" ? "resume" : what}`
  );
  // When the keys do not fit, the least needed go first (they stay listed in the help).
  const dropOrder = ["l", "r", "s", "←→", "+/-", "n"];
  let shown = KEYS.map(([key]) => key);
  for (const key of dropOrder) {
    if (visibleWidth(keys.filter((_, i) => shown.includes(KEYS[i][0])).join("  ")) <= columns - 1) break;
    shown = shown.filter((k) => k !== key);
  }
  const keyLine = truncate(keys.filter((_, i) => shown.includes(KEYS[i][0])).join("  "), columns - 1);
  return [" " + truncate(status, columns - 1), " " + keyLine];
}

function helpOverlay(lines: string[], options: RenderOptions): string[] {
  const width = Math.min(options.columns - 4, 50);
  const content = [
    "",
    ...HELP.map(([key, what]) => `  ${key.padEnd(10)} ${what}`),
    "",
    "  press ? or esc to close",
  ];
  const box = panel("Keys", content, {
    width,
    height: content.length + 2,
    color: options.color,
    highlight: true,
  });
  const top = Math.max(0, Math.floor((lines.length - box.length) / 2));
  const left = Math.floor((options.columns - width) / 2);
  const out = lines.slice();
  box.forEach((row, i) => {
    const line = out[top + i] ?? "";
    const padded = visibleWidth(line) < left ? line + " ".repeat(left - visibleWidth(line)) : line;
    out[top + i] = sliceWidth(padded, 0, left) + row + sliceWidth(padded, left + width);
  });
  return out;
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
  const { columns, rows, color } = options;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    const message = `Terminal too small: need ${MIN_COLUMNS}×${MIN_ROWS}, have ${columns}×${rows}`;
    const lines = [truncate(message, Math.max(1, columns))];
    if (rows >= 2) lines.push(truncate("Resize the window, or press q to quit", Math.max(1, columns)));
    return lines.slice(0, Math.max(1, rows)).join("\n");
  }
  const body = rows - 4;
  const wide = columns >= 110 && rows >= 34;
  const layerCount = state.run?.network.layers.length ?? state.latest?.layers.length ?? 1;
  const hasBoundary = state.boundary !== undefined;
  const size = (width: number, height: number) => ({ width, height, color });
  let lines: string[];
  if (wide) {
    const top = Math.ceil(body / 2);
    const bottom = body - top;
    const boundaryWidth = hasBoundary ? Math.min(2 * (top - 2), Math.floor(columns * 0.3)) + 2 : 0;
    const lossWidth = Math.floor((columns - boundaryWidth) / 2);
    const networkWidth = columns - boundaryWidth - lossWidth;
    const upper = [
      { lines: lossPanel(state, size(lossWidth, top)), width: lossWidth },
      { lines: networkPanel(state, size(networkWidth, top)), width: networkWidth },
      ...(hasBoundary
        ? [{ lines: boundaryPanel(state, size(boundaryWidth, top)), width: boundaryWidth }]
        : []),
    ];
    const gradientWidth = Math.floor(columns * 0.6);
    const detailWidth = columns - gradientWidth;
    const lower = [
      { lines: gradientPanel(state, size(gradientWidth, bottom)), width: gradientWidth },
      { lines: detailPanel(state, size(detailWidth, bottom)), width: detailWidth },
    ];
    lines = [...joinColumns(upper), ...joinColumns(lower)];
  } else {
    const gradientHeight = Math.min(layerCount + 3, Math.max(3, body - 12));
    const top = body - gradientHeight;
    const boundaryWidth = hasBoundary ? Math.min(2 * (top - 2), Math.floor(columns * 0.25)) + 2 : 0;
    const lossWidth = Math.floor((columns - boundaryWidth) * (hasBoundary ? 0.52 : 0.5));
    const networkWidth = columns - boundaryWidth - lossWidth;
    const upper = [
      { lines: lossPanel(state, size(lossWidth, top)), width: lossWidth },
      { lines: networkPanel(state, size(networkWidth, top)), width: networkWidth },
      ...(hasBoundary
        ? [{ lines: boundaryPanel(state, size(boundaryWidth, top)), width: boundaryWidth }]
        : []),
    ];
    lines = [...joinColumns(upper), ...gradientPanel(state, size(columns, gradientHeight))];
  }
  let frame = [...renderHeader(state, options), ...lines, ...footer(state, options)];
  if (state.help) frame = helpOverlay(frame, options);
  return frame.slice(0, rows).map((line) => truncate(line, columns)).join("\n");
}

/**
 * Returns a plain-text summary (no escapes) to leave on the main screen after the dashboard closes: final losses,
 * accuracy, the best epoch, why training ended and where the model was saved.
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
  if (latest) {
    const test = latest.testLoss !== undefined ? `   test loss ${formatNumber(latest.testLoss, 8)}` : "";
    lines.push(`  train loss ${formatNumber(latest.trainLoss, 8)}${test}`);
    if (latest.trainAccuracy !== undefined) {
      const testAccuracy = latest.testAccuracy !== undefined ? `   test ${percent(latest.testAccuracy)}` : "";
      lines.push(`  accuracy   train ${percent(latest.trainAccuracy)}${testAccuracy}`);
    }
  }
  if (state.best) {
    lines.push(
      `  best ${state.best.split} loss ${formatNumber(state.best.loss, 8)} at epoch ${state.best.epoch}`,
    );
  }
  lines.push(state.savedPath ? `  model saved to ${state.savedPath}` : "  model not saved");
  return lines.join("\n");
}
