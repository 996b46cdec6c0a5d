// train(): commands taken between batches (pause at a batch, step, rate), typed events, pace, restart after the end.

import assert from "node:assert/strict";
import { loadDataset } from "../../src/data/load.ts";
import type { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { Network } from "../../src/nn/network.ts";
import type { EpochEvent, TrainEvent } from "../../src/train/events.ts";
import { train, TrainController, type TrainData, type TrainOptions } from "../../src/train/trainer.ts";
import { epochMetrics } from "../../src/ui/plain_log.ts";

/** XOR's four points for batches of one, calling `onBatch(n)` as the n-th batch (1-based, over the run) is gathered. */
async function xorData(onBatch: (batch: number) => void = () => {}): Promise<TrainData> {
  const { train: set } = await loadDataset({ source: "xor", testSplit: 0, normalize: "none" }, {
    rng: new Rng(1),
  });
  let batches = 0;
  return {
    size: set.size,
    inputSize: set.inputSize,
    targetSize: set.targetSize,
    task: set.task,
    classNames: set.classNames,
    preprocessing: set.preprocessing,
    rawFeatureData: set.rawFeatureData,
    labels: set.labels,
    gather(x: Matrix, y: Matrix, order: Uint32Array, start: number) {
      if (x.rows === 1) onBatch(++batches); // not the trainer's statistics sample (all four rows)
      set.gather(x, y, order, start);
    },
  };
}

function network(): Network {
  return new Network({
    input: 2,
    layers: [{ units: 3, activation: "sigmoid" }, { units: 1, activation: "sigmoid" }],
    seed: 7,
  });
}

function options(controller: TrainController, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    name: "xor",
    epochs: 5,
    batchSize: 1,
    learningRate: 0.5,
    loss: "mse",
    seed: 3,
    controller,
    ...extra,
  };
}

/** Reads events until `stop(event)` holds; returns them all (the last one included). */
async function readUntil(
  events: AsyncIterator<TrainEvent>,
  stop: (event: TrainEvent) => boolean,
): Promise<TrainEvent[]> {
  const seen: TrainEvent[] = [];
  while (true) {
    const next = await events.next();
    if (next.done) return seen;
    seen.push(next.value);
    if (stop(next.value)) return seen;
  }
}

Deno.test("train() pauses between two batches and says where; n finishes that epoch", async () => {
  const controller = new TrainController();
  // the pause arrives while the 6th batch is gathered: the 2nd batch of epoch 2 (4 batches an epoch)
  const data = await xorData((batch) => batch === 6 && controller.send({ type: "pause" }));
  const events = train(network(), data, options(controller))[Symbol.asyncIterator]();
  const upToPause = await readUntil(events, (event) => event.type === "state");
  assert.deepEqual(upToPause.filter((e) => e.type === "epoch").map((e) => (e as EpochEvent).epoch), [1]);
  assert.deepEqual(upToPause.at(-1), { type: "state", paused: true, epoch: 2, batch: 2, batches: 4 });

  controller.send({ type: "step" });
  const stepped = await readUntil(events, (event) => event.type === "epoch");
  assert.equal((stepped.at(-1) as EpochEvent).epoch, 2, "n finishes the epoch paused in");
  controller.send({ type: "step" });
  const again = await readUntil(events, (event) => event.type === "epoch");
  assert.equal((again.at(-1) as EpochEvent).epoch, 3, "then runs exactly one more");
  controller.send({ type: "quit" });
  const rest = await readUntil(events, () => false);
  assert.equal(rest.filter((e) => e.type === "epoch").length, 0, "no epoch runs after a step while paused");
  assert.deepEqual(rest.at(-1), {
    type: "end",
    reason: "quit",
    epoch: 3,
    message: "Stopped by the user after epoch 3",
  });
});

Deno.test("train() quits at the next batch, not at the end of the epoch", async () => {
  const controller = new TrainController();
  let gathered = 0;
  const data = await xorData((batch) => {
    gathered = batch;
    if (batch === 2) controller.send({ type: "quit" });
  });
  const events = [];
  for await (const event of train(network(), data, options(controller))) events.push(event);
  assert.equal(gathered, 2, "no batch after the one during which quit came");
  assert.equal(events.filter((e) => e.type === "epoch").length, 0);
  assert.equal(events.at(-1)?.type, "end");
});

Deno.test("train() reports a new learning rate as a typed event between batches", async () => {
  const controller = new TrainController();
  const data = await xorData((batch) =>
    batch === 6 && controller.send({ type: "set_learning_rate", value: 0.25 })
  );
  const events = [];
  for await (const event of train(network(), data, options(controller, { epochs: 3 }))) events.push(event);
  const types = events.map((e) => e.type);
  // taken after the 6th batch, in the middle of epoch 2: before that epoch's event, which already used it
  assert.deepEqual(types, ["start", "epoch", "learning_rate_changed", "epoch", "epoch", "end"]);
  assert.deepEqual(events[2], { type: "learning_rate_changed", value: 0.25, epoch: 1 });
  assert.equal((events[3] as EpochEvent).learningRate, 0.25);
  assert.ok(!events.some((e) => e.type === "notice"), "no notice text to parse");
});

Deno.test("train() marks epochs whose statistics were repeated, and epochMetrics leaves their norms out", async () => {
  const events = [];
  for await (
    const event of train(network(), await xorData(), options(new TrainController(), { statsIntervalMs: 1e9 }))
  ) events.push(event);
  const epochs = events.filter((e) => e.type === "epoch") as EpochEvent[];
  // measured on the first epoch (nothing yet) and the last (always), repeated in between
  assert.deepEqual(epochs.map((e) => e.layersMeasured), [true, false, false, false, true]);
  assert.equal(epochs[1].layers, epochs[0].layers, "the repeated statistics are the earlier ones");
  assert.deepEqual(epochs.map((e) => "gradient_norms" in epochMetrics(e)), [true, false, false, false, true]);
  assert.equal(epochMetrics(epochs[0]).type, "epoch");
  assert.equal(epochMetrics(epochs[0]).gradient_norms?.length, 2);
});

Deno.test("train() waits for its pace without blocking commands, and reports pace changes", async () => {
  const controller = new TrainController();
  // 0.001 epochs a second: after the first epoch the next is due in 1000 s
  const run = train(network(), await xorData(), options(controller, { pace: 0.001 }))[Symbol.asyncIterator]();
  const start = await run.next();
  assert.equal(start.value?.type === "start" && start.value.pace, 0.001);
  await readUntil(run, (event) => event.type === "epoch");
  // the trainer now waits for the pace; a command is still taken at once (else this test would time out)
  controller.send({ type: "set_pace", epochsPerSecond: 1e9 });
  const changed = await readUntil(run, (event) => event.type !== "epoch");
  assert.deepEqual(changed.at(-1), { type: "pace_changed", epochsPerSecond: 1e9 });
  controller.send({ type: "set_pace" });
  assert.deepEqual((await readUntil(run, (event) => event.type === "pace_changed")).at(-1), {
    type: "pace_changed",
  });
  const rest = await readUntil(run, () => false);
  assert.equal((rest.at(-1) as { epoch: number }).epoch, 5, "without a cap the run goes on to its end");
});

Deno.test("train() with restartable stays after the end: restart trains again from the same seed, quit ends", async () => {
  const controller = new TrainController();
  const run = train(network(), await xorData(), options(controller, { epochs: 3, restartable: true }))[
    Symbol.asyncIterator
  ]();
  const first = await readUntil(run, (event) => event.type === "end");
  const losses = (events: TrainEvent[]) =>
    events.filter((e) => e.type === "epoch").map((e) => (e as EpochEvent).trainLoss);
  // the trainer waits after the end: the next event comes only after a command
  const waiting = run.next();
  controller.send({ type: "restart" });
  assert.equal((await waiting).value?.type, "start");
  const second = await readUntil(run, (event) => event.type === "end");
  assert.deepEqual(losses(second), losses(first), "the same seed gives the same losses");
  controller.send({ type: "quit" });
  assert.equal((await run.next()).done, true);
});

Deno.test("train() with statistics: false computes no dashboard statistics, and trains the same weights", async () => {
  const run = async (statistics: boolean) => {
    const net = new Network({ input: 2, hidden: [3], output: 1, seed: 1 });
    const epochs: EpochEvent[] = [];
    const options = { name: "xor", epochs: 3, learningRate: 1, loss: "mse" as const, statistics };
    for await (const event of train(net, await xorData(), options)) {
      if (event.type === "epoch") epochs.push(event);
    }
    return { net, epochs };
  };
  const without = await run(false), withStats = await run(true);
  for (const event of without.epochs) {
    assert.equal(event.layersMeasured, false);
    assert.deepEqual(event.layers, []);
    assert.equal(event.boundary, undefined);
    assert.equal(event.confusion, undefined);
  }
  assert.ok(withStats.epochs.every((event) => event.layers.length > 0));
  assert.deepEqual(
    without.net.parameters.map((p) => p.value),
    withStats.net.parameters.map((p) => p.value),
  );
});

Deno.test("train() runs net.fit's callbacks: the same hooks give the same calls, rates, stop and weights through both", async (t) => {
  const { generate } = await import("../../src/data/builtin.ts");
  type Hooks = NonNullable<TrainOptions["callbacks"]>;
  const data = generate("moons", new Rng(5), { samples: 64, noise: 0.3 });
  const test = generate("moons", new Rng(6), { samples: 32, noise: 0.3 });
  const build = () =>
    new Network({
      input: 2,
      hidden: [8],
      output: 1,
      activation: "relu",
      outputActivation: "sigmoid",
      seed: 3,
    });
  const options = { epochs: 20, batchSize: 16, optimizer: "adam" as const, learningRate: 0.05 };
  const weights = (net: Network) => net.parameters.map((p) => Array.from(p.value));

  /** Hooks that log every call, lower the rate in epoch 2's second batch and stop as `stopAt` says. */
  function hooks(log: string[], stopAt: { epoch: number; batch?: number }): Hooks {
    return [{
      onTrainBegin: (context) => void log.push(`begin ${context.epoch}`),
      onEpochBegin: (epoch, context) => void log.push(`epoch ${epoch} rate ${context.learningRate}`),
      onBatchEnd(batch, loss, context) {
        log.push(`batch ${context.epoch + 1}.${batch} ${loss}`);
        if (context.epoch === 1 && batch === 2) context.learningRate = 0.01;
        if (context.epoch + 1 === stopAt.epoch && batch === stopAt.batch) context.stop();
      },
      async onEpochEnd(record, context) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.push(`end ${record.epoch} ${record.loss} ${record.valLoss} ${record.learningRate}`);
        if (stopAt.batch === undefined && record.epoch === stopAt.epoch) context.stop();
      },
    }, {
      onTrainEnd: (history, context) => void log.push(`done ${history.length} ${context.stopRequested}`),
    }];
  }

  for (
    const [name, stopAt] of [["after an epoch", { epoch: 5 }], ["in a batch", {
      epoch: 4,
      batch: 3,
    }]] as const
  ) {
    await t.step(`stopped ${name}`, async () => {
      const fitLog: string[] = [], trainLog: string[] = [];
      const viaFit = build();
      const history = await viaFit.fit(data, {
        ...options,
        validationData: test,
        callbacks: hooks(fitLog, stopAt),
      });
      const viaTrain = build();
      let end: TrainEvent | undefined;
      const run = train(viaTrain, data, {
        ...options,
        name: "moons",
        test,
        statistics: false,
        callbacks: hooks(trainLog, stopAt),
      });
      for await (const event of run) if (event.type === "end") end = event;
      assert.equal(history.length, stopAt.epoch);
      assert.ok(fitLog.some((line) => line.startsWith("epoch 3 rate 0.01")), "the rate set by a hook lasted");
      assert.deepEqual(trainLog, fitLog);
      assert.deepEqual(weights(viaTrain), weights(viaFit));
      assert.ok(end?.type === "end");
      assert.equal(end.reason, "stopped");
      assert.equal(end.epoch, stopAt.epoch);
    });
  }
});

Deno.test("train() counts the test set's confusion matrix in the same pass as its loss (one pass an epoch)", async () => {
  const { generate } = await import("../../src/data/builtin.ts");
  const data = generate("moons", new Rng(5), { samples: 64, noise: 0.3 });
  const set = generate("moons", new Rng(6), { samples: 600, noise: 0.3 });
  let gathers = 0;
  const test: TrainData = {
    size: set.size,
    inputSize: set.inputSize,
    targetSize: set.targetSize,
    task: set.task,
    classNames: set.classNames,
    preprocessing: set.preprocessing,
    rawFeatureData: set.rawFeatureData,
    labels: set.labels,
    gather(x: Matrix, y: Matrix, order: Uint32Array, start: number) {
      gathers++;
      set.gather(x, y, order, start);
    },
  };
  const net = new Network({ input: 2, hidden: [4], output: 1, seed: 2 });
  const epochs: EpochEvent[] = [];
  let before = 0;
  for await (
    const event of train(net, data, { name: "moons", epochs: 3, learningRate: 0.5, test, statsIntervalMs: 0 })
  ) {
    if (event.type === "start") before = gathers;
    if (event.type === "epoch") epochs.push(event);
  }
  assert.equal(gathers - before, 3 * Math.ceil(600 / 256), "one pass over the test set per epoch");
  for (const event of epochs) {
    assert.equal(event.confusion?.split, "test");
    assert.equal(event.confusion?.counts.flat().reduce((a, b) => a + b), 600);
    assert.equal(event.layersMeasured, true);
  }
});

Deno.test("train() sends a one-input regression's points once and its curve: the network's predictions at evenly spaced x", async () => {
  const rng = new Rng(42);
  const { train: set, test } = await loadDataset(
    { source: "sine", samples: 500, noise: 0.05, testSplit: 0.2, normalize: "zscore" } as Parameters<
      typeof loadDataset
    >[0],
    { rng },
  );
  assert.ok(test !== undefined && set.preprocessing.factor[0] !== 1, "zscore scales the input");
  const net = new Network({ input: 1, hidden: [8], output: 1, activation: "tanh", seed: 3 });
  let xMin = Infinity, xMax = -Infinity;
  for (const data of [set, test]) {
    for (const x of data.rawFeatureData) xMin = Math.min(xMin, x), xMax = Math.max(xMax, x);
  }
  let curves = 0, start: TrainEvent | undefined;
  const run = train(net, set, {
    name: "sine",
    epochs: 4,
    learningRate: 0.05,
    loss: "mse",
    test,
    statsIntervalMs: 0,
  });
  for await (const event of run) {
    if (event.type === "start") start = event;
    if (event.type !== "epoch") continue;
    assert.equal(event.boundary, undefined);
    const curve = event.curve!;
    assert.deepEqual(curve.xRange, [xMin, xMax]);
    assert.equal(curve.values.length, 96);
    // the weights of this epoch: the generator waits while the event is read
    const { shift, factor } = set.preprocessing;
    const xs = curve.values.map((_, i) => xMin + (xMax - xMin) * i / 95);
    const expected = net.predict(xs.map((x) => [(x - shift[0]) * factor[0]]));
    assert.deepEqual(curve.values, Array.from(expected.data));
    curves++;
  }
  assert.equal(curves, 4);
  assert.ok(start?.type === "start");
  const points = start.curvePoints!;
  assert.equal(start.points, undefined);
  assert.equal(points.length, 400, "320 training and 80 test points of 500");
  assert.equal(points.filter((p) => p.split === "test").length, 80);
  // each point is a row of its set: raw x and its target
  const trainTargets = set.targets().data, raw = set.rawFeatureData;
  const first = points[0], second = points[1];
  assert.deepEqual([first.x, first.y], [raw[0], trainTargets[0]]);
  const row = Math.floor(1 * set.size / 320);
  assert.deepEqual([second.x, second.y], [raw[row], trainTargets[row]]);
});

Deno.test("train() sends no curve for two-input or classification data", async () => {
  const events: TrainEvent[] = [];
  for await (
    const event of train(network(), await xorData(), options(new TrainController(), { epochs: 2 }))
  ) {
    events.push(event);
  }
  assert.ok(events.every((e) => e.type !== "epoch" || e.curve === undefined));
  assert.ok(events.every((e) => e.type !== "start" || e.curvePoints === undefined));
});

/** XOR's four points repeated to `rows` rows, each batch taking at least `msPerBatch` ms (a slow, long epoch). */
async function slowXor(rows: number, msPerBatch: number): Promise<TrainData> {
  const xor = await xorData();
  return {
    ...xor,
    size: rows,
    rawFeatureData: Array.from({ length: rows * 2 }, (_, i) => xor.rawFeatureData[i % 8]),
    labels: Int32Array.from({ length: rows }, (_, i) => xor.labels![i % 4]),
    gather(x: Matrix, y: Matrix, order: Uint32Array, start: number) {
      const until = performance.now() + msPerBatch;
      while (performance.now() < until) { /* a slow batch */ }
      for (let r = 0; r < x.rows; r++) {
        const i = order[start + r] % 4;
        x.data[r * 2] = i >> 1, x.data[r * 2 + 1] = i & 1;
        y.data[r] = (i >> 1) ^ (i & 1);
      }
    },
  };
}

Deno.test("train() with progressEveryMs sends progress events during a long epoch, batch numbers increasing", async () => {
  const data = await slowXor(40, 5);
  const events: TrainEvent[] = [];
  const run = train(network(), data, {
    ...options(new TrainController(), { epochs: 2 }),
    progressEveryMs: 20,
  });
  for await (const event of run) events.push(event);
  for (const epoch of [1, 2]) {
    const at = events.findIndex((e) => e.type === "epoch" && e.epoch === epoch);
    const before = events.slice(0, at).filter((e) => e.type === "progress" && e.epoch === epoch);
    // 40 batches of 5 ms or more: one every 20 ms of training makes several
    assert.ok(before.length >= 2, `epoch ${epoch}: ${before.length} progress events`);
    let last = 0;
    for (const event of before) {
      if (event.type !== "progress") continue;
      assert.ok(event.batch > last && event.batch < 40, `batch ${event.batch} after ${last}`);
      assert.equal(event.batches, 40);
      assert.equal(event.epochs, 2);
      assert.ok(event.samplesPerSecond > 0 && event.samplesPerSecond < 1000 / 5 + 1);
      last = event.batch;
    }
  }
  // none after the end, none without the option
  assert.equal(events[events.length - 1].type, "end");
  const quiet: string[] = [];
  for await (const event of train(network(), data, options(new TrainController(), { epochs: 1 }))) {
    quiet.push(event.type);
  }
  assert.deepEqual(quiet, ["start", "epoch", "end"]);
});

Deno.test("train() restart drops a hand-set rate: the config's rate and schedule again, as a fresh run", async (t) => {
  const cases = [
    { name: "no schedule", extra: {} },
    { name: "a step schedule", extra: { schedule: { type: "step" as const, every: 1, factor: 0.5 } } },
  ];
  for (const { name, extra } of cases) {
    await t.step(name, async () => {
      const rates = (events: TrainEvent[]) =>
        events.flatMap((e) =>
          e.type === "epoch" ? [e.learningRate] : e.type === "start" ? [-e.learningRate] : []
        );
      // a fresh run: its start rate (negated) and every epoch's rate
      const fresh: TrainEvent[] = [];
      for await (
        const event of train(
          network(),
          await xorData(),
          options(new TrainController(), { epochs: 3, ...extra }),
        )
      ) {
        fresh.push(event);
      }
      const controller = new TrainController();
      const run = train(
        network(),
        await xorData(),
        options(controller, { epochs: 3, restartable: true, ...extra }),
      )[
        Symbol.asyncIterator
      ]();
      // + after the first epoch: the rate in use is 4
      await readUntil(run, (event) => event.type === "epoch");
      controller.send({ type: "set_learning_rate", value: 4 });
      const rest = await readUntil(run, (event) => event.type === "end");
      assert.ok(rest.some((e) => e.type === "learning_rate_changed" && e.value === 4));
      const waiting = run.next();
      controller.send({ type: "restart" });
      const again = [
        (await waiting).value as TrainEvent,
        ...await readUntil(run, (event) => event.type === "end"),
      ];
      assert.deepEqual(rates(again), rates(fresh), "the restart's start and epoch rates are a fresh run's");
      const losses = (events: TrainEvent[]) => events.flatMap((e) => e.type === "epoch" ? [e.trainLoss] : []);
      assert.deepEqual(losses(again), losses(fresh), "and so its losses, bit for bit");
      controller.send({ type: "quit" });
      assert.equal((await run.next()).done, true);
    });
  }
});
