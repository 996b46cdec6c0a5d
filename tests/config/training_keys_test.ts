// Tests of the config keys that shape training: train.schedule, network.dropout, train.clip_norm and
// train.early_stop.restore_best (defaults, located errors with did-you-mean, round trips).

import assert from "node:assert/strict";
import {
  applyOverrides,
  parseConfig,
  parseConfigYaml,
  stringifyConfig,
} from "../../src/config/parse_config.ts";
import { ConfigError } from "../../src/errors.ts";

function parse(text: string, overrides: string[] = []) {
  return parseConfig(applyOverrides(parseConfigYaml(text, { file: "configs/x.yaml" }), overrides));
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected an error");
}

const BASE = "data: { source: xor }\nnetwork: { hidden: [8, 4] }\n";

Deno.test("train.schedule: a name takes that schedule's defaults", () => {
  const config = parse(BASE + "train:\n  epochs: 20\n  schedule: cosine\n");
  assert.deepEqual(config.train.schedule, { type: "cosine", warmupEpochs: 0, minLearningRate: 0 });
  assert.deepEqual(parse(BASE + "train: { schedule: step }\n").train.schedule, {
    type: "step",
    every: 10,
    factor: 0.5,
  });
  assert.deepEqual(parse(BASE + "train: { schedule: exponential }\n").train.schedule, {
    type: "exponential",
    gamma: 0.95,
  });
  assert.deepEqual(parse(BASE + "train: { schedule: plateau }\n").train.schedule, {
    type: "plateau",
    patience: 5,
    factor: 0.5,
    minLearningRate: 0,
  });
  assert.equal(parse(BASE).train.schedule, undefined);
});

Deno.test("train.schedule: a mapping gives the type and its keys", () => {
  const config = parse(
    BASE + "train:\n  epochs: 20\n  learning_rate: 0.1\n" +
      "  schedule: { type: cosine, warmup_epochs: 2, min_learning_rate: 0.001 }\n",
  );
  assert.deepEqual(config.train.schedule, { type: "cosine", warmupEpochs: 2, minLearningRate: 0.001 });
  const step = parse(BASE + "train:\n  schedule:\n    type: step\n    every: 3\n    factor: 0.1\n");
  assert.deepEqual(step.train.schedule, { type: "step", every: 3, factor: 0.1 });
});

Deno.test("train.schedule: errors name the key, its line and column", async (t) => {
  const cases: [string, string][] = [
    [
      "train:\n  schedule: cosin\n",
      'configs/x.yaml:4:13: train.schedule: must be one of step, exponential, cosine, plateau, got "cosin" (did you mean "cosine"?)',
    ],
    [
      "train:\n  schedule: { type: stpe }\n",
      'configs/x.yaml:4:21: train.schedule.type: must be one of step, exponential, cosine, plateau, got "stpe" (did you mean "step"?)',
    ],
    [
      "train:\n  schedule: { every: 3 }\n",
      "configs/x.yaml:4:13: train.schedule.type: is required (one of step, exponential, cosine, plateau)",
    ],
    [
      "train:\n  schedule: { type: cosine, warmup_epoch: 2 }\n",
      "configs/x.yaml:4:29: unknown key 'warmup_epoch' in train.schedule (did you mean 'warmup_epochs'?)",
    ],
    [
      "train:\n  schedule: { type: cosine, gamma: 0.9 }\n",
      "configs/x.yaml:4:36: train.schedule.gamma: only used with type: exponential, not with type: cosine",
    ],
    [
      "train:\n  schedule: { type: step, factor: 2 }\n",
      'configs/x.yaml:4:35: train.schedule.factor: must be a number above 0 and at most 1, got "2"',
    ],
    [
      "train:\n  schedule: { type: plateau, factor: 1 }\n",
      'configs/x.yaml:4:38: train.schedule.factor: must be a number above 0 and below 1, got "1"',
    ],
    [
      "train:\n  schedule: { type: step, every: 0 }\n",
      'configs/x.yaml:4:34: train.schedule.every: must be a positive integer, got "0"',
    ],
    [
      "train:\n  epochs: 5\n  schedule: { type: cosine, warmup_epochs: 5 }\n",
      'configs/x.yaml:5:44: train.schedule.warmup_epochs: must be fewer than train.epochs (5), got "5"',
    ],
    [
      "train:\n  learning_rate: 0.01\n  schedule: { type: plateau, min_learning_rate: 0.1 }\n",
      'configs/x.yaml:5:49: train.schedule.min_learning_rate: must be below train.learning_rate (0.01), got "0.1"',
    ],
    [
      "train:\n  schedule: [cosine]\n",
      "configs/x.yaml:4:13: train.schedule: must be a mapping, got a list",
    ],
  ];
  for (const [text, message] of cases) {
    await t.step(message, () => assert.equal(messageOf(() => parse(BASE + text)), message));
  }
});

const XOR = "data: { source: xor }\n";

Deno.test("network.dropout: one rate for every hidden layer or a list of one per hidden layer", () => {
  assert.deepEqual(parse(XOR + "network: { hidden: [8, 4], dropout: 0.2 }\n").network.dropout, [0.2, 0.2]);
  assert.deepEqual(parse(XOR + "network: { hidden: [8, 4], dropout: [0.5, 0] }\n").network.dropout, [0.5, 0]);
  // no dropout at all is the same as leaving the key out
  assert.equal(parse(XOR + "network: { hidden: [8, 4], dropout: 0 }\n").network.dropout, undefined);
  assert.equal(parse(XOR).network.dropout, undefined);
});

Deno.test("network.dropout: errors name the key, its line and column", async (t) => {
  const cases: [string, string][] = [
    [
      "network: { hidden: [8, 4], dropout: 1 }\n",
      'configs/x.yaml:2:37: network.dropout: must be a number from 0 up to (not including) 1, got "1"',
    ],
    [
      "network: { hidden: [8, 4], dropout: [0.1] }\n",
      "configs/x.yaml:2:37: network.dropout: must list one rate per hidden layer (2), got 1",
    ],
    [
      "network: { hidden: [8, 4], dropout: [0.1, -0.2] }\n",
      'configs/x.yaml:2:43: network.dropout[1]: must be a number from 0 up to (not including) 1, got "-0.2"',
    ],
    [
      "network: { hidden: [8], dropout: high }\n",
      'configs/x.yaml:2:34: network.dropout: must be a rate from 0 up to (not including) 1 or a list of them, got "high"',
    ],
    [
      "network: { hidden: [], dropout: 0.2 }\n",
      "configs/x.yaml:2:33: network.dropout: has no hidden layer to apply to (network.hidden is empty)",
    ],
    [
      "network: { hidden: [8], droput: 0.2 }\n",
      "configs/x.yaml:2:25: unknown key 'droput' in network (did you mean 'dropout'?)",
    ],
  ];
  for (const [text, message] of cases) {
    await t.step(message, () => assert.equal(messageOf(() => parse(XOR + text)), message));
  }
});

Deno.test("train.clip_norm: a positive number", () => {
  assert.equal(parse(BASE + "train: { clip_norm: 1.5 }\n").train.clipNorm, 1.5);
  assert.equal(parse(BASE).train.clipNorm, undefined);
  assert.equal(
    messageOf(() => parse(BASE + "train: { clip_norm: 0 }\n")),
    'configs/x.yaml:3:21: train.clip_norm: must be a positive number, got "0"',
  );
  assert.equal(
    messageOf(() => parse(BASE + "train: { clip_nrom: 1 }\n")),
    "configs/x.yaml:3:10: unknown key 'clip_nrom' in train (did you mean 'clip_norm'?)",
  );
});

Deno.test("train.early_stop.restore_best: true unless set to false", () => {
  const withStop = BASE + "train:\n  early_stop: { patience: 3 }\n";
  assert.equal(parse(withStop).train.earlyStop?.restoreBest, true);
  assert.equal(
    parse(BASE + "train:\n  early_stop: { patience: 3, restore_best: false }\n").train.earlyStop?.restoreBest,
    false,
  );
  assert.equal(
    messageOf(() => parse(BASE + "train:\n  early_stop: { restore_best: yes please }\n")),
    'configs/x.yaml:4:31: train.early_stop.restore_best: must be true or false, got "yes please"',
  );
  assert.equal(
    messageOf(() => parse(BASE + "train:\n  early_stop: { restore_bets: false }\n")),
    "configs/x.yaml:4:17: unknown key 'restore_bets' in train.early_stop (did you mean 'restore_best'?)",
  );
});

Deno.test("the new keys round-trip through stringifyConfig and take --set", () => {
  const config = parse(
    XOR + "network: { hidden: [8, 4], dropout: [0.3, 0.1] }\n" +
      "train:\n  epochs: 30\n  schedule: { type: cosine, warmup_epochs: 2 }\n  clip_norm: 2\n" +
      "  early_stop: { patience: 4, restore_best: false }\n",
  );
  assert.deepEqual(parseConfig(parseConfigYaml(stringifyConfig(config))), config);
  const text = stringifyConfig(config);
  assert.match(text, /schedule:\n\s+type: cosine\n\s+warmup_epochs: 2\n\s+min_learning_rate: 0\n/);
  const overridden = parse(XOR, [
    "train.schedule.type=step",
    "train.schedule.every=4",
    "network.dropout=0.1",
  ]);
  assert.deepEqual(overridden.train.schedule, { type: "step", every: 4, factor: 0.5 });
  assert.deepEqual(overridden.network.dropout, [0.1]);
});
