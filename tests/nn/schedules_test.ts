// Tests of the learning-rate schedules: every epoch's rate against its formula, computed independently here.

import assert from "node:assert/strict";
import { Matrix } from "../../src/math/matrix.ts";
import { Network } from "../../src/nn/network.ts";
import {
  checkSchedule,
  describeSchedule,
  type Schedule,
  scheduledRate,
  Scheduler,
} from "../../src/nn/schedules.ts";
import { train } from "../../src/train/trainer.ts";
import type { EpochEvent } from "../../src/train/events.ts";
import { Rng } from "../../src/math/random.ts";

/** A small noisy classification problem: 96 rows of 6 features, 3 classes. */
function problem(seed = 5): { x: Matrix; y: Matrix } {
  const rng = new Rng(seed);
  const x = new Matrix(96, 6), y = new Matrix(96, 3);
  for (let r = 0; r < 96; r++) {
    const label = r % 3;
    for (let j = 0; j < 6; j++) x.set(r, j, (j % 3 === label ? 1 : 0) + rng.normal() * 0.8);
    y.set(r, label, 1);
  }
  return { x, y };
}

const BASE = 0.05, EPOCHS = 12;

/** The rates a net.fit run reports, one per epoch. */
async function fitRates(schedule: Schedule, epochs = EPOCHS): Promise<{ rates: number[]; losses: number[] }> {
  const { x, y } = problem();
  const net = new Network({ input: 6, hidden: [8], output: 3, outputActivation: "softmax", seed: 2 });
  const history = await net.fit(x, y, {
    epochs,
    batchSize: 16,
    learningRate: BASE,
    optimizer: "sgd",
    schedule,
  });
  return { rates: history.map((h) => h.learningRate), losses: history.map((h) => h.loss) };
}

/** Relative closeness (the formulas here are written differently from the module's, so bits may differ). */
function assertClose(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => {
    assert.ok(
      Math.abs(value - expected[i]) <= 1e-12 * Math.abs(expected[i]),
      `epoch ${i + 1}: rate ${value}, formula ${expected[i]}`,
    );
  });
}

Deno.test("step schedule: every epoch's rate is η₀ · factor^⌊(e − 1)/every⌋", async () => {
  const { rates } = await fitRates({ type: "step", every: 5, factor: 0.5 });
  const expected = Array.from({ length: EPOCHS }, (_, i) => BASE * (i < 5 ? 1 : i < 10 ? 0.5 : 0.25));
  assertClose(rates, expected);
});

Deno.test("exponential schedule: every epoch's rate is η₀ · γ^(e − 1)", async () => {
  const { rates } = await fitRates({ type: "exponential", gamma: 0.8 });
  const expected: number[] = [];
  for (let e = 1, rate = BASE; e <= EPOCHS; e++, rate *= 0.8) expected.push(rate);
  assertClose(rates, expected);
});

Deno.test("cosine schedule: linear warm-up, then η_min + (η₀ − η_min)(1 + cos(π t / T)) / 2", async (t) => {
  await t.step("with 3 warm-up epochs", async () => {
    const { rates } = await fitRates({ type: "cosine", warmupEpochs: 3, minLearningRate: 0.001 });
    const expected = [BASE / 3, 2 * BASE / 3, BASE];
    // after the warm-up: t = 0, 1, …, 8 of T = 9 epochs
    for (let t = 0; t < EPOCHS - 3; t++) {
      expected.push(0.001 + (BASE - 0.001) * 0.5 * (1 + Math.cos(Math.PI * t / (EPOCHS - 3))));
    }
    assertClose(rates, expected);
    assert.ok(rates.every((rate, i) => i < 3 || i === 3 || rate < rates[i - 1]), "falls after the warm-up");
  });
  await t.step("without warm-up the first epoch has the base rate", async () => {
    const { rates } = await fitRates({ type: "cosine", warmupEpochs: 0, minLearningRate: 0 });
    const expected = Array.from(
      { length: EPOCHS },
      (_, t) => BASE * 0.5 * (1 + Math.cos(Math.PI * t / EPOCHS)),
    );
    assertClose(rates, expected);
  });
});

/** Keras's ReduceLROnPlateau, written out: the rate of each epoch from the monitored losses of the ones before. */
function plateauRates(
  losses: number[],
  options: { base: number; patience: number; factor: number; min: number },
): number[] {
  const rates = [options.base];
  let best = Infinity, wait = 0, rate = options.base;
  for (const loss of losses.slice(0, -1)) {
    if (loss < best) best = loss, wait = 0;
    else {
      wait++;
      if (wait >= options.patience) rate = Math.max(rate * options.factor, options.min), wait = 0;
    }
    rates.push(rate);
  }
  return rates;
}

Deno.test("plateau schedule in net.fit watches the training loss", async () => {
  // a rate high enough that the loss stalls and bounces, so the rate is cut several times
  const schedule: Schedule = { type: "plateau", patience: 2, factor: 0.5, minLearningRate: 0.01 };
  const { x, y } = problem();
  const net = new Network({ input: 6, hidden: [8], output: 3, outputActivation: "softmax", seed: 2 });
  const history = await net.fit(x, y, {
    epochs: 30,
    batchSize: 96,
    learningRate: 3,
    optimizer: "sgd",
    schedule,
  });
  const losses = history.map((h) => h.loss);
  const rates = history.map((h) => h.learningRate);
  const expected = plateauRates(losses, { base: 3, patience: 2, factor: 0.5, min: 0.01 });
  assert.deepStrictEqual(rates, expected);
  assert.ok(new Set(rates).size >= 2, `the rate was never cut: ${rates}`);
});

Deno.test("plateau schedule in train() watches the test loss when there is a test set", async () => {
  const { x, y } = problem(5);
  const held = problem(9);
  const net = new Network({ input: 6, hidden: [8], output: 3, outputActivation: "softmax", seed: 2 });
  const source = (m: { x: Matrix; y: Matrix }) => ({
    size: m.x.rows,
    inputSize: 6,
    targetSize: 3,
    task: "classification" as const,
    preprocessing: { shift: new Array(6).fill(0), factor: new Array(6).fill(1) },
    rawFeatureData: m.x.data,
    gather(outX: Matrix, outY: Matrix, order: Uint32Array, start: number) {
      for (let r = 0; r < outX.rows; r++) {
        outX.data.set(m.x.data.subarray(order[start + r] * 6, order[start + r] * 6 + 6), r * 6);
        outY.data.set(m.y.data.subarray(order[start + r] * 3, order[start + r] * 3 + 3), r * 3);
      }
    },
  });
  const epochs: EpochEvent[] = [];
  for await (
    const event of train(net, source({ x, y }), {
      name: "plateau",
      epochs: 25,
      batchSize: 8,
      learningRate: 1,
      optimizer: "sgd",
      loss: "cross_entropy",
      test: source(held),
      schedule: { type: "plateau", patience: 2, factor: 0.5, minLearningRate: 0.001 },
      statsIntervalMs: 1e9,
    })
  ) {
    if (event.type === "epoch") epochs.push(event);
  }
  const testLosses = epochs.map((e) => e.testLoss!);
  const expected = plateauRates(testLosses, { base: 1, patience: 2, factor: 0.5, min: 0.001 });
  assert.deepStrictEqual(epochs.map((e) => e.learningRate), expected);
  assert.ok(new Set(expected).size >= 2, "the test loss never stalled: pick a harder problem");
  // the training loss alone would have given other rates
  const byTrainLoss = plateauRates(epochs.map((e) => e.trainLoss), {
    base: 1,
    patience: 2,
    factor: 0.5,
    min: 0.001,
  });
  assert.notDeepStrictEqual(byTrainLoss, expected);
});

Deno.test("Scheduler: a rate set by hand scales the rest of the schedule", () => {
  const scheduler = new Scheduler({ type: "exponential", gamma: 0.5 }, { learningRate: 1, epochs: 5 });
  assert.equal(scheduler.rateFor(2), 0.5);
  scheduler.override(0.1, 2); // during epoch 2, whose scheduled rate was 0.5
  assert.ok(Math.abs(scheduler.rateFor(3) - 0.05) < 1e-15);
  scheduler.reset();
  assert.equal(scheduler.rateFor(3), 0.25);
});

Deno.test("scheduledRate() matches the documented example values", () => {
  assert.equal(
    scheduledRate({ type: "step", every: 10, factor: 0.1 }, { learningRate: 1, epoch: 21, epochs: 30 }),
    0.1 ** 2,
  );
  assert.equal(
    scheduledRate({ type: "cosine", warmupEpochs: 0, minLearningRate: 0 }, {
      learningRate: 2,
      epoch: 1,
      epochs: 9,
    }),
    2,
  );
});

Deno.test("checkSchedule() rejects out-of-range and unknown fields", async (t) => {
  const cases: [Schedule, string][] = [
    [{ type: "step", every: 0, factor: 0.5 }, "Invalid schedule: every must be a positive integer, got 0"],
    [{ type: "step", every: 2, factor: 1.5 }, "Invalid schedule: factor must be in (0, 1], got 1.5"],
    [{ type: "exponential", gamma: 0 }, "Invalid schedule: gamma must be in (0, 1], got 0"],
    [
      { type: "cosine", warmupEpochs: -1, minLearningRate: 0 },
      "Invalid schedule: warmupEpochs must be a non-negative integer, got -1",
    ],
    [
      { type: "plateau", patience: 3, factor: 1, minLearningRate: 0 },
      "Invalid schedule: factor must be in (0, 1), got 1",
    ],
    [
      { type: "step", every: 2, factor: 0.5, warmupEpochs: 1 } as unknown as Schedule,
      'Invalid schedule: "warmupEpochs" is not a setting of step (expected every, factor)',
    ],
    [
      { type: "linear" } as unknown as Schedule,
      'Invalid schedule: unknown type "linear" (expected one of step, exponential, cosine, plateau)',
    ],
  ];
  for (const [schedule, message] of cases) {
    await t.step(message, () => {
      assert.throws(() => checkSchedule(schedule), { name: "RangeError", message });
    });
  }
});

Deno.test("describeSchedule() names each schedule briefly", () => {
  assert.equal(describeSchedule({ type: "step", every: 10, factor: 0.5 }), "step ×0.5 every 10");
  assert.equal(describeSchedule({ type: "exponential", gamma: 0.95 }), "exponential ×0.95");
  assert.equal(describeSchedule({ type: "cosine", warmupEpochs: 0, minLearningRate: 0 }), "cosine");
  assert.equal(describeSchedule({ type: "cosine", warmupEpochs: 2, minLearningRate: 0 }), "cosine warm-up 2");
  assert.equal(
    describeSchedule({ type: "plateau", patience: 5, factor: 0.5, minLearningRate: 0 }),
    "plateau ×0.5 after 5",
  );
});
