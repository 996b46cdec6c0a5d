// The dashboard's model: the state, and the reducer that folds trainer events and UI actions into it.

import type {
  ConfusionMatrix,
  DecisionBoundary,
  EndEvent,
  EndReason,
  EpochEvent,
  ExplainEvent,
  FirstLayerFilters,
  LearningRateChangedEvent,
  PaceChangedEvent,
  RegressionCurve,
  SavedEvent,
  SaveFailedEvent,
  StartEvent,
  TrainCommand,
  TrainEvent,
} from "../train/events.ts";
import { escapeControl } from "./ansi.ts";
import { EMPTY_SERIES, type SampledSeries, SeriesBuilder } from "./series.ts";
import { formatNumber } from "./widgets/format.ts";

export { appendSample, HISTORY_CAPACITY, type SampledSeries } from "./series.ts";

/** An action from the user interface (not from the trainer). */
export type UiAction =
  | { type: "select_layer"; delta: number }
  | { type: "toggle_log" }
  | { type: "toggle_help" }
  | { type: "cycle_view" }
  | { type: "command_sent"; command: TrainCommand }
  | { type: "model_saved"; path?: string }
  | ExplainAction
  | { type: "show_snapshot"; index: number; count: number; event: EpochEvent; playing: boolean }
  | { type: "show_live" }
  | { type: "replay_opened" }
  /** A key that does nothing in this state says what it needs (shown as a notice in the footer). */
  | { type: "hint"; message: string };

/** The snapshot of the timeline shown instead of the latest epoch (`[`, `]`, `{`, `}`, Home, `p`). */
export interface RewindState {
  /** The snapshot's index in the timeline when it was chosen (0 is the first epoch). */
  readonly index: number;
  /** Snapshots in the timeline then. */
  readonly count: number;
  /** The snapshot: the epoch event with the fields of that time (boundary, pictures, …). */
  readonly event: EpochEvent;
  /** Whether the timeline is playing back (about 20 snapshots a second). */
  readonly playing: boolean;
  /** The latest epoch of training, filled in by `viewedState` for the panels (training goes on meanwhile). */
  readonly liveEpoch?: number;
}

/**
 * What the panel beside the loss chart shows in the compact layout, cycled with `v`: the network, the sample
 * images with their predicted classes, the confusion matrix, or what the first layer sees.
 */
export type DashboardView = "network" | "samples" | "confusion" | "filters";

/** From this width (and {@linkcode PICTURE_ROWS} lines), image data get their pictures instead of the network. */
export const PICTURE_COLUMNS = 120;
/** From this height (and {@linkcode PICTURE_COLUMNS} cells), image data get their pictures instead of the network. */
export const PICTURE_ROWS = 40;

/** Classifiers with more classes than this get no confusion view (the trainer sends no matrix either). */
export const CONFUSION_VIEW_MAX_CLASSES = 20;

/**
 * The views this run can show, in the order `v` cycles them: the network always; the samples and the first
 * layer's filters for image data; the confusion matrix for classifiers of up to 20 classes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availableViews, initialDashboardState } from "./state.ts";
 * assert.deepEqual(availableViews(initialDashboardState()), ["network"]);
 * ```
 */
export function availableViews(state: DashboardState): DashboardView[] {
  const run = state.run;
  const image = run?.image !== undefined;
  const classes = run?.task === "classification" ? run.classNames?.length ?? 0 : 0;
  const confusion = classes >= 2 && classes <= CONFUSION_VIEW_MAX_CLASSES;
  const views: DashboardView[] = ["network"];
  if (image) views.push("samples");
  if (confusion) views.push("confusion");
  if (image) views.push("filters");
  return views;
}

/**
 * The explain view's actions: open or close it (`e`, esc), pick a sample (`,` `.`), scroll (↑ ↓). The numbers
 * come separately, as an {@linkcode ExplainEvent} answering the `explain` command the same key sends.
 */
export type ExplainAction =
  | { type: "explain_toggle"; open?: boolean }
  | { type: "explain_sample"; sample: number }
  | { type: "explain_scroll"; delta: number }
  | { type: "explain_unavailable"; message: string };

/** Anything {@linkcode reduceDashboard} folds: a trainer event, an explain event or a UI action. */
export type DashboardInput = TrainEvent | ExplainEvent | UiAction;

/** The explain view: whether it is open, which training sample, how far scrolled, and the latest numbers. */
export interface ExplainViewState {
  /** Whether the view replaces the panels. */
  readonly open: boolean;
  /** The training sample asked for (0-based). */
  readonly sample: number;
  /** Lines scrolled past at the top. */
  readonly scroll: number;
  /** The latest explain event (may be of an earlier sample until the answer comes). */
  readonly event?: ExplainEvent;
  /** Why no numbers can come (e.g. a replay has no network), shown instead of them. */
  readonly unavailable?: string;
}

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
  /** The latest prediction curve of a one-input regression (kept like the boundary). */
  readonly curve?: RegressionCurve;
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
  /**
   * How training ended; `restored` when early stopping gave the network back the weights of an earlier epoch
   * (those are the weights saved, and `restored.metrics`, when present, their losses and accuracies).
   */
  readonly end?: {
    readonly reason: EndReason;
    readonly epoch: number;
    readonly message: string;
    readonly restored?: EndEvent["restored"];
  };
  /** Where the model was last saved. */
  readonly savedPath?: string;
  /** Selected layer (0 is the first hidden layer). */
  readonly selectedLayer: number;
  /** Whether the loss chart uses a log scale. */
  readonly logScale: boolean;
  /** Whether the help overlay is shown. */
  readonly help: boolean;
  /** The view beside the loss chart in the compact layout (`v` cycles it). */
  readonly view: DashboardView;
  /** The latest predicted classes of `run.image.samples` (epochs may leave them out; the last ones stay shown). */
  readonly samplePredictions?: readonly number[];
  /** The latest confusion matrix (epochs may leave it out; the last one stays shown). */
  readonly confusion?: ConfusionMatrix;
  /** The latest first-layer filters (epochs may leave them out; the last ones stay shown). */
  readonly filters?: FirstLayerFilters;
  /** The explain view (`e`), once opened. */
  readonly explain?: ExplainViewState;
  /** The snapshot shown while looking back through the timeline; undefined when the dashboard is live. */
  readonly rewind?: RewindState;
  /** True when the dashboard shows a saved timeline (`deno task replay`): there is no trainer to command. */
  readonly replay?: boolean;
  /** The cap on epochs per second, when one is set. */
  readonly pace?: number;
  /** Where a pause in the middle of an epoch stopped: after `batch` of `batches` batches of `epoch`. */
  readonly pausedAt?: { readonly epoch: number; readonly batch: number; readonly batches: number };
  /**
   * How far the epoch in progress has got (the latest progress event), until that epoch's event comes: `batch`
   * of `batches` batches of `epoch`, its throughput so far and the training seconds of the run so far.
   */
  readonly progress?: {
    readonly epoch: number;
    readonly batch: number;
    readonly batches: number;
    readonly samplesPerSecond: number;
    readonly elapsedSeconds: number;
  };
}

/**
 * Returns the state before any event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState } from "./state.ts";
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
    view: "network",
  };
}

/** Whether `rate` is the requested rate (up to rounding), so the request is done. */
function reachedRequest(rate: number, requested: number | undefined): boolean {
  return requested !== undefined && Math.abs(rate - requested) <= 1e-12 * requested;
}

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
    case "explain":
      return `explaining sample ${command.sample + 1}…`;
    case "set_pace":
      return command.epochsPerSecond === undefined
        ? "pace → no cap…"
        : `pace → ${formatNumber(command.epochsPerSecond, 4)}/s…`;
  }
}

/** Whether a pending label is the answer to `n` (gone once the epoch it asked for is there). */
function isStepping(pending: string): boolean {
  return pending.startsWith("stepping") || pending.startsWith("finishing epoch");
}

/** The notice line shown for a typed report of the trainer. */
function noticeFor(
  input: LearningRateChangedEvent | PaceChangedEvent | SavedEvent | SaveFailedEvent,
): string {
  switch (input.type) {
    case "learning_rate_changed":
      return `Learning rate set to ${input.value}`;
    case "pace_changed":
      return input.epochsPerSecond === undefined ? "Pace: no cap" : `Pace: ${input.epochsPerSecond} epochs/s`;
    case "saved":
      return `Checkpoint saved to ${input.path}`;
    case "save_failed":
      return input.message;
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
 * import { foldEpochs, initialDashboardState } from "./state.ts";
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
  let curve = state.curve;
  let samplePredictions = state.samplePredictions, confusion = state.confusion, filters = state.filters;
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
    if (input.curve !== undefined) curve = input.curve;
    if (input.samplePredictions !== undefined) samplePredictions = input.samplePredictions;
    if (input.confusion !== undefined) confusion = input.confusion;
    if (input.filters !== undefined) filters = input.filters;
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
    pending: pending !== undefined && isStepping(pending) ? undefined : pending,
    latest: epochs[epochs.length - 1],
    boundary,
    curve,
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
    view: state.view,
    samplePredictions,
    confusion,
    filters,
    explain: state.explain,
    rewind: state.rewind,
    replay: state.replay,
    pace: state.pace,
    // a pause in the middle of an epoch is over once that epoch is done (`n` finishes it)
    pausedAt: state.pausedAt !== undefined && state.pausedAt.epoch > epochs[epochs.length - 1].epoch
      ? state.pausedAt
      : undefined,
    // progress within an epoch is over once that epoch is done
    progress: state.progress !== undefined && state.progress.epoch > epochs[epochs.length - 1].epoch
      ? state.progress
      : undefined,
  };
}

/**
 * The input with every string that can come from a file (the run name, class names, messages that quote paths
 * or values) passed through `escapeControl`, so no escape sequence from a file reaches the terminal.
 */
function withEscapedText(input: DashboardInput): DashboardInput {
  switch (input.type) {
    case "start":
      return { ...input, name: escapeControl(input.name), classNames: input.classNames?.map(escapeControl) };
    case "notice":
    case "end":
    case "save_failed":
      return { ...input, message: escapeControl(input.message) };
    case "saved":
      return { ...input, path: escapeControl(input.path) };
    case "explain":
      return {
        ...input,
        classNames: input.classNames?.map(escapeControl),
        label: input.label === undefined ? undefined : escapeControl(input.label),
        predicted: input.predicted === undefined ? undefined : escapeControl(input.predicted),
      };
    default:
      return input;
  }
}

/**
 * Folds one trainer event or UI action into the dashboard state and returns the new state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState, reduceDashboard } from "./state.ts";
 * const state = reduceDashboard(initialDashboardState(), { type: "toggle_log" });
 * assert.ok(state.logScale);
 * ```
 */
export function reduceDashboard(state: DashboardState, input: DashboardInput): DashboardState {
  input = withEscapedText(input);
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
        view: state.view,
        explain: state.explain && { ...state.explain, event: undefined },
        pace: input.pace,
        replay: state.replay,
      };
    case "epoch":
      return foldEpochs(state, [input]);
    case "notice":
    case "hint":
      return { ...state, notices: [...state.notices, input.message].slice(-5) };
    case "learning_rate_changed":
      // The trainer confirms a new rate as soon as it takes it (between batches, or while paused).
      return {
        ...state,
        notices: [...state.notices, noticeFor(input)].slice(-5),
        pending: state.pending?.startsWith("learning rate") ? undefined : state.pending,
        learningRate: input.value,
        requestedLearningRate: reachedRequest(input.value, state.requestedLearningRate)
          ? undefined
          : state.requestedLearningRate,
      };
    case "pace_changed":
      return {
        ...state,
        notices: [...state.notices, noticeFor(input)].slice(-5),
        pending: state.pending?.startsWith("pace") ? undefined : state.pending,
        pace: input.epochsPerSecond,
      };
    case "saved":
    case "save_failed":
      return {
        ...state,
        notices: [...state.notices, noticeFor(input)].slice(-5),
        savedPath: input.type === "saved" ? input.path : state.savedPath,
        pending: state.pending?.startsWith("saving") ? undefined : state.pending,
      };
    case "state":
      return {
        ...state,
        status: state.status === "ended" ? "ended" : input.paused ? "paused" : "running",
        pending: state.pending === "pausing…" || state.pending === "resuming…" ||
            (state.pending !== undefined && isStepping(state.pending))
          ? undefined
          : state.pending,
        pausedAt: input.paused && input.epoch !== undefined && input.batch !== undefined &&
            input.batches !== undefined
          ? { epoch: input.epoch, batch: input.batch, batches: input.batches }
          : undefined,
      };
    case "progress": {
      // late progress of an epoch already done (or of an ended run) is dropped
      if (state.status === "ended" || input.epoch <= (state.latest?.epoch ?? 0)) return state;
      const { epoch, batch, batches, samplesPerSecond, elapsedSeconds } = input;
      return { ...state, progress: { epoch, batch, batches, samplesPerSecond, elapsedSeconds } };
    }
    case "end":
      return {
        ...state,
        status: "ended",
        pending: undefined,
        pausedAt: undefined,
        progress: undefined,
        end: {
          reason: input.reason,
          epoch: input.epoch,
          message: input.message,
          ...(input.restored !== undefined ? { restored: input.restored } : {}),
        },
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
    case "cycle_view": {
      const views = availableViews(state);
      const next = views[(views.indexOf(state.view) + 1) % views.length];
      return next === state.view ? state : { ...state, view: next };
    }
    case "command_sent":
      return {
        ...state,
        // n while paused in the middle of an epoch finishes that epoch
        pending: input.command.type === "step" && state.pausedAt !== undefined
          ? `finishing epoch ${state.pausedAt.epoch}…`
          : pendingFor(input.command),
        requestedLearningRate: input.command.type === "set_learning_rate"
          ? input.command.value
          : state.requestedLearningRate,
        // keys pressed before the trainer answers build on each other: < < quarters the pace
        pace: input.command.type === "set_pace" ? input.command.epochsPerSecond : state.pace,
      };
    case "model_saved":
      return {
        ...state,
        savedPath: input.path ?? state.savedPath,
        pending: state.pending?.startsWith("saving") ? undefined : state.pending,
      };
    case "explain":
      return {
        ...state,
        explain: { open: false, sample: input.sample ?? 0, scroll: 0, ...state.explain, event: input },
      };
    case "explain_toggle": {
      const open = input.open ?? !(state.explain?.open ?? false);
      return { ...state, explain: { sample: 0, scroll: 0, ...state.explain, open } };
    }
    case "explain_sample": {
      const samples = state.explain?.event?.samples ?? state.run?.trainSize ?? 0;
      const sample = samples > 0 ? ((input.sample % samples) + samples) % samples : Math.max(0, input.sample);
      return { ...state, explain: { ...state.explain, open: true, sample, scroll: 0 } };
    }
    case "explain_unavailable":
      return {
        ...state,
        explain: { open: true, sample: 0, scroll: 0, ...state.explain, unavailable: input.message },
      };
    case "explain_scroll": {
      const view = state.explain ?? { open: true, sample: 0, scroll: 0 };
      return { ...state, explain: { ...view, scroll: Math.max(0, view.scroll + input.delta) } };
    }
    case "show_snapshot": {
      const { index, count, event, playing } = input;
      return { ...state, rewind: { index, count, event, playing } };
    }
    case "replay_opened":
      return { ...state, replay: true };
    case "show_live":
      return state.rewind === undefined ? state : { ...state, rewind: undefined };
  }
}

const END_LABELS: Record<EndReason, string> = {
  done: "done",
  early_stop: "stopped early",
  target_loss: "reached target loss",
  diverged: "diverged",
  quit: "quit",
  interrupted: "interrupted",
  stopped: "stopped",
};

/** Returns the one-word state shown in the header, e.g. `"running"`, `"paused"`, `"diverged"`. */
export function stateLabel(state: DashboardState): string {
  if (state.end) return END_LABELS[state.end.reason];
  if (state.status === "waiting") return "starting";
  const at = state.pausedAt;
  if (state.status === "paused" && at) {
    return `paused at batch ${at.batch}/${at.batches} of epoch ${at.epoch}`;
  }
  return state.status;
}
