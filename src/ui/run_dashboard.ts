// Wires trainer events, keys and resizes to the dashboard: reduce, render at a capped frame rate, restore on exit.

import type { EpochEvent, ExplainEvent, TimelineReader, TrainCommand, TrainEvent } from "../train/events.ts";
import { renderFrame, renderSummary } from "./dashboard.ts";
import { keyOutcome } from "./keys.ts";
import { PLAYBACK_RATE, playbackStep } from "./rewind.ts";
import {
  type DashboardInput,
  type DashboardState,
  foldEpochs,
  initialDashboardState,
  reduceDashboard,
} from "./state.ts";
import { Terminal, type TerminalSize } from "./terminal.ts";

/** Epochs folded into the state at once at most (see `runDashboard`). */
const FOLD_BATCH = 256;
/** While the explain view is open during training, its numbers are recomputed at most this often (ms). */
const EXPLAIN_REFRESH_MS = 250;

/** A running training job as the dashboard sees it: its events and a way to send it commands. */
export interface DashboardRun {
  /** The trainer's events, ending after the end event. */
  events: AsyncIterable<TrainEvent>;
  /** Whether `r` after the end trains again (default true; false for a replay of a saved run). */
  restartable?: boolean;
  /**
   * Called with each event before the dashboard takes it (e.g. to record metrics); when it returns a promise, the
   * dashboard waits for it before taking the event and asking for the next one.
   */
  onEvent?: (event: TrainEvent) => Promise<void> | void;
  /** Sends a command to the trainer (`explain` commands go to `explain` instead). */
  send(command: TrainCommand): void;
  /**
   * Computes the explain event of training sample `sample` on the current weights (the explain view's `e`, `,`
   * and `.`), at once, while training runs, is paused or has ended; without it the view waits for numbers.
   */
  explain?: (sample: number) => ExplainEvent | undefined;
  /**
   * Called once after the end event, while the dashboard still shows "saving…"; returns where the model was
   * saved (shown in the summary), or undefined.
   */
  onEnd?: () => Promise<string | undefined> | string | undefined;
  /** The run's timeline (recorded by the caller), for the rewind keys `[ ] { } Home End` and playback `p`. */
  timeline?: TimelineReader;
}

/** The parts of {@linkcode Terminal} the dashboard uses (a fake can stand in for tests). */
export interface DashboardTerminal {
  /** Colour mode to render in. */
  readonly colorMode: Terminal["colorMode"];
  /** Current size. */
  size(): TerminalSize;
  /** Enters the dashboard screen. */
  open(): void;
  /** Draws a frame, skipping identical ones. */
  draw(frame: string): boolean;
  /** Prints text on the main screen after close. */
  print(text: string): void;
  /** Subscribes to resizes. */
  onResize(callback: (size: TerminalSize) => void): () => void;
  /** Key names typed. */
  keys(): AsyncIterable<string>;
  /** Restores the terminal (idempotent). */
  close(): void;
}

/** Options for {@linkcode runDashboard}. */
export interface RunDashboardOptions {
  /** The terminal (default: a new {@linkcode Terminal} on stdin/stdout). */
  terminal?: DashboardTerminal;
  /** Milliseconds between epoch redraws at most (default 33, about 30 frames per second). */
  frameInterval?: number;
  /**
   * Keep the final frame on screen after training ends until `q` or ctrl-c (default false: close at once); not
   * after the user quit training. Events are still taken meanwhile, so a trainer that restarts is shown again.
   */
  holdOnEnd?: boolean;
  /** Print the run's summary on the main screen after closing (default true; `replay` prints its own line). */
  summary?: boolean;
  /** The run is a saved timeline (`deno task replay`): no trainer, so its keys do nothing and `r` is not offered. */
  replay?: boolean;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /**
   * Aborted when the process is asked to stop (SIGTERM): the dashboard then does what ctrl-c does (quits training
   * and closes), so the terminal is restored and the run saved.
   */
  stop?: AbortSignal;
}

/**
 * Runs the interactive dashboard until training ends (or, with `holdOnEnd`, until the user leaves) or the user
 * quits: folds every event into the state, redraws after epochs at most every `frameInterval` ms (the last epoch
 * and the epoch that answers a key are always drawn at once), answers keys at once,
 * redraws on resize, then restores the terminal (on every path, errors included) and prints the summary on the
 * main screen. Resolves to the final state.
 */
export async function runDashboard(
  run: DashboardRun,
  options: RunDashboardOptions = {},
): Promise<DashboardState> {
  const terminal = options.terminal ?? new Terminal();
  const frameInterval = options.frameInterval ?? 33;
  const now = options.now ?? (() => performance.now());
  let state = options.replay
    ? reduceDashboard(initialDashboardState(), { type: "replay_opened" })
    : initialDashboardState();
  // Epochs not folded yet: small networks send thousands a second, and folding them in batches costs far less
  // than one by one. A batch is folded before anything reads the state, and when it reaches FOLD_BATCH epochs
  // (so the events die young instead of surviving garbage collections until the next frame).
  let epochs: EpochEvent[] = [];
  const current = () => {
    if (epochs.length > 0) {
      state = foldEpochs(state, epochs);
      epochs = [];
    }
    return state;
  };
  let lastDraw = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // The explain view shows the weights of the epoch it was computed at; while training goes on, a frame asks
  // for the numbers again when the epoch moved, at most every EXPLAIN_REFRESH_MS.
  let explainedAt = -Infinity;
  const explain = (sample: number) => {
    explainedAt = now();
    if (run.explain === undefined) {
      apply({
        type: "explain_unavailable",
        message: "No numbers to show: this run has no network (explain works while training)\n" +
          "For the saved model: deno task explain <run folder> --input x1,x2,…",
      });
      return;
    }
    const answer = run.explain(sample);
    if (answer) state = reduceDashboard(current(), answer);
  };
  const refreshExplain = () => {
    const view = state.explain;
    if (!view?.open || run.explain === undefined) return;
    const shown = view.event;
    const at = state.pausedAt, shownAt = shown?.pausedAt;
    const sameBatch = at === undefined
      ? shownAt === undefined
      : shownAt !== undefined && shownAt.epoch === at.epoch && shownAt.batch === at.batch;
    if (shown?.sample === view.sample && shown.epoch === (state.latest?.epoch ?? 0) && sameBatch) return;
    const wait = EXPLAIN_REFRESH_MS - (now() - explainedAt);
    // too soon: a frame comes back for it (when training is paused no other frame may come)
    if (wait > 0) timer ??= setTimeout(redraw, wait);
    else explain(view.sample);
  };

  const redraw = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    current();
    refreshExplain();
    const { columns, rows } = terminal.size();
    terminal.draw(renderFrame(current(), { columns, rows, color: terminal.colorMode }));
    lastDraw = now();
  };
  const scheduleDraw = () => {
    const wait = frameInterval - (now() - lastDraw);
    if (wait <= 0) redraw();
    else if (timer === undefined) timer = setTimeout(redraw, wait);
  };
  // Playback (`p`): a timer steps through the timeline while the state says it is playing.
  let playback: ReturnType<typeof setInterval> | undefined;
  const syncPlayback = () => {
    const playing = state.rewind?.playing === true && run.timeline !== undefined;
    if (playing && playback === undefined) {
      playback = setInterval(() => {
        const step = playbackStep(current(), run.timeline!);
        if (step) state = reduceDashboard(state, step);
        syncPlayback();
        redraw();
      }, 1000 / PLAYBACK_RATE);
    } else if (!playing && playback !== undefined) {
      clearInterval(playback);
      playback = undefined;
    }
  };
  const apply = (input: DashboardInput) => {
    state = reduceDashboard(current(), input);
    syncPlayback();
  };

  // The events are pumped by callbacks rather than awaited in a loop, so an event costs one promise reaction,
  // and exit (a second ctrl-c) ends the pump at once, without waiting for the trainer's next event.
  let exiting = false;
  // Set when a key sent the trainer a command: the next epoch answers it and is drawn without waiting.
  let answering = false;
  let finish = () => {};
  let fail = (_error: unknown) => {};
  const pumped = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const exitWaiters: (() => void)[] = [];
  const exitNow = () => {
    exiting = true;
    finish();
    for (const resolve of exitWaiters.splice(0)) resolve();
  };
  const exitRequested = () =>
    exiting ? Promise.resolve() : new Promise<void>((resolve) => exitWaiters.push(resolve));
  const iterator = run.events[Symbol.asyncIterator]();
  let event: TrainEvent;
  // Each step runs in a promise reaction, where a throw would be lost: it ends the pump instead.
  const pull = () => {
    try {
      if (!exiting) iterator.next().then(received, fail);
    } catch (error) {
      fail(error);
    }
  };
  const received = (result: IteratorResult<TrainEvent>) => {
    if (exiting) return;
    if (result.done) return finish();
    event = result.value;
    try {
      const recording = run.onEvent?.(event);
      if (recording) return void recording.then(take, fail);
    } catch (error) {
      return fail(error);
    }
    take();
  };
  const take = () => {
    if (exiting) return;
    try {
      if (event.type === "epoch") {
        if (epochs.push(event) >= FOLD_BATCH) current();
        // The first epoch after a key (the one `n` asked for, the first at a new rate) is drawn at once.
        if (answering) answering = false, redraw();
        else scheduleDraw();
        return pull();
      }
      apply(event);
      if (event.type !== "end") {
        // progress within an epoch (a few a second) waits for the next frame; any other event is drawn at once
        if (event.type === "progress") scheduleDraw();
        else redraw();
        return pull();
      }
      ended().then(pull, fail);
    } catch (error) {
      fail(error);
    }
  };
  // Whether the dashboard stays after the end: with holdOnEnd, unless the user ended training with q or ctrl-c.
  let quitAsked = false;
  const holding = () => options.holdOnEnd === true && state.end !== undefined && !quitAsked;
  // One frame shows the end (with "saving…" while the model is written); after saving, a frame is drawn only
  // when it stays on screen. Events are still taken after the end: a trainer that stays may start again (`r`).
  const ended = async () => {
    if (run.onEnd) apply({ type: "command_sent", command: { type: "save" } });
    redraw();
    if (run.onEnd) apply({ type: "model_saved", path: await run.onEnd() });
    if (holding()) redraw();
  };

  let unsubscribe = () => {};
  let unsubscribeStop = () => {};
  let completed = false;
  try {
    terminal.open();
    // The first frame waits for the start event (drawn at once when it comes), unless that takes a while.
    timer = setTimeout(redraw, frameInterval);
    const off = terminal.onResize(() => redraw());
    unsubscribe = () => void off();
    const onKey = (key: string) => {
      const outcome = keyOutcome(key, current(), {
        timeline: run.timeline,
        restartAfterEnd: run.restartable,
      });
      if (outcome.action) apply(outcome.action);
      if (outcome.command?.type === "explain") explain(outcome.command.sample);
      else if (outcome.command) run.send(outcome.command), answering = true;
      if (outcome.command?.type === "quit") quitAsked = true;
      if (outcome.exit) exitNow();
      if (outcome.action || outcome.command) redraw();
    };
    const keyLoop = (async () => {
      for await (const key of terminal.keys()) onKey(key);
    })();
    keyLoop.catch(() => {});
    // a stop request (SIGTERM) is ctrl-c: quit training (saved as on ctrl-c) and close, from any state
    const onStop = () => onKey("ctrl-c");
    if (options.stop?.aborted) onStop();
    else options.stop?.addEventListener("abort", onStop, { once: true });
    unsubscribeStop = () => options.stop?.removeEventListener("abort", onStop);
    pull();
    await pumped;
    // The trainer finished; a dashboard that stays waits for q.
    if (!exiting && holding()) await exitRequested();
    if (exiting) void iterator.return?.()?.catch?.(() => {});
    completed = true;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (playback !== undefined) clearInterval(playback);
    unsubscribe();
    unsubscribeStop();
    terminal.close();
  }
  current();
  if (completed && state.run && options.summary !== false) terminal.print(renderSummary(state));
  return state;
}
