// Key decoding and the mapping from keys to trainer commands and dashboard actions.

import assert from "node:assert/strict";
import { type DashboardState, initialDashboardState, reduceDashboard } from "../../src/ui/state.ts";
import { decodeKeys, keyOutcome } from "../../src/ui/keys.ts";
import { xorRun } from "../fixtures/ui_events.ts";

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function running(): DashboardState {
  return xorRun(3).reduce(reduceDashboard, initialDashboardState());
}

Deno.test("decodeKeys() names control bytes, arrows and characters", () => {
  assert.deepEqual(decodeKeys(bytes(" \t\r\x03\x04\x7f")), [
    "space",
    "tab",
    "enter",
    "ctrl-c",
    "ctrl-d",
    "backspace",
  ]);
  assert.deepEqual(decodeKeys(bytes("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[Z")), [
    "up",
    "down",
    "right",
    "left",
    "shift-tab",
  ]);
  assert.deepEqual(decodeKeys(bytes("\x1bOC\x1b[1;5D")), ["right", "left"]);
  assert.deepEqual(decodeKeys(bytes("qn+-?ls")), ["q", "n", "+", "-", "?", "l", "s"]);
});

Deno.test("decodeKeys() reads a lone escape and skips unknown sequences", () => {
  assert.deepEqual(decodeKeys(bytes("\x1b")), ["escape"]);
  assert.deepEqual(decodeKeys(bytes("\x1b[3~q")), ["q"]);
});

Deno.test("keyOutcome() pauses and resumes with space", () => {
  const state = running();
  assert.deepEqual(keyOutcome("space", state).command, { type: "pause" });
  assert.deepEqual(keyOutcome("space", state).action, { type: "command_sent", command: { type: "pause" } });
  const paused = reduceDashboard(state, { type: "state", paused: true });
  assert.deepEqual(keyOutcome("space", paused).command, { type: "resume" });
});

Deno.test("keyOutcome() steps with n only while paused, and says so when running", () => {
  const state = running();
  assert.deepEqual(keyOutcome("n", state), {
    action: { type: "hint", message: "n runs one epoch while paused: space pauses" },
  });
  const hinted = reduceDashboard(state, keyOutcome("n", state).action!);
  assert.equal(hinted.notices.at(-1), "n runs one epoch while paused: space pauses");
  const paused = reduceDashboard(state, { type: "state", paused: true });
  assert.deepEqual(keyOutcome("n", paused).command, { type: "step" });
});

Deno.test("keyOutcome() doubles and halves the learning rate from the latest request", () => {
  const state = running();
  assert.deepEqual(keyOutcome("+", state).command, { type: "set_learning_rate", value: 0.06 });
  assert.deepEqual(keyOutcome("-", state).command, { type: "set_learning_rate", value: 0.015 });
  const asked = reduceDashboard(state, keyOutcome("+", state).action!);
  assert.deepEqual(keyOutcome("+", asked).command, { type: "set_learning_rate", value: 0.12 });
});

Deno.test("keyOutcome() maps s, r, q and ctrl-c to commands", () => {
  const state = running();
  assert.deepEqual(keyOutcome("s", state).command, { type: "save" });
  assert.deepEqual(keyOutcome("r", state).command, { type: "restart" });
  assert.deepEqual(keyOutcome("q", state).command, { type: "quit" });
  assert.deepEqual(keyOutcome("ctrl-c", state).command, { type: "quit", interrupted: true });
});

Deno.test("keyOutcome() closes at once on a second ctrl-c or after training ended", () => {
  const quitting = reduceDashboard(running(), keyOutcome("ctrl-c", running()).action!);
  assert.deepEqual(keyOutcome("ctrl-c", quitting), { exit: true });
  const ended = reduceDashboard(running(), { type: "end", reason: "done", epoch: 3, message: "" });
  // after the end, quitting also lets the trainer (waiting for a restart) finish, and says whether by ctrl-c
  assert.deepEqual(keyOutcome("q", ended), { exit: true, command: { type: "quit", interrupted: false } });
  assert.deepEqual(keyOutcome("ctrl-c", ended), { exit: true, command: { type: "quit", interrupted: true } });
  assert.deepEqual(keyOutcome("space", ended), {});
  assert.deepEqual(keyOutcome("r", ended).command, { type: "restart" }, "r restarts after the end");
  assert.deepEqual(keyOutcome("r", ended, { restartAfterEnd: false }), {}, "not in a replay");
});

Deno.test("keyOutcome() maps view keys to UI actions", () => {
  const state = running();
  assert.deepEqual(keyOutcome("right", state).action, { type: "select_layer", delta: 1 });
  assert.deepEqual(keyOutcome("tab", state).action, { type: "select_layer", delta: 1 });
  assert.deepEqual(keyOutcome("left", state).action, { type: "select_layer", delta: -1 });
  assert.deepEqual(keyOutcome("l", state).action, { type: "toggle_log" });
  assert.deepEqual(keyOutcome("?", state).action, { type: "toggle_help" });
  assert.deepEqual(keyOutcome("escape", state), {});
  const helping = reduceDashboard(state, { type: "toggle_help" });
  assert.deepEqual(keyOutcome("escape", helping).action, { type: "toggle_help" });
  assert.equal(keyOutcome("x", state).command, undefined);
});

Deno.test("keyOutcome() opens and closes the explain view and moves between samples, in any state", async (t) => {
  const states: [string, DashboardState][] = [
    ["running", running()],
    ["paused", reduceDashboard(running(), { type: "state", paused: true })],
    ["ended", reduceDashboard(running(), { type: "end", reason: "done", epoch: 3, message: "" })],
  ];
  for (const [name, state] of states) {
    await t.step(name, () => {
      assert.deepEqual(keyOutcome("e", state), {
        action: { type: "explain_toggle", open: true },
        command: { type: "explain", sample: 0 },
      });
      // , and . and esc do nothing while the view is closed
      assert.equal(keyOutcome(".", state).command?.type, undefined);
      const open = reduceDashboard(state, { type: "explain_toggle", open: true });
      assert.deepEqual(keyOutcome("e", open), { action: { type: "explain_toggle", open: false } });
      assert.deepEqual(keyOutcome("escape", open), { action: { type: "explain_toggle", open: false } });
      assert.deepEqual(keyOutcome(".", open), {
        action: { type: "explain_sample", sample: 1 },
        command: { type: "explain", sample: 1 },
      });
      // the XOR fixture has 400 training samples: , from the first goes to the last
      assert.deepEqual(keyOutcome(",", open).command, { type: "explain", sample: 399 });
      assert.deepEqual(keyOutcome("down", open), { action: { type: "explain_scroll", delta: 1 } });
      assert.deepEqual(keyOutcome("up", open), { action: { type: "explain_scroll", delta: -1 } });
    });
  }
});

Deno.test("keyOutcome() halves and doubles the pace with < and >, and = removes it", () => {
  const state = running();
  // without a pace, < caps at half the current speed (samples per second over the training set size)
  const speed = state.latest!.samplesPerSecond / state.run!.trainSize;
  assert.deepEqual(keyOutcome("<", state).command, { type: "set_pace", epochsPerSecond: speed / 2 });
  assert.deepEqual(keyOutcome(">", state), {}, "no cap to double");
  assert.deepEqual(keyOutcome("=", state), {}, "no cap to remove");
  const paced = { ...state, pace: 20 };
  assert.deepEqual(keyOutcome("<", paced).command, { type: "set_pace", epochsPerSecond: 10 });
  assert.deepEqual(keyOutcome(">", paced).command, { type: "set_pace", epochsPerSecond: 40 });
  assert.deepEqual(keyOutcome("=", paced).command, { type: "set_pace" });
  assert.deepEqual(keyOutcome("p", paced), {}, "p is the timeline's (play back), not pause");
});
