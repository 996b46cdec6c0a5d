// Tests of net.fit's loop: validation, early stopping, callbacks, checkpoints, input checks, option checks,
// optimizer state across fits, evaluate, one-sample predict, classify, and model files that carry preprocessing.

import assert from "node:assert/strict";
import { Dataset } from "../../src/data/dataset.ts";
import { TrainingDivergedError } from "../../src/errors.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { type EpochRecord, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { Adam } from "../../src/nn/optimizers.ts";
import { loadNetwork, networkFromJson, saveModel } from "../../src/nn/serialize.ts";
import { runCli } from "../cli/_run.ts";

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

/** Two Gaussian blobs (class 0 around −1, class 1 around +1) with one-hot targets, `n` samples. */
function blobs(n: number, seed = 7): { x: number[][]; y: number[][] } {
  const rng = new Rng(seed), x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2, center = c === 0 ? -1 : 1;
    x.push([center + rng.normal() * 0.5, center + rng.normal() * 0.5]);
    y.push(c === 0 ? [1, 0] : [0, 1]);
  }
  return { x, y };
}

function classifier(seed = 1): Network {
  return new Network({
    input: 2,
    hidden: [8],
    output: 2,
    activation: "relu",
    outputActivation: "softmax",
    seed,
  });
}

function weights(net: Network): Float64Array[] {
  return net.parameters.map((p) => Float64Array.from(p.value));
}

Deno.test("fit() with validationSplit holds out the last fraction and reports valLoss and valAccuracy", async () => {
  const { x, y } = blobs(100);
  const net = classifier();
  const history = await net.fit(x, y, {
    epochs: 3,
    validationSplit: 0.2,
    optimizer: "adam",
    learningRate: 0.01,
  });
  assert.equal(history.length, 3);
  for (const record of history) {
    assert.equal(record.samples, 80);
    assert.ok(record.valLoss! > 0);
    assert.ok(record.valAccuracy! >= 0 && record.valAccuracy! <= 1);
  }
  // the validation loss is the loss on the last 20 rows
  assert.equal(history[2].valLoss, net.evaluate(x.slice(80), y.slice(80)).loss);
});

Deno.test("fit() with validationData [x, y] evaluates it after every epoch", async () => {
  const train = blobs(60, 1), test = blobs(40, 2);
  const net = classifier();
  const history = await net.fit(train.x, train.y, {
    epochs: 2,
    validationData: [test.x, test.y],
    optimizer: "adam",
  });
  assert.equal(history[1].valLoss, net.evaluate(test.x, test.y).loss);
  assert.equal(history[1].samples, 60);
});

Deno.test("fit() stops early and restores the best epoch's weights (restoreBest)", async () => {
  // the validation targets are the opposite classes: it gets worse as training improves, so epoch 1 is the best
  const { x, y } = blobs(80);
  const flipped = y.map(([a, b]) => [b, a]);
  const net = classifier();
  const seen: Float64Array[][] = [];
  const history = await net.fit(x, y, {
    epochs: 20,
    optimizer: "adam",
    learningRate: 0.05,
    validationData: [x, flipped],
    earlyStop: { monitor: "val_loss", patience: 2 },
    callbacks: { onEpochEnd: () => void seen.push(weights(net)) },
  });
  assert.equal(history.length, 3, "stops after 2 epochs without improvement");
  assert.ok(history[1].valLoss! > history[0].valLoss! && history[2].valLoss! > history[0].valLoss!);
  assert.deepEqual(weights(net), seen[0]);
  await net.fit(x, y, {
    epochs: 20,
    validationData: [x, flipped],
    earlyStop: { patience: 2, restoreBest: false },
    callbacks: { onEpochEnd: () => void seen.push(weights(net)) },
  });
  assert.deepEqual(weights(net), seen[seen.length - 1], "restoreBest: false keeps the last weights");
});

Deno.test("fit() awaits async callbacks and the checkpoint saves the best epoch (bestOnly)", async () => {
  const { x, y } = blobs(80);
  const flipped = y.map(([a, b]) => [b, a]);
  const dir = await Deno.makeTempDir();
  const net = classifier();
  const order: string[] = [];
  let firstEpoch: Matrix | undefined;
  await net.fit(x, y, {
    epochs: 4,
    optimizer: "adam",
    learningRate: 0.05,
    validationData: [x, flipped],
    checkpoint: { path: `${dir}/best.json`, bestOnly: true },
    callbacks: [{
      async onEpochEnd(record) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (record.epoch === 1) firstEpoch = net.predict(x);
        // every epoch's own save, awaited before the next epoch begins
        await saveModel(`${dir}/epoch${record.epoch}.json`, net);
        order.push(`end ${record.epoch}`);
      },
      onEpochBegin(epoch) {
        order.push(`begin ${epoch}`);
      },
      async onTrainEnd() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push("train end");
      },
    }],
  });
  assert.deepEqual(order, [
    "begin 1",
    "end 1",
    "begin 2",
    "end 2",
    "begin 3",
    "end 3",
    "begin 4",
    "end 4",
    "train end",
  ]);
  const best = await loadNetwork(`${dir}/best.json`);
  assert.deepEqual(best.predict(x), firstEpoch, "only epoch 1 improved val_loss, so best.json is epoch 1");
  const last = await loadNetwork(`${dir}/epoch4.json`);
  assert.deepEqual(last.predict(x), net.predict(x));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fit() callbacks set the learning rate and stop training through their context", async (t) => {
  const { x, y } = blobs(64);
  await t.step("a rate set in onEpochEnd is used from the next epoch", async () => {
    const net = classifier();
    const history = await net.fit(x, y, {
      epochs: 3,
      learningRate: 0.1,
      callbacks: {
        onEpochEnd(record, context) {
          if (record.epoch === 1) context.learningRate = 0.025;
        },
      },
    });
    assert.deepEqual(history.map((r) => r.learningRate), [0.1, 0.025, 0.025]);
  });
  await t.step("stop() in onBatchEnd ends training after that batch", async () => {
    const net = classifier();
    const batches: number[] = [];
    const history = await net.fit(x, y, {
      epochs: 5,
      batchSize: 8,
      callbacks: {
        onBatchEnd(batch, loss, context) {
          assert.ok(Number.isFinite(loss));
          batches.push(batch);
          if (batch === 3) context.stop();
        },
      },
    });
    assert.deepEqual(batches, [1, 2, 3]);
    assert.equal(history.length, 1);
    assert.equal(history[0].samples, 24);
  });
  await t.step("a schedule of the config language applies, and a callback's rate scales it", async () => {
    const net = classifier();
    const history = await net.fit(x, y, {
      epochs: 3,
      learningRate: 0.1,
      schedule: { type: "step", every: 1, factor: 0.5 },
    });
    assert.deepEqual(history.map((r) => r.learningRate), [0.1, 0.05, 0.025]);
  });
});

Deno.test("fit() keeps the optimizer's state across two fit calls on the same network", async () => {
  const { x, y } = blobs(64);
  const options = { batchSize: 16, optimizer: "adam" as const, learningRate: 0.01, shuffle: false };
  const once = classifier(), twice = classifier(), fresh = classifier();
  await once.fit(x, y, { ...options, epochs: 2 });
  await twice.fit(x, y, { ...options, epochs: 1 });
  await twice.fit(x, y, { ...options, epochs: 1 });
  assert.deepEqual(weights(twice), weights(once), "1 + 1 epochs equal 2 epochs bit for bit");
  await fresh.fit(x, y, { ...options, epochs: 1 });
  const adam = new Adam({ learningRate: 0.5 });
  await fresh.fit(x, y, { ...options, epochs: 1, optimizer: adam });
  assert.equal(adam.learningRate, 0.01, "learningRate applies to an optimizer object too");
  assert.notDeepEqual(weights(fresh), weights(once), "a new optimizer (fresh moments) gives other weights");
});

Deno.test("fit() called again shuffles in a new order; the first fit and an explicit seed keep theirs", async () => {
  const { x, y } = blobs(32);
  /** The sample order of every fit call's first batch, through a source that records what it gathers. */
  async function firstOrders(net: Network, seeds: (number | undefined)[]): Promise<string[]> {
    const inner = matrixSource(Matrix.from(x), Matrix.from(y)), orders: string[] = [];
    const source = {
      ...inner,
      gather(bx: Matrix, by: Matrix, order: Uint32Array, start: number) {
        if (start === 0) orders.push(order.join(","));
        inner.gather(bx, by, order, start);
      },
    };
    for (const seed of seeds) await net.fit(source, { epochs: 1, batchSize: 32, seed });
    return orders.filter((_, i) => i % 2 === 1); // the finiteness check gathers in order before training
  }
  const repeated = await firstOrders(classifier(), [undefined, undefined, undefined]);
  assert.equal(new Set(repeated).size, 3, "three fits, three orders");
  assert.deepEqual(
    (await firstOrders(classifier(), [undefined]))[0],
    repeated[0],
    "a first fit is as before",
  );
  const seeded = await firstOrders(classifier(), [7, 7]);
  assert.equal(seeded[0], seeded[1], "an explicit seed gives its order every time");
});

Deno.test("fit() rejects NaN and infinite inputs and targets up front, naming the row and column", async (t) => {
  const net = new Network({ input: 2, hidden: [3], output: 1 });
  const before = weights(net);
  await t.step("input", () =>
    assert.rejects(net.fit([[0, 0], [1, NaN]], [[0], [1]]), {
      name: "RangeError",
      message: "Invalid input: row 1, column 1 is NaN (expected a finite number)",
    }));
  await t.step("target", () =>
    assert.rejects(net.fit([[0, 0], [1, 1]], [[Infinity], [1]]), {
      name: "RangeError",
      message: "Invalid target: row 0, column 0 is Infinity (expected a finite number)",
    }));
  await t.step(
    "validation input",
    () =>
      assert.rejects(net.fit(XOR_X, XOR_Y, { validationData: [[[0, 0], [NaN, 1]], [[0], [1]]] }), {
        name: "RangeError",
        message: "Invalid validation input: row 1, column 0 is NaN (expected a finite number)",
      }),
  );
  await t.step(
    "a typed array",
    () =>
      assert.rejects(net.fit({ rows: 2, cols: 2, data: new Float32Array([0, 1, 2, NaN]) }, [[0], [1]]), {
        name: "RangeError",
        message: "Invalid input: row 1, column 1 is NaN (expected a finite number)",
      }),
  );
  assert.deepEqual(weights(net), before, "nothing was trained");
});

Deno.test("fit() stops on a non-finite loss with TrainingDivergedError and restores the last good weights", async () => {
  const x = [[1], [2], [3], [4]], y = [[10], [20], [30], [40]];
  let caught: TrainingDivergedError | undefined;
  const again = new Network({ input: 1, hidden: [4], output: 1, activation: "linear", seed: 2 });
  const kept: Float64Array[][] = [];
  try {
    await again.fit(x, y, {
      epochs: 200,
      batchSize: 4,
      learningRate: 1,
      callbacks: { onEpochEnd: () => void kept.push(weights(again)) },
    });
  } catch (e) {
    caught = e as TrainingDivergedError;
  }
  assert.ok(caught instanceof TrainingDivergedError);
  assert.equal(caught.epoch, kept.length + 1);
  assert.match(
    caught.message,
    new RegExp(
      `^Training diverged at epoch ${caught.epoch}: the loss became (NaN|Infinity); the weights of epoch ${kept.length} were restored`,
    ),
  );
  assert.deepEqual(weights(again), kept[kept.length - 1]);
  assert.ok(weights(again).every((w) => w.every(Number.isFinite)));
});

Deno.test("fit() rejects options that would be ignored", async (t) => {
  const net = new Network({ input: 2, hidden: [3], output: 1 });
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "an unknown key",
      { epoch: 5 },
      "TypeError",
      'Invalid fit options: unknown option "epoch" (expected one of ',
    ],
    [
      "l2 with an optimizer object",
      { optimizer: new Adam(), l2: 0.5 },
      "TypeError",
      'Invalid fit options: "l2" cannot be given with an optimizer object (set it when creating the optimizer)',
    ],
    [
      "momentum with adam",
      { optimizer: "adam", momentum: 0.9 },
      "TypeError",
      'Invalid fit options: "momentum" applies to optimizer "momentum" only, not "adam"',
    ],
    [
      "nesterov with the default sgd",
      { nesterov: true },
      "TypeError",
      'Invalid fit options: "nesterov" applies to optimizer "momentum" only, not "sgd"',
    ],
    [
      "validationSplit and validationData",
      { validationSplit: 0.5, validationData: [XOR_X, XOR_Y] },
      "TypeError",
      "Invalid fit options: give validationData or validationSplit, not both",
    ],
    [
      "an unknown earlyStop key",
      { earlyStop: { patience: 1, restore: true } },
      "TypeError",
      'Invalid earlyStop: unknown option "restore"',
    ],
    [
      "val_loss without validation",
      { earlyStop: { monitor: "val_loss" } },
      "RangeError",
      'Cannot monitor "val_loss": there is no validationData or validationSplit',
    ],
    [
      "a misspelt callback hook",
      { callbacks: { onEpochStart() {} } },
      "TypeError",
      'Invalid callbacks: unknown hook "onEpochStart" (expected one of onTrainBegin, onEpochBegin, onBatchEnd, ',
    ],
    [
      "a hook that is not a function",
      { callbacks: [{}, { onEpochEnd: 3 }] },
      "TypeError",
      'Invalid callbacks[1]: "onEpochEnd" must be a function, got number',
    ],
    [
      "a checkpoint monitor without bestOnly",
      { checkpoint: { path: "unused.json", monitor: "loss" } },
      "TypeError",
      "Invalid checkpoint: monitor applies only with bestOnly: true (else every epoch is saved)",
    ],
    [
      "a string for a number",
      { batchSize: "16" },
      "TypeError",
      'Invalid batchSize: expected a number, got "16"',
    ],
    [
      "a string for a boolean",
      { shuffle: "no" },
      "TypeError",
      'Invalid shuffle: expected true or false, got "no"',
    ],
    [
      "a negative l2",
      { l2: -0.1 },
      "RangeError",
      "Invalid l2: expected a non-negative number, got -0.1",
    ],
    [
      "momentum of 1 or more",
      { optimizer: "momentum", momentum: 1 },
      "RangeError",
      "Invalid momentum: expected a number from 0 up to (not including) 1, got 1",
    ],
  ];
  for (const [name, options, errorName, message] of cases) {
    await t.step(name, async () => {
      const error = await net.fit(XOR_X, XOR_Y, options).then(() => undefined, (e: Error) => e);
      assert.ok(error instanceof Error, "rejected");
      assert.equal(error.name, errorName);
      assert.ok(error.message.startsWith(message), error.message);
    });
  }
});

Deno.test("fit() refuses accuracy monitors on a network that is not a classifier, and targets beside a Dataset", async () => {
  const regression = new Network({ input: 2, hidden: [3], output: 1, outputActivation: "linear" });
  await assert.rejects(
    () => regression.fit(XOR_X, XOR_Y, { validationSplit: 0.5, earlyStop: { monitor: "val_accuracy" } }),
    RangeError,
    'Cannot monitor "val_accuracy": the network is not a classifier (a softmax output or one sigmoid output)',
  );
  await assert.rejects(
    () =>
      regression.fit(XOR_X, XOR_Y, {
        checkpoint: { path: "unused.json", bestOnly: true, monitor: "accuracy" },
      }),
    RangeError,
    'Cannot monitor "accuracy": the network is not a classifier',
  );
  await assert.rejects(
    () => regression.fit(XOR_X, XOR_Y, { trackAccuracy: true }),
    RangeError,
    "Invalid trackAccuracy: the network is not a classifier",
  );
  const source = matrixSource(Matrix.from(XOR_X), Matrix.from(XOR_Y));
  await assert.rejects(
    // @ts-expect-error: a batch source carries its targets
    () => new Network({ input: 2, hidden: [3], output: 1 }).fit(source, XOR_Y),
    TypeError,
    "Invalid training data: a batch source such as a Dataset carries its targets (call fit(dataset, options))",
  );
});

Deno.test("evaluate() gives the loss and, for classifiers, the accuracy", async () => {
  const { x, y } = blobs(50);
  const net = classifier();
  await net.fit(x, y, { epochs: 20, optimizer: "adam", learningRate: 0.02 });
  const result = net.evaluate(x, y);
  assert.equal(result.loss, net.evaluateLoss(x, y, "cross_entropy"));
  assert.ok(result.accuracy! > 0.9, `accuracy ${result.accuracy}`);
  const regression = new Network({ input: 1, output: 1, activation: "linear" });
  assert.deepEqual(Object.keys(regression.evaluate([[1], [2]], [[1], [2]])), ["loss"]);
  const source = matrixSource(Matrix.from(x), Matrix.from(y));
  assert.deepEqual(net.evaluate(source, { loss: "mse" }), net.evaluate(x, y, { loss: "mse" }));
  assert.notEqual(net.evaluate(source, { loss: "mse" }).loss, result.loss, "options after a source apply");
  assert.throws(() => net.evaluate(x, y, { los: "mse" } as { loss?: "mse" }), {
    name: "TypeError",
    message: 'Invalid evaluate options: unknown option "los" (expected loss)',
  });
  // @ts-expect-error: a batch source carries its targets
  assert.throws(() => net.evaluate(source, y), {
    name: "TypeError",
    message:
      "Invalid evaluate: a batch source such as a Dataset carries its targets (call evaluate(dataset, options))",
  });
});

Deno.test("predict() of one sample returns one row; typed matrices and batches return a Matrix", () => {
  const net = classifier();
  const batch = net.predict([[0.5, -1], [2, 3]]);
  assert.deepEqual(net.predict([0.5, -1]), Array.from(batch.row(0)));
  assert.deepEqual(net.predict(new Float64Array([2, 3])), Array.from(batch.row(1)));
  assert.deepEqual(net.predict({ rows: 2, cols: 2, data: new Float64Array([0.5, -1, 2, 3]) }), batch);
  assert.throws(() => net.predict([1, 2, 3]), {
    name: "TypeError",
    message: "Invalid input: the network takes 2 features per row, got 1×3",
  });
});

Deno.test("classify() returns the class index, name and probability per sample", () => {
  const net = classifier();
  net.classNames = ["left", "right"];
  const p = net.predict([[3, 3], [-3, -3]]);
  const answers = net.classify([[3, 3], [-3, -3]]);
  answers.forEach((answer, r) => {
    const row = Array.from(p.row(r));
    assert.equal(answer.index, row.indexOf(Math.max(...row)));
    assert.equal(answer.name, net.classNames![answer.index]);
    assert.equal(answer.probability, Math.max(...row));
  });
  assert.deepEqual(net.classify([3, 3]), answers[0]);
  assert.throws(() => new Network({ input: 1, output: 2, activation: "linear" }).classify([1]), {
    name: "TypeError",
  });
});

/** A uint8 "image" dataset of two classes (dark and light 4-pixel images), scaled by 1/255 in gather. */
function pixels(n: number): Dataset {
  const rng = new Rng(3), features = new Uint8Array(n * 4), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 4; j++) features[i * 4 + j] = labels[i] === 0 ? rng.int(100) : 155 + rng.int(100);
  }
  return new Dataset({
    inputSize: 4,
    features,
    task: "classification",
    labels,
    classNames: ["dark", "light"],
    targetEncoding: "one-hot",
    preprocessing: { kind: "scale", shift: [0, 0, 0, 0], factor: [1 / 255, 1 / 255, 1 / 255, 1 / 255] },
  });
}

Deno.test("fit() on a Dataset keeps its preprocessing and class names; predict then takes raw inputs", async () => {
  const data = pixels(200);
  const net = new Network({
    input: 4,
    hidden: [8],
    output: 2,
    activation: "relu",
    outputActivation: "softmax",
    seed: 4,
  });
  const history = await net.fit(data, {
    epochs: 10,
    optimizer: "adam",
    learningRate: 0.05,
    validationSplit: 0.25,
  });
  assert.equal(history[0].samples, 150);
  assert.ok(history[9].valAccuracy! > 0.95);
  assert.deepEqual(net.classNames, ["dark", "light"]);
  assert.deepEqual(net.preprocessing?.factor, [1 / 255, 1 / 255, 1 / 255, 1 / 255]);
  assert.equal(net.classify([250, 240, 230, 220]).name, "light");
  assert.equal(net.classify([10, 20, 30, 5]).name, "dark");
  // predict applies (raw − shift) · factor: the same as the preprocessed input through a plain network
  const plain = networkFromJson({ ...net.toJSON(), preprocessing: undefined, labels: undefined });
  assert.deepEqual(
    net.predict([250, 240, 230, 220]),
    plain.predict([250 / 255, 240 / 255, 230 / 255, 220 / 255]),
  );
  // evaluate takes raw samples too (a Dataset gathers them preprocessed)
  assert.deepEqual(net.evaluate(data), net.evaluate(data.rawFeatures(), data.targets()));
  // save → load: one call from raw input to the answer
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await saveModel(path, net);
  const loaded = await loadNetwork(path);
  assert.deepEqual(loaded.predict([250, 240, 230, 220]), net.predict([250, 240, 230, 220]));
  assert.deepEqual(loaded.classNames, ["dark", "light"]);
  await Deno.remove(path);
});

Deno.test("fit() on a Dataset preprocesses validationData [x, y] as raw input, like predict", async () => {
  const data = pixels(60), held = pixels(20);
  const options = { epochs: 3, optimizer: "adam", learningRate: 0.05 } as const;
  const network = () =>
    new Network({
      input: 4,
      hidden: [8],
      output: 2,
      activation: "relu",
      outputActivation: "softmax",
      seed: 4,
    });
  const arrays = await network().fit(data, {
    ...options,
    validationData: [held.rawFeatures(), held.targets()],
  });
  const dataset = await network().fit(data, { ...options, validationData: held });
  assert.deepEqual(arrays.map((r) => r.valLoss), dataset.map((r) => r.valLoss));
});

Deno.test("fit() on a Dataset writes checkpoints with its preprocessing and class names; a refused fit sets none", async () => {
  const network = () =>
    new Network({
      input: 4,
      hidden: [8],
      output: 2,
      activation: "relu",
      outputActivation: "softmax",
      seed: 4,
    });
  const refused = network();
  await assert.rejects(() => refused.fit(pixels(20), { batchSize: 0 }), RangeError);
  assert.equal(refused.preprocessing, undefined);
  assert.equal(refused.classNames, undefined);
  const net = network(), path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    let during: number[] = [];
    await net.fit(pixels(60), {
      epochs: 2,
      checkpoint: { path },
      callbacks: { onEpochEnd: () => void (during = net.predict([250, 240, 230, 220])) },
    });
    const saved = await loadNetwork(path);
    assert.deepEqual(saved.classNames, ["dark", "light"]);
    assert.deepEqual(saved.preprocessing, net.preprocessing);
    assert.deepEqual(saved.predict([250, 240, 230, 220]), net.predict([250, 240, 230, 220]));
    assert.deepEqual(during, net.predict([250, 240, 230, 220]), "raw input during the fit too");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fit() takes a uint8 typed matrix and converts it per batch", async () => {
  const data = pixels(40);
  const raw = data.rawFeatures();
  const x = { rows: 40, cols: 4, data: Uint8Array.from(raw.data) };
  const y = data.targets();
  const a = classifierFor4(), b = classifierFor4();
  await a.fit(x, y, { epochs: 2, batchSize: 8 });
  await b.fit(raw, y, { epochs: 2, batchSize: 8 });
  assert.deepEqual(weights(a), weights(b));
});

function classifierFor4(): Network {
  return new Network({ input: 4, output: 2, outputActivation: "softmax", seed: 9 });
}

Deno.test("loadNetwork() of a CLI-trained model predicts from raw input what `deno task predict` prints", async () => {
  const dir = await Deno.makeTempDir();
  const train = await runCli("train", ["configs/iris.yaml", "--epochs", "3", "--out", dir]);
  assert.equal(train.code, 0, train.stderr);
  const inputs = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]];
  const cli = await runCli("predict", [
    `${dir}/model.json`,
    ...inputs.flatMap((row) => ["--input", row.join(",")]),
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const net = await loadNetwork(`${dir}/model.json`);
  const library = inputs.map((row) => {
    const { name, probability } = net.classify(row);
    return `${name} ${probability.toFixed(4)}`;
  });
  assert.deepEqual(library, cli.stdout.trim().split("\n"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fit() still accepts the legacy onEpoch hook (false stops)", async () => {
  const net = new Network({ input: 2, hidden: [3], output: 1 });
  const seen: EpochRecord[] = [];
  const history = await net.fit(XOR_X, XOR_Y, { epochs: 10, onEpoch: (r) => (seen.push(r), r.epoch < 2) });
  assert.equal(history.length, 2);
  assert.equal(seen.length, 2);
});
