// End-to-end tests of the CLI's errors: exit code, one exact stderr line, and an untouched run folder.

import assert from "node:assert/strict";
import { type CliResult, type Command, runCli, snapshotDir, tempDir } from "./_run.ts";

const CLI = "tests/fixtures/cli";

// An earlier run folder (model.json, metrics.jsonl, config.yaml), made once and copied into each case's folder.
let earlierRun: Promise<Map<string, Uint8Array>> | undefined;

function earlierRunFiles(): Promise<Map<string, Uint8Array>> {
  earlierRun ??= (async () => {
    await using tmp = await tempDir();
    const run = await runCli("train", ["configs/xor.yaml", "--headless", "--epochs", "5", "--out", tmp.path]);
    assert.equal(run.code, 0, run.stderr);
    const files = new Map<string, Uint8Array>();
    for (const name of ["model.json", "metrics.jsonl", "config.yaml"]) {
      files.set(name, await Deno.readFile(`${tmp.path}/${name}`));
    }
    return files;
  })();
  return earlierRun;
}

interface ErrorCase {
  /** The test name. */
  name: string;
  command: Command;
  /** Arguments; `dir` is a run folder that already holds an earlier run's files. */
  args: (dir: string) => string[];
  /** Prepares extra files in `dir` (a corrupt model, an IDX file, …) before the snapshot. */
  setup?: (dir: string) => Promise<void>;
  /** The word passed to src/cli.ts instead of `command`, for unknown commands. */
  word?: string;
  code: 1 | 2;
  /** The stderr line after `error: `, or a pattern for the whole line. */
  message: (dir: string) => string | RegExp;
}

async function expectError(spec: ErrorCase): Promise<void> {
  await using tmp = await tempDir();
  const dir = `${tmp.path}/run`;
  await Deno.mkdir(dir);
  for (const [name, bytes] of await earlierRunFiles()) await Deno.writeFile(`${dir}/${name}`, bytes);
  await spec.setup?.(dir);
  const before = await snapshotDir(tmp.path);

  const result: CliResult = await runCli(spec.command, spec.args(dir), {
    command: spec.word,
    killAfterMs: 20_000,
  });

  const expected = spec.message(dir);
  if (typeof expected === "string") {
    assert.equal(result.stderr, `error: ${expected}\n`);
  } else {
    assert.equal(result.stderr.split("\n").length, 2, `one line on stderr, got:\n${result.stderr}`);
    assert.match(result.stderr.trimEnd(), expected);
  }
  assert.equal(result.code, spec.code);
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  assert.deepEqual(await snapshotDir(tmp.path), before, "no file was created, changed or removed");
}

const CASES: ErrorCase[] = [
  {
    name: "train rejects a YAML syntax error with its line and column",
    command: "train",
    args: (dir) => ["tests/fixtures/bad/cli_syntax.yaml", "--headless", "--out", dir],
    code: 2,
    message: () =>
      "tests/fixtures/bad/cli_syntax.yaml:6:1: Cannot parse YAML: Flow sequence in block collection must be " +
      "sufficiently indented and end with a ]",
  },
  {
    name: "train rejects an unknown key with a suggestion",
    command: "train",
    args: (dir) => [`${CLI}/unknown_key.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () =>
      `${CLI}/unknown_key.yaml:6:3: unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)`,
  },
  {
    name: "train rejects a word where a number belongs",
    command: "train",
    args: (dir) => [`${CLI}/wrong_type.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () => `${CLI}/wrong_type.yaml:5:18: train.learning_rate: must be a positive number, got "fast"`,
  },
  {
    name: "train rejects negative epochs",
    command: "train",
    args: (dir) => [`${CLI}/negative_epochs.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () => `${CLI}/negative_epochs.yaml:5:11: train.epochs: must be a positive integer, got "-5"`,
  },
  {
    name: "train rejects --epochs=-3 naming the option (not the --set it becomes)",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--epochs=-3", "--headless", "--out", dir],
    code: 2,
    message: () => `--epochs expects a positive integer, got "-3"`,
  },
  {
    name: "train rejects --epochs -3 as a usage error on one line",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--epochs", "-3", "--headless", "--out", dir],
    code: 2,
    message: () => `--epochs expects a value, got "-3" (write --epochs=-3 if that is the value)`,
  },
  {
    name: "train rejects a --pace that is not a positive number",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--pace", "0", "--headless", "--out", dir],
    code: 2,
    message: () => `--pace expects a positive number of epochs per second, got "0"`,
  },
  {
    name: "train rejects a hidden layer of 0 units",
    command: "train",
    args: (dir) => [`${CLI}/zero_hidden.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () => `${CLI}/zero_hidden.yaml:5:15: network.hidden[1]: must be a positive integer, got "0"`,
  },
  {
    name: "train rejects a hidden layer size written as a word",
    command: "train",
    args: (dir) => [`${CLI}/word_hidden.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () => `${CLI}/word_hidden.yaml:5:12: network.hidden[0]: must be a positive integer, got "three"`,
  },
  {
    name: "train rejects cross_entropy without a softmax output",
    command: "train",
    args: (dir) => [`${CLI}/cross_entropy_sigmoid.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () =>
      `${CLI}/cross_entropy_sigmoid.yaml:7:9: train.loss: cross_entropy needs output_activation: softmax, ` +
      `got output_activation: sigmoid`,
  },
  {
    name: "train stops a YAML alias bomb at the expansion limit",
    command: "train",
    args: (dir) => ["tests/fixtures/bad/cli_alias_bomb.yaml", "--headless", "--out", dir],
    code: 2,
    message: () =>
      "tests/fixtures/bad/cli_alias_bomb.yaml: Cannot expand YAML aliases: more than 100 expansions " +
      "(is it an alias bomb?)",
  },
  {
    name: "train rejects --set with an unknown key with a suggestion",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--set", "train.learnin_rate=0.1", "--headless", "--out", dir],
    code: 2,
    message: () =>
      `--set train.learnin_rate=0.1: unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)`,
  },
  {
    name: "train rejects a config file that does not exist",
    command: "train",
    args: (dir) => ["configs/does_not_exist.yaml", "--headless", "--out", dir],
    code: 2,
    message: () => "configs/does_not_exist.yaml: Cannot read the file: not found",
  },
  {
    name: "train without a config file is a usage error",
    command: "train",
    args: (dir) => ["--headless", "--out", dir],
    code: 2,
    message: () => "train expects one config file (see --help)",
  },
  {
    name: "evaluate with the config of another network names both shapes and what to pass",
    command: "evaluate",
    args: (dir) => [`${dir}/model.json`, "--config", "configs/iris.yaml"],
    code: 2,
    message: (dir) =>
      `${dir}/model.json: Cannot evaluate on the data of configs/iris.yaml: the model takes 2 inputs and ` +
      "gives 1 output, the data has 4 inputs and 3 targets (pass the config the model was trained with)",
  },
  {
    name: "an unknown command is a usage error listing the commands",
    command: "train",
    word: "frobnicate",
    args: (dir) => ["configs/xor.yaml", "--out", dir],
    code: 2,
    message: () =>
      `unknown command "frobnicate" (expected one of train, evaluate, predict, validate, gradcheck, inspect, explain, replay, export, fetch)`,
  },
  {
    name: "a misspelt command is a usage error naming the command meant",
    command: "train",
    word: "trian",
    args: (dir) => ["configs/xor.yaml", "--out", dir],
    code: 2,
    message: () => `unknown command "trian" (did you mean "train"?)`,
  },
  {
    name: "a misspelt option is a usage error naming the option meant",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--epoch", "5", "--out", dir],
    code: 2,
    message: () => `unknown option "--epoch" (did you mean "--epochs"?)`,
  },
  {
    name: "an option without its value is a usage error naming it",
    command: "train",
    args: (dir) => ["configs/xor.yaml", "--out", dir, "--epochs"],
    code: 2,
    message: () => "--epochs expects a value",
  },
  {
    name: "train: a data file that does not exist is exit 2, naming the file, the key and the config",
    command: "train",
    args: (dir) => [`${CLI}/missing_data.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () =>
      "tests/fixtures/cli/does_not_exist.csv: data.path: Cannot read the file: not found " +
      "(set in tests/fixtures/cli/missing_data.yaml:4:9)",
  },
  {
    name: "train: a CSV row with a word in a feature column is exit 2, naming file, line, column and config",
    command: "train",
    args: (dir) => [`${CLI}/bad_feature.yaml`, "--headless", "--out", dir],
    code: 2,
    message: () =>
      `tests/fixtures/cli/bad_feature.csv:4: column "sepal_width": expected a number, got "wide" ` +
      "(data.path in tests/fixtures/cli/bad_feature.yaml:4:9)",
  },
  {
    name: "train fails on an IDX file with the wrong magic number",
    command: "train",
    setup: async (dir) => {
      // magic 0x00000901 (an unknown type) instead of 0x00000803; the labels file is fine
      await Deno.writeFile(`${dir}/../images.idx`, new Uint8Array([0, 0, 9, 1, 0, 0, 0, 2, 7, 9]));
      await Deno.writeFile(`${dir}/../labels.idx`, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]));
      await Deno.writeTextFile(
        `${dir}/../idx.yaml`,
        "data:\n  source: idx\n  images: images.idx\n  labels: labels.idx\n",
      );
    },
    args: (dir) => [`${dir}/../idx.yaml`, "--headless", "--out", dir],
    code: 2,
    message: (dir) =>
      `${
        dir.replace(/\/[^/]+$/, "")
      }/images.idx: Cannot read IDX file: expected magic number 0x00000801 (labels) or 0x00000803 (images), ` +
      `got "0x00000901" (data.images in ${dir}/../idx.yaml:3:11)`,
  },
];

// A corrupt model.json, and what each command says about it.
const CORRUPT_MODELS: {
  what: string;
  corrupt: (model: Record<string, unknown>) => string;
  message: string;
}[] = [
  {
    what: "invalid JSON",
    corrupt: () => '{"format": "termnet-model", "version": 1,\n',
    message: "Cannot read the model: invalid JSON",
  },
  {
    what: "an unknown version",
    corrupt: (model) => JSON.stringify({ ...model, version: 99 }),
    message: "version: unsupported model file version 99 (this build reads version 1)",
  },
  {
    what: "weights that do not match the layer sizes",
    corrupt: (model) => {
      const layers = model.layers as { weights: number[][] }[];
      layers[0].weights.pop();
      return JSON.stringify(model);
    },
    message: "layers[0].weights: expected 3 rows of 2, got 2 rows",
  },
];

const MODEL_COMMANDS: { command: Command; args: string[] }[] = [
  { command: "inspect", args: [] },
  { command: "predict", args: ["--input", "0,1"] },
  { command: "evaluate", args: [] },
];

for (const { what, corrupt, message } of CORRUPT_MODELS) {
  for (const { command, args } of MODEL_COMMANDS) {
    CASES.push({
      name: `${command} fails on a model file with ${what}`,
      command,
      setup: async (dir) => {
        const model = JSON.parse(new TextDecoder().decode((await earlierRunFiles()).get("model.json")));
        await Deno.writeTextFile(`${dir}/model.json`, corrupt(model));
      },
      args: (dir) => [`${dir}/model.json`, ...args],
      code: 2,
      message: (dir) =>
        what === "invalid JSON"
          // the detail in parentheses is V8's JSON.parse message
          ? new RegExp(`^error: ${dir}/model\\.json: ${message} \\([^\\n]*\\)$`)
          : `${dir}/model.json: ${message}`,
    });
  }
}

for (const spec of CASES) {
  Deno.test(spec.name, () => expectError(spec));
}
