// Tests of the training state behind checkpoints: Rng, optimizer, schedule and FitSession states continue exactly.

import assert from "node:assert/strict";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { FitSession, type FitSessionOptions, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { Adam, Momentum, type Parameter, Sgd } from "../../src/nn/optimizers.ts";
import { Scheduler } from "../../src/nn/schedules.ts";

function problem(rows: number): { x: Matrix; y: Matrix } {
  const rng = new Rng(11);
  const x = new Matrix(rows, 3), y = new Matrix(rows, 2);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  for (let r = 0; r < rows; r++) y.set(r, x.get(r, 0) * x.get(r, 1) > 0 ? 0 : 1, 1);
  return { x, y };
}

function network(): Network {
  return new Network({
    input: 3,
    hidden: [7, 5],
    output: 2,
    activation: "tanh",
    outputActivation: "softmax",
    dropout: 0.25,
    seed: 5,
  });
}

function weightsOf(net: Network): number[][] {
  return net.parameters.map((p) => Array.from(p.value));
}

Deno.test("Rng.setState(getState()) continues the stream, the cached normal included", () => {
  const a = new Rng(3);
  a.normal();
  const b = new Rng(99);
  b.setState(a.getState());
  for (let i = 0; i < 10; i++) assert.equal(b.normal(), a.normal());
  assert.throws(() => b.setState([1, 2, 3]), RangeError);
});

Deno.test("saveState()/loadState() of every optimizer continue the updates bit for bit", () => {
  const make = [
    () => new Sgd({ learningRate: 0.1 }),
    () => new Momentum({ learningRate: 0.1 }),
    () => new Adam({ learningRate: 0.1 }),
  ];
  for (const create of make) {
    const parameter = (): Parameter => ({
      value: new Float64Array([0.5, -1, 2]),
      gradient: new Float64Array(3),
      decay: true,
    });
    const steps = (optimizer: ReturnType<typeof create>, p: Parameter, from: number, to: number) => {
      for (let t = from; t < to; t++) {
        p.gradient.set([Math.sin(t), Math.cos(t), t / 10]);
        optimizer.step([p]);
      }
    };
    const whole = create(), p = parameter();
    steps(whole, p, 0, 8);
    const first = create(), q = parameter();
    steps(first, q, 0, 4);
    const state = first.saveState([q]);
    const second = create(), r = { ...parameter(), value: q.value.slice() };
    second.loadState([r], state);
    steps(second, r, 4, 8);
    assert.deepEqual(Array.from(r.value), Array.from(p.value), whole.name);
    assert.throws(
      () => second.loadState([r], { ...state, name: whole.name === "sgd" ? "adam" : "sgd" }),
      RangeError,
    );
  }
});

Deno.test("Scheduler.saveState()/loadState() keeps plateau's rate, best loss and wait", () => {
  const schedule = { type: "plateau", patience: 2, factor: 0.5, minLearningRate: 0 } as const;
  const a = new Scheduler(schedule, { learningRate: 1, epochs: 10 });
  for (const loss of [3, 2, 2.5, 2.4]) a.observe(loss);
  const b = new Scheduler(schedule, { learningRate: 1, epochs: 10 });
  b.loadState(a.saveState());
  for (const loss of [2.1, 1.9, 2, 2]) a.observe(loss), b.observe(loss);
  assert.equal(b.rateFor(9), a.rateFor(9));
  assert.equal(a.rateFor(9), 0.25);
});

Deno.test("FitSession: 6 epochs equal 3, saveState, a new session's loadState and 3 more, bit for bit", async (t) => {
  const { x, y } = problem(50);
  const cases: [string, FitSessionOptions][] = [
    ["sgd, step schedule", {
      optimizer: "sgd",
      learningRate: 0.3,
      schedule: { type: "step", every: 2, factor: 0.5 },
    }],
    ["momentum, rate set by hand", {
      optimizer: "momentum",
      learningRate: 0.05,
      schedule: { type: "exponential", gamma: 0.9 },
    }],
    ["adam, plateau", {
      optimizer: "adam",
      learningRate: 0.01,
      schedule: { type: "plateau", patience: 1, factor: 0.5, minLearningRate: 0 },
    }],
  ];
  for (const [name, options] of cases) {
    await t.step(name, () => {
      const fit = { ...options, epochs: 6, batchSize: 8, seed: 21 };
      const whole = new FitSession(network(), matrixSource(x, y), fit);
      const losses: number[] = [];
      for (let e = 0; e < 6; e++) {
        if (e === 1 && options.optimizer === "momentum") whole.learningRate = 0.08;
        losses.push(whole.runEpochSync().loss);
      }
      const first = new FitSession(network(), matrixSource(x, y), fit);
      const resumedLosses: number[] = [];
      for (let e = 0; e < 3; e++) {
        if (e === 1 && options.optimizer === "momentum") first.learningRate = 0.08;
        resumedLosses.push(first.runEpochSync().loss);
      }
      const state = first.saveState();
      assert.equal(state.epoch, 3);
      const second = new FitSession(network(), matrixSource(x, y), fit);
      second.loadState(structuredClone(state));
      assert.equal(second.epoch, 3);
      for (let e = 3; e < 6; e++) resumedLosses.push(second.runEpochSync().loss);
      assert.deepEqual(resumedLosses, losses);
      assert.deepEqual(weightsOf(second.network), weightsOf(whole.network));
    });
  }
});

Deno.test("FitSession.loadState() refuses a state of another data size or without the run's dropout", () => {
  const { x, y } = problem(50);
  const session = new FitSession(network(), matrixSource(x, y), { batchSize: 8 });
  const state = session.saveState();
  const small = problem(40);
  const other = new FitSession(network(), matrixSource(small.x, small.y), { batchSize: 8 });
  assert.throws(() => other.loadState(state), {
    name: "RangeError",
    message: "Cannot load the training state: it orders 50 samples, the data has 40",
  });
  assert.throws(() => session.loadState({ ...state, dropout: undefined }), RangeError);
});
