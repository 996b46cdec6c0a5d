// Raw stdin bytes to key names, and key names to trainer commands or dashboard actions: pure, no I/O.

import type { TimelineReader, TrainCommand } from "../train/events.ts";
import { scrubAction } from "./rewind.ts";
import type { DashboardState, UiAction } from "./state.ts";

const SEQUENCES: Record<string, string> = {
  "\x1b[A": "up",
  "\x1b[B": "down",
  "\x1b[C": "right",
  "\x1b[D": "left",
  "\x1bOA": "up",
  "\x1bOB": "down",
  "\x1bOC": "right",
  "\x1bOD": "left",
  "\x1b[Z": "shift-tab",
  "\x1b[H": "home",
  "\x1b[F": "end",
  "\x1bOH": "home",
  "\x1bOF": "end",
};

/** CSI sequences ending in `~` by their parameter: Home and End as VT220, rxvt and tmux send them. */
const TILDE_KEYS: Record<string, string> = { "1": "home", "7": "home", "4": "end", "8": "end" };

/**
 * Decodes a chunk of raw-mode stdin into key names: `"space"`, `"tab"`, `"shift-tab"`, `"enter"`, `"escape"`,
 * `"left"`, `"right"`, `"up"`, `"down"`, `"home"`, `"end"`, `"ctrl-c"`, `"ctrl-d"`, `"backspace"`, or the character itself
 * (`"q"`, `"+"`, `"?"`, ...). Unknown escape sequences are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeKeys } from "./keys.ts";
 * const keys = decodeKeys(new TextEncoder().encode(" q\x1b[D\x03"));
 * assert.equal(keys.join(), "space,q,left,ctrl-c");
 * ```
 */
export function decodeKeys(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const keys: string[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === "\x1b") {
      const three = text.slice(i, i + 3);
      if (SEQUENCES[three]) {
        keys.push(SEQUENCES[three]);
        i += 3;
        continue;
      }
      // CSI with parameters (e.g. "\x1b[1;5C" or "\x1b[3~"): skip to the final byte.
      const csi = /^\[[0-9;]*([@-~])/.exec(text.slice(i + 1));
      if (csi) {
        const final = csi[1];
        const arrow = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end" }[final];
        const tilde = final === "~" ? TILDE_KEYS[csi[0].slice(1, -1)] : undefined;
        if (arrow ?? tilde) keys.push((arrow ?? tilde)!);
        i += 1 + csi[0].length;
        continue;
      }
      keys.push("escape");
      i += 1;
      continue;
    }
    const code = char.charCodeAt(0);
    if (char === " ") keys.push("space");
    else if (char === "\t") keys.push("tab");
    else if (char === "\r" || char === "\n") keys.push("enter");
    else if (code === 3) keys.push("ctrl-c");
    else if (code === 4) keys.push("ctrl-d");
    else if (code === 0x7f || code === 8) keys.push("backspace");
    else if (code >= 32) {
      const cp = text.codePointAt(i)!;
      keys.push(String.fromCodePoint(cp));
      i += String.fromCodePoint(cp).length;
      continue;
    }
    i += 1;
  }
  return keys;
}

/** What a key press does: a command for the trainer, an action for the dashboard, or both (or neither). */
export interface KeyOutcome {
  /** Command to send to the trainer. */
  command?: TrainCommand;
  /** Action to fold into the dashboard state (immediate feedback such as "pausing…"). */
  action?: UiAction;
  /** True when the dashboard should close without waiting for the trainer (e.g. `q` after training ended). */
  exit?: boolean;
}

/** Options for {@linkcode keyOutcome}. */
export interface KeyOutcomeOptions {
  /** The run's timeline, for the rewind keys (`[ ] { } Home End p`); without it they do nothing. */
  timeline?: TimelineReader;
  /** Whether `r` after the end trains again (default true; false for a replay, which has no trainer). */
  restartAfterEnd?: boolean;
}

function send(command: TrainCommand): KeyOutcome {
  return { command, action: { type: "command_sent", command } };
}

/**
 * The explain view's keys, in any state (running, paused, ended): `e` opens it (asking for the numbers of the
 * current sample) or closes it, esc closes it, `,` / `.` ask for the previous / next training sample, ↑ / ↓ scroll
 * it while it is open. Undefined for every other key.
 */
function explainOutcome(key: string, state: DashboardState): KeyOutcome | undefined {
  const view = state.explain;
  const open = view?.open ?? false;
  const sample = view?.sample ?? 0;
  if (key === "e" || key === "E") {
    if (open) return { action: { type: "explain_toggle", open: false } };
    return { action: { type: "explain_toggle", open: true }, command: { type: "explain", sample } };
  }
  if (!open) return undefined;
  if (key === "escape") return { action: { type: "explain_toggle", open: false } };
  if (key === "," || key === ".") {
    const samples = view?.event?.samples ?? state.run?.trainSize ?? 0;
    const next = sample + (key === "." ? 1 : -1);
    const wrapped = samples > 0 ? ((next % samples) + samples) % samples : Math.max(0, next);
    return {
      action: { type: "explain_sample", sample: wrapped },
      command: { type: "explain", sample: wrapped },
    };
  }
  if (key === "up" || key === "down") {
    return { action: { type: "explain_scroll", delta: key === "up" ? -1 : 1 } };
  }
  return undefined;
}

/**
 * Maps a key name to what it does in the given state: space pauses or resumes, `n` steps one epoch while paused
 * (or finishes the epoch paused in), `+`/`-` double or halve the learning rate, `<`/`>` halve or double the pace
 * and `=` removes it, ←/→ or tab select a layer, `s` saves, `q` or ctrl-c quits (after the end: closes), `r`
 * restarts (also after the end), `l` toggles the log scale, `v` cycles the view beside the loss chart and `?`
 * the help; with `options.timeline`, `[ ] { } Home End` move through the timeline and `p` plays it back (see
 * `scrubAction`); `e`, esc, `,` `.` and ↑ ↓ work the explain view (see `explainOutcome`). Keys that do nothing now
 * give an empty outcome, except `n` while running, which says that it steps while paused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialDashboardState } from "./state.ts";
 * import { keyOutcome } from "./keys.ts";
 * const state = { ...initialDashboardState(), status: "running" as const, learningRate: 0.1 };
 * assert.equal(keyOutcome("+", state).command?.type, "set_learning_rate");
 * ```
 */
export function keyOutcome(key: string, state: DashboardState, options: KeyOutcomeOptions = {}): KeyOutcome {
  if (key === "?") return { action: { type: "toggle_help" } };
  // The timeline keys work in every state: running, paused and after the end.
  const scrub = options.timeline ? scrubAction(key, state, options.timeline) : undefined;
  if (scrub) return { action: scrub };
  if (key === "escape" && state.help) return { action: { type: "toggle_help" } };
  const explain = explainOutcome(key, state);
  if (explain !== undefined) return explain;
  if (key === "l" || key === "L") return { action: { type: "toggle_log" } };
  if (key === "v" || key === "V") return { action: { type: "cycle_view" } };
  if (key === "right" || key === "tab" || key === "down") {
    return { action: { type: "select_layer", delta: 1 } };
  }
  if (key === "left" || key === "shift-tab" || key === "up") {
    return { action: { type: "select_layer", delta: -1 } };
  }
  // A replay has no trainer: q leaves, the keys above look around, the trainer's keys do nothing.
  if (state.replay) {
    return key === "q" || key === "Q" || key === "ctrl-c" || key === "ctrl-d" ? { exit: true } : {};
  }
  const ended = state.status === "ended";
  if (key === "q" || key === "Q" || key === "ctrl-c" || key === "ctrl-d") {
    // After the end the trainer only waits for a restart: quit lets it finish (and tells it about ctrl-c).
    if (ended) return { exit: true, command: { type: "quit", interrupted: key === "ctrl-c" } };
    if (state.status === "waiting") return { exit: true };
    // A second quit while the first is pending closes the dashboard without waiting for the trainer.
    if (key === "ctrl-c" && state.pending?.startsWith("quitting")) return { exit: true };
    return send(key === "ctrl-c" ? { type: "quit", interrupted: true } : { type: "quit" });
  }
  if (ended && key === "r") return options.restartAfterEnd === false ? {} : send({ type: "restart" });
  if (ended || state.status === "waiting") return {};
  const rate = state.requestedLearningRate ?? state.learningRate;
  switch (key) {
    case "space":
      return send({ type: state.status === "paused" ? "resume" : "pause" });
    case "n":
      return state.status === "paused"
        ? send({ type: "step" })
        : { action: { type: "hint", message: "n runs one epoch while paused: space pauses" } };
    case "+":
      return rate > 0 ? send({ type: "set_learning_rate", value: rate * 2 }) : {};
    case "<":
    case ">": {
      // Without a cap, < starts one at half the current speed; > doubles a cap (there is none to double).
      const trainSize = state.run?.trainSize ?? 0;
      const speed = state.latest && trainSize > 0 ? state.latest.samplesPerSecond / trainSize : NaN;
      const pace = state.pace ?? (key === "<" && speed > 0 && Number.isFinite(speed) ? speed : undefined);
      if (pace === undefined) return {};
      return send({ type: "set_pace", epochsPerSecond: key === "<" ? pace / 2 : pace * 2 });
    }
    case "=":
      return state.pace !== undefined ? send({ type: "set_pace" }) : {};
    case "-":
    case "_":
      return rate > 0 ? send({ type: "set_learning_rate", value: rate / 2 }) : {};
    case "s":
      return send({ type: "save" });
    case "r":
      return send({ type: "restart" });
  }
  return {};
}
