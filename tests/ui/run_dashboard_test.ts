// runDashboard with a fake terminal and fake trainer: frames, keys, the summary, and restoring on every exit path.

import assert from "node:assert/strict";
import { train, TrainController } from "../../src/train/trainer.ts";
import { Network } from "../../src/nn/network.ts";
import { Rng } from "../../src/math/random.ts";
import { loadDataset } from "../../src/data/load.ts";
import type { TrainCommand, TrainEvent } from "../../src/train/events.ts";
import { type DashboardTerminal, runDashboard } from "../../src/ui/run_dashboard.ts";
import type { TerminalSize } from "../../src/ui/terminal.ts";
import { xorExplain, xorRun } from "../fixtures/ui_events.ts";

/** A terminal that records frames and lets the test type keys. */
class FakeTerminal implements DashboardTerminal {
  readonly colorMode = "none" as const;
  frames: string[] = [];
  printed: string[] = [];
  opened = 0;
  closed = 0;
  #pending: string[] = [];
  #wake: (() => void) | undefined;
  #resize: ((size: TerminalSize) => void) | undefined;

  size(): TerminalSize {
    return { columns: 80, rows: 24 };
  }
  open(): void {
    this.opened++;
  }
  draw(frame: string): boolean {
    if (this.frames.at(-1) === frame) return false;
    this.frames.push(frame);
    return true;
  }
  print(text: string): void {
    this.printed.push(text);
  }
  onResize(callback: (size: TerminalSize) => void): () => void {
    this.#resize = callback;
    return () => (this.#resize = undefined);
  }
  resize(): void {
    this.#resize?.(this.size());
  }
  type(key: string): void {
    this.#pending.push(key);
    this.#wake?.();
  }
  async *keys(): AsyncGenerator<string> {
    while (this.closed === 0) {
      if (this.#pending.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
      while (this.#pending.length > 0) yield this.#pending.shift()!;
    }
  }
  close(): void {
    this.closed++;
    this.#wake?.();
  }
}

async function* play(events: TrainEvent[], options: { gate?: Promise<void>; after?: number } = {}) {
  for (const [i, event] of events.entries()) {
    if (options.gate && i === options.after) await options.gate;
    yield event;
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("runDashboard() draws, saves on end, restores the terminal and prints the summary", async () => {
  const terminal = new FakeTerminal();
  const events: TrainEvent[] = [...xorRun(20), {
    type: "end",
    reason: "done",
    epoch: 20,
    message: "Finished",
  }];
  const state = await runDashboard({
    events: play(events),
    send: () => {},
    onEnd: () => "runs/xor/model.json",
  }, { terminal, frameInterval: 0 });
  assert.equal(terminal.opened, 1);
  assert.equal(terminal.closed, 1);
  assert.equal(state.status, "ended");
  assert.equal(state.savedPath, "runs/xor/model.json");
  assert.match(terminal.frames.at(-1)!, /epoch {2}20\/500/);
  assert.equal(terminal.printed.length, 1);
  assert.match(terminal.printed[0], /model saved to runs\/xor\/model\.json/);
});

Deno.test("runDashboard() caps redraws but always draws the last epoch", async () => {
  const terminal = new FakeTerminal();
  await runDashboard({ events: play(xorRun(200)), send: () => {} }, { terminal, frameInterval: 60_000 });
  assert.ok(terminal.frames.length <= 5, `${terminal.frames.length} frames drawn`);
  assert.match(terminal.frames.at(-1)!, /epoch 200\/500/);
});

Deno.test("runDashboard() skips frames no one would see: the empty first one and the one after saving", async () => {
  const terminal = new FakeTerminal();
  const events: TrainEvent[] = [...xorRun(3), { type: "end", reason: "done", epoch: 3, message: "Finished" }];
  const state = await runDashboard({
    events: play(events),
    send: () => {},
    onEnd: () => "runs/xor/model.json",
  }, {
    terminal,
    frameInterval: 60_000,
  });
  assert.match(terminal.frames[0], /termnet · xor/, "the first frame already shows the run");
  assert.match(terminal.frames.at(-1)!, /saving…/, "the end is drawn once, while saving");
  assert.match(terminal.frames.at(-1)!, /epoch +3\/500/);
  assert.ok(terminal.frames.length <= 3, `${terminal.frames.length} frames drawn`);
  assert.equal(state.savedPath, "runs/xor/model.json");
  assert.match(terminal.printed[0], /model saved to runs\/xor\/model\.json/);
});

Deno.test("runDashboard() answers a key at once and sends its command", async () => {
  const terminal = new FakeTerminal();
  const sent: TrainCommand[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events = [...xorRun(5), { type: "end", reason: "quit", epoch: 5, message: "Stopped" } as TrainEvent];
  const running = runDashboard({ events: play(events, { gate, after: 5 }), send: (c) => sent.push(c) }, {
    terminal,
    frameInterval: 0,
  });
  await tick();
  terminal.type("space");
  await tick();
  assert.deepEqual(sent, [{ type: "pause" }]);
  assert.match(terminal.frames.at(-1)!, /pausing…/);
  terminal.type("q");
  await tick();
  assert.deepEqual(sent.at(-1), { type: "quit" });
  release();
  const state = await running;
  assert.equal(state.end?.reason, "quit");
  assert.equal(terminal.closed, 1);
});

Deno.test("runDashboard() redraws on resize", async () => {
  const terminal = new FakeTerminal();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const running = runDashboard({ events: play(xorRun(3), { gate, after: 3 }), send: () => {} }, { terminal });
  await tick();
  const before = terminal.frames.length;
  terminal.type("?");
  await tick();
  terminal.resize();
  assert.ok(terminal.frames.length > before);
  release();
  await running;
});

Deno.test("runDashboard() passes every event to onEvent first and waits for its promise", async () => {
  const terminal = new FakeTerminal();
  const events: TrainEvent[] = [...xorRun(30), {
    type: "end",
    reason: "done",
    epoch: 30,
    message: "Finished",
  }];
  const seen: string[] = [];
  let recorded = 0;
  const state = await runDashboard({
    events: play(events),
    send: () => {},
    onEvent: (event) => {
      seen.push(event.type);
      if (event.type !== "epoch" || event.epoch % 10 !== 0) return;
      return tick().then(() => void recorded++);
    },
  }, { terminal, frameInterval: 60_000 });
  assert.deepEqual(seen, events.map((event) => event.type));
  assert.equal(recorded, 3);
  assert.equal(state.trainLoss.values.length, 30);
  assert.match(terminal.frames.at(-1)!, /epoch {2}30\/500/);
});

Deno.test("runDashboard() restores the terminal when onEvent throws", async () => {
  const terminal = new FakeTerminal();
  await assert.rejects(
    runDashboard({
      events: play(xorRun(5)),
      send: () => {},
      onEvent: (event) => {
        if (event.type === "epoch" && event.epoch === 3) {
          throw new Error("Cannot record the metrics: disk full");
        }
      },
    }, { terminal }),
    /disk full/,
  );
  assert.equal(terminal.closed, 1);
  assert.equal(terminal.printed.length, 0);
});

Deno.test("runDashboard() restores the terminal when the events fail", async () => {
  const terminal = new FakeTerminal();
  async function* failing(): AsyncGenerator<TrainEvent> {
    yield xorRun(1)[0];
    throw new Error("Cannot train: out of memory");
  }
  await assert.rejects(runDashboard({ events: failing(), send: () => {} }, { terminal }), /out of memory/);
  assert.equal(terminal.closed, 1);
  assert.equal(terminal.printed.length, 0);
});

Deno.test("runDashboard() closes on a second ctrl-c without waiting for the trainer", async () => {
  const terminal = new FakeTerminal();
  const sent: TrainCommand[] = [];
  const never = new Promise<void>(() => {});
  const running = runDashboard({
    events: play(xorRun(3), { gate: never, after: 4 }),
    send: (c) => sent.push(c),
  }, {
    terminal,
  });
  await tick();
  terminal.type("ctrl-c");
  await tick();
  terminal.type("ctrl-c");
  const state = await running;
  assert.deepEqual(sent, [{ type: "quit", interrupted: true }]);
  assert.equal(terminal.closed, 1);
  assert.equal(state.latest?.epoch, 3);
  assert.equal(terminal.printed.length, 1);
});

Deno.test("runDashboard() answers e and . with the run's explain numbers, also after training ended", async () => {
  const terminal = new FakeTerminal();
  const sent: TrainCommand[] = [];
  const asked: number[] = [];
  const events = [...xorRun(5), { type: "end", reason: "done", epoch: 5, message: "Finished" } as TrainEvent];
  const running = runDashboard({
    events: play(events),
    send: (c) => sent.push(c),
    explain: (sample) => {
      asked.push(sample);
      return { ...xorExplain(), sample, samples: 4, epoch: 5 };
    },
  }, { terminal, frameInterval: 0, holdOnEnd: true });
  for (let i = 0; i < 20 && !/■ done/.test(terminal.frames.at(-1) ?? ""); i++) await tick();
  assert.match(terminal.frames.at(-1)!, /■ done/, "training has ended");
  terminal.type("e");
  await tick();
  assert.deepEqual(asked, [0]);
  assert.match(terminal.frames.at(-1)!, /Explain: sample 1\/4 · weights of epoch 5/);
  assert.match(terminal.frames.at(-1)!, /z¹ = W¹·x \+ b¹ +\(3\)/);
  terminal.type(".");
  await tick();
  assert.deepEqual(asked, [0, 1]);
  assert.match(terminal.frames.at(-1)!, /Explain: sample 2\/4/);
  assert.deepEqual(sent.filter((c) => c.type === "explain"), [], "explain never goes to the trainer");
  terminal.type("escape");
  await tick();
  assert.doesNotMatch(terminal.frames.at(-1)!, /Explain:/);
  terminal.type("q");
  await running;
});

Deno.test("runDashboard() says why there are no numbers when the run cannot explain (a replay)", async () => {
  const terminal = new FakeTerminal();
  const events = [...xorRun(3), { type: "end", reason: "done", epoch: 3, message: "Finished" } as TrainEvent];
  const running = runDashboard({ events: play(events), send: () => {} }, {
    terminal,
    frameInterval: 0,
    holdOnEnd: true,
  });
  for (let i = 0; i < 20 && !/■ done/.test(terminal.frames.at(-1) ?? ""); i++) await tick();
  terminal.type("e");
  await tick();
  assert.match(terminal.frames.at(-1)!, /No numbers to show: this run has no network/);
  assert.match(
    terminal.frames.at(-1)!,
    /│ For the saved model: deno task explain <run folder> --input x1,x2,… +│/,
  );
  terminal.type("q");
  await running;
});

Deno.test("runDashboard() recomputes the explain view when training pauses in the middle of an epoch", async () => {
  const terminal = new FakeTerminal();
  let clock = 0, pausedAt: { epoch: number; batch: number; batches: number } | undefined;
  const asked: (typeof pausedAt)[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events: TrainEvent[] = [
    ...xorRun(3),
    { type: "state", paused: true, epoch: 4, batch: 3, batches: 8 },
    { type: "end", reason: "quit", epoch: 3, message: "Stopped" },
  ];
  const running = runDashboard({
    events: play(events, { gate, after: events.length - 2 }),
    onEvent: (event) => {
      // what the CLI does: it remembers where the pause stopped
      if (event.type === "state") pausedAt = { epoch: 4, batch: 3, batches: 8 };
    },
    send: () => {},
    explain: (sample) => {
      asked.push(pausedAt);
      return { ...xorExplain(), sample, samples: 4, epoch: 3, ...(pausedAt ? { pausedAt } : {}) };
    },
  }, { terminal, frameInterval: 0, now: () => clock });
  for (let i = 0; i < 20 && !/epoch\s+3\//.test(terminal.frames.at(-1) ?? ""); i++) await tick();
  terminal.type("e");
  await tick();
  assert.match(terminal.frames.at(-1)!, /weights of epoch 3 /);
  clock += 1000;
  release();
  for (let i = 0; i < 20 && asked.length < 2; i++) await tick();
  assert.deepEqual(asked, [undefined, { epoch: 4, batch: 3, batches: 8 }]);
  assert.match(
    terminal.frames.find((frame) => /batch 3\/8/.test(frame)) ?? "",
    /weights at batch 3\/8 of epoch 4/,
  );
  terminal.type("q");
  await running;
});

Deno.test("runDashboard() with holdOnEnd stays after the end until q, saving first; r trains again", async () => {
  const terminal = new FakeTerminal();
  const sent: TrainCommand[] = [];
  const controller = new TrainController();
  const { train: data } = await loadDataset({ source: "xor", testSplit: 0, normalize: "none" }, {
    rng: new Rng(1),
  });
  const network = new Network({
    input: 2,
    layers: [{ units: 3, activation: "sigmoid" }, { units: 1, activation: "sigmoid" }],
    seed: 7,
  });
  const events = train(network, data, {
    name: "xor",
    epochs: 20,
    learningRate: 0.5,
    loss: "mse",
    controller,
    restartable: true,
  });
  let saves = 0;
  const ends: string[] = [];
  const running = runDashboard({
    events,
    send: (command) => (sent.push(command), controller.send(command)),
    onEvent: (event) => void (event.type === "end" && ends.push(event.reason)),
    onEnd: () => `runs/xor/model-${++saves}.json`,
  }, { terminal, frameInterval: 0, holdOnEnd: true });
  const waitFor = async (test: () => boolean) => {
    while (!test()) await tick();
  };
  await waitFor(() => /\[ \] rewind · p play back · r restart · q quit/.test(terminal.frames.at(-1) ?? ""));
  const last = terminal.frames.at(-1)!;
  assert.match(last, /■ done/, "the header says how training ended");
  assert.match(last, /epoch 20\/20/);
  assert.equal(saves, 1, "the model is saved before waiting");
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(terminal.closed, 0, "still open after the end");
  assert.equal(terminal.printed.length, 0);

  terminal.type("r");
  await waitFor(() => ends.length === 2 && saves === 2);
  assert.deepEqual(sent.at(-1), { type: "restart" });
  assert.equal(terminal.closed, 0, "r trained again, and the dashboard still stays");

  terminal.type("q");
  const state = await running;
  assert.deepEqual(sent.at(-1), { type: "quit", interrupted: false });
  assert.equal(state.end?.reason, "done");
  assert.equal(terminal.closed, 1);
  assert.match(terminal.printed[0], /model saved to runs\/xor\/model-2\.json/);
});

Deno.test("runDashboard() with holdOnEnd closes at once when the user quit training", async () => {
  const terminal = new FakeTerminal();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events = [...xorRun(5), { type: "end", reason: "quit", epoch: 5, message: "Stopped" } as TrainEvent];
  const running = runDashboard({ events: play(events, { gate, after: 5 }), send: () => {} }, {
    terminal,
    frameInterval: 0,
    holdOnEnd: true,
  });
  await tick();
  terminal.type("q");
  await tick();
  release();
  const state = await running;
  assert.equal(state.end?.reason, "quit");
  assert.equal(terminal.closed, 1);
});
