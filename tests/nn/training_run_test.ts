// trainingRun(): the one training loop. net.fit and the CLI's train() run it (same weights, same records), and
// its controller pauses, steps, changes the rate and quits between batches; resume goes on bit for bit.

import assert from "node:assert/strict";
import { generate } from "../../src/data/builtin.ts";
import { TrainingDivergedError } from "../../src/errors.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { type BatchSource, type EpochRecord, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { RunController } from "../../src/nn/run_controller.ts";
import { type RunRecord, trainingRun, type TrainState } from "../../src/nn/training_run.ts";
import type { EpochEvent, TrainEvent } from "../../src/train/events.ts";
import { train } from "../../src/train/trainer.ts";

const XOR = matrixSource(Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), Matrix.from([[0], [1], [1], [0]]));

function weights(net: Network): Float64Array[] {
  return net.parameters.map((p) => Float64Array.from(p.value));
}

function moonsNet(seed = 8): Network {
  return new Network({
    input: 2,
    hidden: [16],
    output: 1,
    activation: "relu",
    outputActivation: "sigmoid",
    seed,
  });
}

/** The run's records, with every record the controller's `onRecord` sees before the next is read. */
async function collect<R>(
  run: AsyncIterable<RunRecord<R>>,
  onRecord: (record: RunRecord<R>) => void = () => {},
): Promise<RunRecord<R>[]> {
  const records: RunRecord<R>[] = [];
  for await (const record of run) records.push(record), onRecord(record);
  return records;
}

/** The per-epoch numbers both loops must agree on: training loss, validation loss and accuracy, rate, samples. */
function numbers(record: EpochRecord): number[] {
  return [
    record.epoch,
    record.loss,
    record.valLoss ?? -1,
    record.valAccuracy ?? -1,
    record.learningRate,
    record.samples,
  ];
}

Deno.test("net.fit, train() and trainingRun() are one loop: bit-identical weights and epochs (validation, early stop with restore, schedules)", async (t) => {
  const data = generate("moons", new Rng(5), { samples: 200, noise: 0.3 });
  const test = generate("moons", new Rng(6), { samples: 100, noise: 0.3 });
  const cases = [
    {
      name: "adam, plateau schedule on the validation loss, early stop on val_loss with restore",
      options: {
        epochs: 40,
        batchSize: 16,
        optimizer: "adam" as const,
        learningRate: 0.05,
        schedule: { type: "plateau" as const, patience: 2, factor: 0.5, minLearningRate: 0.001 },
      },
      earlyStop: { monitor: "val_loss" as const, patience: 4, minDelta: 0 },
    },
    {
      name: "momentum, cosine schedule with warm-up, clipping, early stop on val_accuracy",
      options: {
        epochs: 30,
        batchSize: 8,
        optimizer: "momentum" as const,
        momentum: 0.9,
        learningRate: 0.1,
        clipNorm: 1,
        schedule: { type: "cosine" as const, warmupEpochs: 3, minLearningRate: 0.001 },
      },
      earlyStop: { monitor: "val_accuracy" as const, patience: 3, minDelta: 0.001 },
    },
    {
      name: "sgd, step schedule, no early stop",
      options: {
        epochs: 12,
        batchSize: 32,
        optimizer: "sgd" as const,
        learningRate: 0.5,
        schedule: { type: "step" as const, every: 4, factor: 0.5 },
      },
      earlyStop: undefined,
    },
  ];
  for (const { name, options, earlyStop } of cases) {
    await t.step(name, async () => {
      const viaFit = moonsNet();
      const history = await viaFit.fit(data, { ...options, validationData: test, earlyStop });

      const viaTrain = moonsNet();
      const events: TrainEvent[] = [];
      const run = train(viaTrain, data, { ...options, name: "moons", test, earlyStop, statistics: false });
      for await (const event of run) events.push(event);
      const epochs = events.filter((e): e is EpochEvent => e.type === "epoch");
      const end = events.at(-1);

      const viaRun = moonsNet();
      const records = await collect(
        trainingRun(viaRun, data, { ...options, validation: test, earlyStop, trackAccuracy: true }),
      );
      const runEpochs = records.flatMap((r) => r.type === "epoch" ? [r.record] : []);
      const runEnd = records.at(-1);

      assert.deepEqual(runEpochs.map(numbers), history.map(numbers), "trainingRun and fit: the same epochs");
      assert.deepEqual(
        epochs.map((e) => [e.epoch, e.trainLoss, e.testLoss, e.testAccuracy, e.learningRate]),
        history.map((r) => [r.epoch, r.loss, r.valLoss, r.valAccuracy, r.learningRate]),
        "train() and fit: the same epochs",
      );
      assert.deepEqual(weights(viaFit), weights(viaTrain), "fit and train(): bit-identical weights");
      assert.deepEqual(weights(viaFit), weights(viaRun), "fit and trainingRun: bit-identical weights");
      assert.ok(end?.type === "end" && runEnd?.type === "end");
      assert.equal(end.epoch, history.length);
      assert.equal(runEnd.epoch, history.length);
      assert.equal(end.reason, runEnd.reason);
      assert.equal(end.message, runEnd.message);
      assert.deepEqual(end.restored?.epoch, runEnd.restored?.epoch);
      if (earlyStop !== undefined) {
        assert.ok(history.length < options.epochs, `early stopping ended the run (${history.length})`);
        assert.equal(runEnd.reason, "early_stop");
        assert.equal(runEpochs.at(-1)?.epoch, runEnd.epoch);
        assert.ok(
          runEnd.restored !== undefined && runEnd.restored.epoch < runEnd.epoch,
          "the best was restored",
        );
        assert.equal(runEnd.restoredRecord?.epoch, runEnd.restored.epoch);
        const last = records.findLast((r) => r.type === "epoch");
        assert.ok(last?.type === "epoch" && last.stop === "early_stop", "the last epoch says why it stops");
      }
    });
  }
});

/** A batch source over XOR that calls `onBatch(n)` as it gathers the n-th batch of one row (1-based). */
function countingXor(onBatch: (batch: number) => void): BatchSource {
  let batches = 0;
  return {
    size: XOR.size,
    inputSize: XOR.inputSize,
    targetSize: XOR.targetSize,
    gather(x, y, order, start) {
      onBatch(++batches);
      XOR.gather(x, y, order, start);
    },
  };
}

Deno.test("trainingRun() takes a controller's pause, step, rate and quit between batches", async () => {
  const controller = new RunController();
  const net = new Network({ input: 2, hidden: [3], output: 1, seed: 7 });
  // pause while the 6th batch is gathered: the 2nd of epoch 2 (4 batches of one row an epoch)
  const source = countingXor((batch) => {
    if (batch === 6) controller.send({ type: "pause" });
    if (batch === 7) controller.send({ type: "set_learning_rate", value: 0.25 });
  });
  const options = { epochs: 10, batchSize: 1, learningRate: 0.5, loss: "mse" as const, seed: 3, controller };
  let stepped: Float64Array[] = [];
  const records = await collect(trainingRun(net, source, options), (record) => {
    if (record.type === "state" && record.paused) controller.send({ type: "step" });
    if (record.type === "epoch" && record.stepped && record.record.epoch === 2) {
      controller.send({ type: "step" });
    }
    if (record.type === "epoch" && record.record.epoch === 3) {
      stepped = weights(net);
      controller.send({ type: "quit" });
    }
  });
  assert.deepEqual(records.map((r) => r.type), [
    "start",
    "epoch",
    "state",
    "learning_rate_changed",
    "epoch",
    "epoch",
    "end",
  ]);
  assert.deepEqual(records[2], { type: "state", paused: true, epoch: 2, batch: 2, batches: 4 });
  assert.deepEqual(records[3], { type: "learning_rate_changed", value: 0.25, epoch: 1 });
  const epochs = records.flatMap((r) => r.type === "epoch" ? [r] : []);
  assert.deepEqual(epochs.map((e) => [e.record.epoch, e.stepped]), [[1, false], [2, true], [3, true]]);
  assert.equal(epochs[1].record.learningRate, 0.25);
  assert.deepEqual(records.at(-1), {
    type: "end",
    reason: "quit",
    epoch: 3,
    message: "Stopped by the user after epoch 3",
  });
  assert.deepEqual(weights(net), stepped, "quit while paused after a step keeps that epoch's weights");
});

Deno.test("trainingRun() quit in the middle of an epoch keeps the last whole epoch's weights", async () => {
  const controller = new RunController();
  const net = new Network({ input: 2, hidden: [3], output: 1, seed: 7 });
  const clean = new Network({ input: 2, hidden: [3], output: 1, seed: 7 });
  const options = { batchSize: 1, learningRate: 0.5, loss: "mse" as const, seed: 3 };
  // quit while the 7th batch (the 3rd of epoch 2) is gathered
  const source = countingXor((batch) => batch === 7 && controller.send({ type: "quit", interrupted: true }));
  const records = await collect(trainingRun(net, source, { ...options, epochs: 10, controller }));
  await collect(trainingRun(clean, XOR, { ...options, epochs: 1 }));
  assert.deepEqual(records.at(-1), {
    type: "end",
    reason: "interrupted",
    epoch: 1,
    message: "Stopped by the user after epoch 1",
  });
  assert.deepEqual(weights(net), weights(clean), "as a clean run of one epoch");
});

Deno.test("trainingRun() resumed from onState's state goes on bit for bit, early stopping included", async () => {
  const data = generate("moons", new Rng(5), { samples: 120, noise: 0.3 });
  const test = generate("moons", new Rng(6), { samples: 60, noise: 0.3 });
  const options = {
    batchSize: 16,
    optimizer: "adam" as const,
    learningRate: 0.02,
    validation: test,
    earlyStop: { monitor: "val_loss" as const, patience: 50 },
    schedule: { type: "exponential" as const, gamma: 0.95 },
  };
  const whole = moonsNet(4);
  const wholeRecords = await collect(trainingRun(whole, data, { ...options, epochs: 8 }));

  const first = moonsNet(4);
  let saved: TrainState | undefined;
  await collect(
    trainingRun(first, data, {
      ...options,
      epochs: 8,
      // a deep copy, as a checkpoint file would keep it
      onState: (state) => void (state.epoch === 4 ? saved = structuredClone(state) : undefined),
      callbacks: { onEpochEnd: (record, context) => void (record.epoch === 4 && context.stop()) },
    }),
  );
  assert.ok(saved !== undefined && saved.earlyStop !== undefined && saved.best !== undefined);
  const second = moonsNet(99); // other initial weights: the state brings its own
  const resumed = await collect(trainingRun(second, data, { ...options, epochs: 8, resume: saved }));
  assert.deepEqual(resumed[0], {
    type: "start",
    epochs: 8,
    loss: "binary_cross_entropy",
    optimizer: "adam",
    learningRate: saved.learningRate,
    pace: undefined,
    schedule: "exponential ×0.95",
    clipNorm: undefined,
    resumedFrom: 4,
  });
  const losses = (records: RunRecord[]) =>
    records.flatMap((r) => r.type === "epoch" ? [[r.record.epoch, r.record.loss, r.record.valLoss]] : []);
  assert.deepEqual(losses(resumed), losses(wholeRecords).slice(4));
  assert.deepEqual(weights(second), weights(whole));
  assert.deepEqual(resumed.at(-1), wholeRecords.at(-1), "the same end, the same restored epoch");
});

Deno.test("trainingRun() ends with reason diverged and the last good weights; net.fit throws that record", async () => {
  const x = Matrix.from([[1], [2], [3], [4]]), y = Matrix.from([[10], [20], [30], [40]]);
  const build = () => new Network({ input: 1, hidden: [4], output: 1, activation: "linear", seed: 2 });
  const options = { epochs: 200, batchSize: 4, learningRate: 1 };
  const net = build();
  let good: Float64Array[] = [];
  const records = await collect(trainingRun(net, matrixSource(x, y), options), (record) => {
    if (record.type === "epoch") good = weights(net);
  });
  const end = records.at(-1);
  assert.ok(end?.type === "end" && end.reason === "diverged" && end.divergence !== undefined);
  assert.equal(end.divergence.epoch, end.epoch + 1);
  assert.match(end.message, new RegExp(`^Training diverged at epoch ${end.epoch + 1}: `));
  assert.deepEqual(weights(net), good);

  const viaFit = build();
  const error = await viaFit.fit(x, y, options).then(() => undefined, (e) => e);
  assert.ok(error instanceof TrainingDivergedError);
  assert.equal(error.epoch, end.divergence.epoch);
  assert.equal(error.learningRate, end.divergence.learningRate);
  assert.deepEqual(weights(viaFit), good);
});

Deno.test("trainingRun() measures validation through its evaluate hook, once per epoch", async () => {
  const data = generate("moons", new Rng(5), { samples: 64, noise: 0.3 });
  const test = generate("moons", new Rng(6), { samples: 600, noise: 0.3 });
  let gathers = 0;
  const counted: BatchSource = {
    size: test.size,
    inputSize: test.inputSize,
    targetSize: test.targetSize,
    gather(x, y, order, start) {
      gathers++;
      test.gather(x as Matrix, y as Matrix, order, start);
    },
  };
  const seen: number[] = [];
  const records = await collect(
    trainingRun(moonsNet(), data, {
      epochs: 3,
      validation: counted,
      evaluate(network, validation, context) {
        seen.push(context.epoch);
        return { loss: network.evaluate(validation).loss, accuracy: 0.5 };
      },
    }),
  );
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(gathers, 3 * Math.ceil(600 / 256), "one pass over the validation data per epoch");
  const epochs = records.flatMap((r) => r.type === "epoch" ? [r.record] : []);
  assert.deepEqual(epochs.map((r) => r.valAccuracy), [0.5, 0.5, 0.5]);
});

Deno.test("net.fit stops when a weight becomes non-finite under a finite loss, as the CLI does, and names it", async () => {
  // relu units overflow to infinity while the loss stays finite (the CLI's interrupt test runs the same)
  const data = generate("circle", new Rng(1), { samples: 200 });
  const net = new Network({
    input: 2,
    hidden: [8],
    output: 1,
    activation: "relu",
    outputActivation: "sigmoid",
  });
  const error = await net.fit(data, { epochs: 2000, batchSize: 200, learningRate: 1e6 }).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(error instanceof TrainingDivergedError, String(error));
  assert.match(error.parameter ?? "", /^layers\[\d\]\.(weights|biases)$/);
  assert.ok(Number.isFinite(error.loss));
  assert.match(
    error.message,
    new RegExp(
      `^Training diverged at epoch ${error.epoch}: layers\\[\\d\\]\\.(weights|biases) became non-finite \\(the loss was [0-9.e+-]+\\); the weights of epoch ${
        error.epoch - 1
      } were restored`,
    ),
  );
  assert.ok(net.parameters.every((p) => p.value.every(Number.isFinite)), "the last finite epoch's weights");
});

Deno.test("trainingRun() with restartable waits after the end; restart trains again from the seed, quit ends", async () => {
  const controller = new RunController();
  const net = new Network({ input: 2, hidden: [3], output: 1, seed: 7 });
  const run = trainingRun(net, XOR, { epochs: 3, learningRate: 1, restartable: true, controller });
  const losses: number[][] = [[]];
  let ends = 0;
  for await (const record of run) {
    if (record.type === "start" && ends > 0) losses.push([]);
    if (record.type === "epoch") losses.at(-1)!.push(record.record.loss);
    if (record.type === "end") controller.send({ type: ++ends === 1 ? "restart" : "quit" });
  }
  assert.equal(ends, 2);
  assert.equal(losses.length, 2);
  assert.equal(losses[0].length, 3);
  assert.deepEqual(losses[1], losses[0], "the same seed gives the same losses");
});

Deno.test("trainingRun() hands out progress records within an epoch only when progressEveryMs asks", async (t) => {
  const source = matrixSource(
    Matrix.from(Array.from({ length: 12 }, (_, i) => [i & 1, (i >> 1) & 1])),
    Matrix.from(Array.from({ length: 12 }, (_, i) => [(i & 1) ^ ((i >> 1) & 1)])),
  );
  const run = async (progressEveryMs?: number) => {
    const records: RunRecord[] = [];
    const net = new Network({ input: 2, hidden: [3], output: 1, activation: "sigmoid", seed: 1 });
    for await (const record of trainingRun(net, source, { epochs: 2, batchSize: 5, progressEveryMs })) {
      records.push(record);
    }
    return { records, weights: weights(net) };
  };
  const plain = await run();
  await t.step("none by default", () => {
    assert.deepEqual(plain.records.map((r) => r.type), ["start", "epoch", "epoch", "end"]);
  });
  await t.step("with 0, one after every batch but an epoch's last, in order; the same weights", async () => {
    const every = await run(0);
    const progress = every.records.filter((r) => r.type === "progress");
    assert.deepEqual(progress.map((r) => [r.epoch, r.batch, r.batches, r.epochs]), [
      [1, 1, 3, 2],
      [1, 2, 3, 2],
      [2, 1, 3, 2],
      [2, 2, 3, 2],
    ]);
    assert.deepEqual(every.records.map((r) => r.type).filter((type) => type !== "progress"), [
      "start",
      "epoch",
      "epoch",
      "end",
    ]);
    assert.ok(progress.every((r) => r.samplesPerSecond > 0 && r.elapsedSeconds >= 0));
    assert.deepEqual(every.weights, plain.weights);
  });
});

Deno.test("trainingRun() end messages count one epoch in the singular", async (t) => {
  const end = async (options: Parameters<typeof trainingRun>[2], activation = "sigmoid") => {
    const net = new Network({
      input: 2,
      hidden: [3],
      output: 1,
      activation: activation as "sigmoid",
      seed: 1,
    });
    let message = "";
    for await (const record of trainingRun(net, XOR, { batchSize: 4, loss: "mse", ...options })) {
      if (record.type === "end") message = record.message;
    }
    return message;
  };
  await t.step("Finished 1 epoch", async () => {
    assert.equal(await end({ epochs: 1 }), "Finished 1 epoch");
    assert.equal(await end({ epochs: 2 }), "Finished 2 epochs");
  });
  await t.step("did not improve for 1 epoch", async () => {
    const earlyStop = { monitor: "loss" as const, patience: 1, minDelta: 1e9, restoreBest: false };
    assert.equal(
      await end({ epochs: 5, earlyStop }),
      "Stopped early at epoch 2: loss did not improve for 1 epoch",
    );
  });
  await t.step("a first epoch that diverges keeps the initial weights", async () => {
    assert.match(
      await end({ epochs: 3, batchSize: 1, learningRate: 1e300 }, "relu"),
      /^Training diverged at epoch 1: .*; the initial weights were kept$/,
    );
  });
});
