import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { applyEdits, textEdits } from "../_text_edits.ts";
import {
  applyOverrides,
  parseConfig,
  parseConfigYaml,
  stringifyConfig,
} from "../../src/config/parse_config.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { ConfigError, ParseError } from "../../src/errors.ts";

function parse(text: string, overrides: string[] = []) {
  return parseConfig(applyOverrides(parseConfigYaml(text, { file: "configs/x.yaml" }), overrides));
}

function messageOf(fn: () => unknown, kind: typeof ConfigError | typeof ParseError = ConfigError): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof kind, `expected a ${kind.name}, got ${error}`);
    return error.message;
  }
  assert.fail("expected an error");
}

const XOR = "data:\n  source: xor\n";

Deno.test("parseConfig() fills the defaults", () => {
  const config = parse(XOR);
  assert.equal(config.name, "x");
  assert.equal(config.seed, 42);
  assert.deepEqual(config.data, { source: "xor", testSplit: 0, normalize: "none" });
  assert.deepEqual(config.network.hidden, [{ units: 16, activation: "relu" }]);
  assert.equal(config.network.init, "he");
  assert.equal(config.train.optimizer, "sgd");
  assert.equal(config.train.learningRate, 0.01);
  assert.equal(config.train.batchSize, undefined);
  assert.equal(config.output.dir, "runs/x");
  assert.ok(Object.isFrozen(config.train));
});

Deno.test("parseConfig() reports a YAML syntax error with line and column", async () => {
  const text = await Deno.readTextFile("tests/fixtures/bad/syntax.yaml");
  assert.equal(
    messageOf(() => parseConfigYaml(text, { file: "bad/syntax.yaml" }), ParseError),
    "bad/syntax.yaml:5:1: Cannot parse YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  );
});

Deno.test("parseConfig() suggests the nearest key for an unknown key", async () => {
  const file = "tests/fixtures/bad/unknown_key.yaml";
  const text = await Deno.readTextFile(file);
  const error = (() => {
    try {
      parseConfig(parseConfigYaml(text, { file }));
    } catch (error) {
      return error as ConfigError;
    }
  })()!;
  assert.ok(error instanceof ConfigError);
  assert.equal(
    error.message,
    `${file}:5:3: unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)`,
  );
  assert.equal(error.line, 5);
  assert.equal(error.column, 3);
  assert.equal(
    messageOf(() => parse("nmae: a\n" + XOR)),
    "configs/x.yaml:1:1: unknown key 'nmae' at the top level (did you mean 'name'?)",
  );
});

Deno.test("parseConfig() suggests our name for another library's key (lr is learning_rate, not l2)", () => {
  assert.equal(
    messageOf(() => parse("data: { source: xor }\ntrain:\n  lr: 0.1\n")),
    "configs/x.yaml:3:3: unknown key 'lr' in train (did you mean 'learning_rate'?)",
  );
  assert.equal(
    messageOf(() => parse("data: { source: xor }\nnetwork:\n  layers: [3, 3]\n")),
    "configs/x.yaml:3:3: unknown key 'layers' in network (did you mean 'hidden'?)",
  );
  assert.equal(
    messageOf(() => parse("data: { source: xor }\nmodel:\n  hidden: [3]\n")),
    "configs/x.yaml:2:1: unknown key 'model' at the top level (did you mean 'network'?)",
  );
});

Deno.test("parseConfig() rejects wrong types and out-of-range values with the key path", async (t) => {
  const cases: [string, string][] = [
    [
      "train:\n  learning_rate: fast\n",
      'configs/x.yaml:4:18: train.learning_rate: must be a positive number, got "fast"',
    ],
    [
      "train:\n  learning_rate: -1\n",
      'configs/x.yaml:4:18: train.learning_rate: must be a positive number, got "-1"',
    ],
    ["train:\n  epochs: 1.5\n", 'configs/x.yaml:4:11: train.epochs: must be a positive integer, got "1.5"'],
    ["train:\n  shuffle: yes\n", 'configs/x.yaml:4:12: train.shuffle: must be true or false, got "yes"'],
    [
      "train:\n  optimizer: adma\n",
      'configs/x.yaml:4:14: train.optimizer: must be one of sgd, momentum, adam, got "adma" (did you mean "adam"?)',
    ],
    ["train:\n  threads: 4\n", 'configs/x.yaml:4:12: train.threads: must be 1 or 2, got "4"'],
    ["seed: abc\n", 'configs/x.yaml:3:7: seed: must be a non-negative integer, got "abc"'],
    [
      "train:\n  batch_size: '32'\n",
      'configs/x.yaml:4:15: train.batch_size: must be a positive integer, got the string "32"',
    ],
    [
      "  test_split: 1.5\n",
      'configs/x.yaml:3:15: data.test_split: must be a number from 0 up to (not including) 1, got "1.5"',
    ],
    ["network: [3, 3]\n", "configs/x.yaml:3:10: network: must be a mapping, got a list"],
  ];
  for (const [extra, expected] of cases) {
    await t.step(expected, () => assert.equal(messageOf(() => parse(XOR + extra)), expected));
  }
});

Deno.test("parseConfig() rejects bad hidden layer sizes", async (t) => {
  const cases: [string, string][] = [
    [
      "network:\n  hidden: [3, three]\n",
      'configs/x.yaml:4:15: network.hidden[1]: must be a positive integer, got "three"',
    ],
    [
      "network:\n  hidden: [0]\n",
      'configs/x.yaml:4:12: network.hidden[0]: must be a positive integer, got "0"',
    ],
    [
      "network:\n  hidden: [{ units: -2 }]\n",
      'configs/x.yaml:4:21: network.hidden[0].units: must be a positive integer, got "-2"',
    ],
    [
      "network:\n  hidden: [{ unit: 2 }]\n",
      "configs/x.yaml:4:14: unknown key 'unit' in network.hidden[0] (did you mean 'units'?)",
    ],
    [
      "network:\n  hidden: 8\n",
      'configs/x.yaml:4:11: network.hidden: must be a list of layer sizes or { units, activation }, got "8"',
    ],
  ];
  for (const [extra, expected] of cases) {
    await t.step(expected, () => assert.equal(messageOf(() => parse(XOR + extra)), expected));
  }
});

Deno.test("parseConfig() rejects impossible combinations", async (t) => {
  const cases: [string, string][] = [
    [
      XOR + "network:\n  output_activation: sigmoid\ntrain:\n  loss: cross_entropy\n",
      "configs/x.yaml:6:9: train.loss: cross_entropy needs output_activation: softmax, got output_activation: sigmoid",
    ],
    [
      XOR + "network:\n  output: 1\n  output_activation: softmax\n",
      'configs/x.yaml:4:11: network.output: softmax needs at least 2 output units, got "1"',
    ],
    [
      XOR + "  path: a.csv\n",
      'configs/x.yaml:3:9: data.path: only used with source "csv", not with source "xor"',
    ],
    [
      "data:\n  source: csv\n  path: a.csv\n",
      'configs/x.yaml:2:3: data.target: is required with source "csv"',
    ],
    [
      XOR + "  scale: 255\n",
      "configs/x.yaml:3:10: data.scale: only used with normalize: scale, not with normalize: none",
    ],
    [
      XOR + "train:\n  momentum: 0.9\n",
      "configs/x.yaml:4:13: train.momentum: only used with optimizer: momentum, not with optimizer: sgd",
    ],
    [
      XOR + "train:\n  early_stop: { monitor: val_loss }\n",
      'configs/x.yaml:4:26: train.early_stop.monitor: "val_loss" needs a test set (data.test_split or data.test)',
    ],
  ];
  for (const [text, expected] of cases) {
    await t.step(expected, () => assert.equal(messageOf(() => parse(text)), expected));
  }
});

Deno.test("parseConfig() stops an alias bomb quickly with a clear error", async () => {
  const file = "tests/fixtures/bad/alias_bomb.yaml";
  const text = await Deno.readTextFile(file);
  assert.equal(
    messageOf(() => parseConfig(parseConfigYaml(text, { file })), ParseError),
    `${file}: Cannot expand YAML aliases: more than 100 expansions (is it an alias bomb?)`,
  );
});

Deno.test("parseConfigYaml() rejects a document over 1 MiB", () => {
  const text = "# " + "x".repeat(1024 * 1024) + "\n";
  assert.match(
    messageOf(() => parseConfigYaml(text, { file: "big.yaml" }), ParseError),
    /^big\.yaml: Cannot parse the config: it is larger than 1 MiB/,
  );
});

Deno.test("applyOverrides() sets values parsed as YAML before validation", () => {
  const config = parse(XOR + "train:\n  learning_rate: 0.5\n", [
    "train.learning_rate=0.1",
    "network.hidden=[8, 8]",
    "network.hidden[1]={units: 4, activation: tanh}",
    "train.early_stop.patience=5",
    "data.test_split=0.25",
  ]);
  assert.equal(config.train.learningRate, 0.1);
  assert.deepEqual(config.network.hidden, [{ units: 8, activation: "relu" }, {
    units: 4,
    activation: "tanh",
  }]);
  assert.equal(config.train.earlyStop?.patience, 5);
  assert.equal(config.data.testSplit, 0.25);
});

Deno.test("applyOverrides() rejects unknown paths and names the --set text in value errors", () => {
  assert.equal(
    messageOf(() => parse(XOR, ["train.learnin_rate=0.1"])),
    "--set train.learnin_rate=0.1: unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)",
  );
  assert.equal(
    messageOf(() => parse(XOR, ["train.epochs.x=1"])),
    "--set train.epochs.x=1: Cannot apply the override: train.epochs has no keys",
  );
  assert.equal(
    messageOf(() => parse(XOR, ["train.epochs"])),
    "--set train.epochs: Cannot apply the override: expected key=value",
  );
  assert.equal(
    messageOf(() => parse(XOR, ["train.learning_rate=fast"])),
    '--set train.learning_rate=fast: train.learning_rate: must be a positive number, got "fast"',
  );
});

Deno.test("stringifyConfig() writes YAML that parses back to the same config", () => {
  const config = parse(
    "data:\n  source: csv\n  path: a.csv\n  target: y\n  test_split: 0.2\n  normalize: scale\n" +
      "network:\n  hidden: [8, { units: 4, activation: tanh }]\n  output_activation: softmax\n" +
      "train:\n  optimizer: momentum\n  nesterov: true\n  early_stop: { patience: 3 }\n",
  );
  const text = stringifyConfig(config);
  assert.match(text, /learning_rate: 0\.01/);
  assert.match(text, /output_activation: softmax/);
  assert.deepEqual(parseConfig(parseConfigYaml(text, { file: "configs/x.yaml" })), config);
});

Deno.test("stringifyConfig() round-trips every shipped config", async () => {
  for await (const entry of Deno.readDir("configs")) {
    if (!entry.name.endsWith(".yaml")) continue;
    const file = `configs/${entry.name}`;
    const { config } = await loadConfig(file);
    assert.deepEqual(parseConfig(parseConfigYaml(stringifyConfig(config), { file })), config);
  }
});

Deno.test("loadConfig() loads every shipped config", async (t) => {
  for await (const entry of Deno.readDir("configs")) {
    if (!entry.name.endsWith(".yaml")) continue;
    await t.step(entry.name, async () => {
      const { config, baseDir } = await loadConfig(`configs/${entry.name}`);
      assert.equal(baseDir, "configs");
      assert.equal(config.name, entry.name.replace(/\.yaml$/, ""));
    });
  }
});

Deno.test("loadConfig() names a missing file", async () => {
  await assert.rejects(
    () => loadConfig("configs/missing.yaml"),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === "configs/missing.yaml: Cannot read the file: not found",
  );
});

Deno.test("loadConfig() names the config meant by a path without its .yaml or its configs/ folder", async () => {
  for (const [path, meant] of [["configs/xor", "configs/xor.yaml"], ["iris.yaml", "configs/iris.yaml"]]) {
    await assert.rejects(
      () => loadConfig(path),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message === `${path}: Cannot read the file: not found (did you mean "${meant}"?)`,
    );
  }
});

Deno.test("parseConfig() reads data.image as [height, width] for CSV data", async (t) => {
  const csv = (image: string) => `data:\n  source: csv\n  path: d.csv\n  target: label\n  image: ${image}\n`;
  await t.step("two positive integers", () => {
    assert.deepEqual(parse(csv("[8, 8]")).data.image, [8, 8]);
  });
  await t.step("a misspelt key gets a suggestion", () => {
    assert.equal(
      messageOf(() => parse("data:\n  source: csv\n  path: d.csv\n  target: label\n  imgae: [8, 8]\n")),
      "configs/x.yaml:5:3: unknown key 'imgae' in data (did you mean 'image'?)",
    );
  });
  await t.step("wrong shapes and values are located", () => {
    assert.equal(
      messageOf(() => parse(csv("[8, 8, 1]"))),
      "configs/x.yaml:5:10: data.image: must be a list [height, width] of two positive integers, got a list of 3",
    );
    assert.equal(
      messageOf(() => parse(csv("28x28"))),
      'configs/x.yaml:5:10: data.image: must be a list [height, width] of two positive integers, got "28x28"',
    );
    assert.equal(
      messageOf(() => parse(csv("[8, 0]"))),
      'configs/x.yaml:5:14: data.image[1]: must be a positive integer, got "0"',
    );
    assert.equal(
      messageOf(() => parse(csv("[8, two]"))),
      'configs/x.yaml:5:14: data.image[1]: must be a positive integer, got "two"',
    );
  });
  await t.step("only with CSV data", () => {
    assert.equal(
      messageOf(() => parse("data:\n  source: idx\n  images: i\n  labels: l\n  image: [28, 28]\n")),
      'configs/x.yaml:5:10: data.image: only used with source "csv", not with source "idx" (IDX files carry their image size)',
    );
    assert.equal(
      messageOf(() => parse("data:\n  source: xor\n  image: [2, 1]\n")),
      'configs/x.yaml:3:10: data.image: only used with source "csv", not with source "xor"',
    );
  });
  await t.step("round trip through stringifyConfig", () => {
    const config = parse(csv("[4, 2]"));
    assert.deepEqual(parseConfig(parseConfigYaml(stringifyConfig(config))).data.image, [4, 2]);
  });
});

Deno.test("parseConfigYaml(): duplicate keys are found in one linear pass, at the repeated key", async (t) => {
  const cases: [string, string, string][] = [
    ["top level", "a: 1\nb: 2\na: 3\n", "configs/x.yaml:3:1: Cannot parse YAML: Map keys must be unique"],
    ["nested", "x:\n  y: 1\n  y: 2\n", "configs/x.yaml:3:3: Cannot parse YAML: Map keys must be unique"],
    [
      "in a flow map in a list",
      "- {a: 1, a: 2}\n",
      "configs/x.yaml:1:10: Cannot parse YAML: Map keys must be unique",
    ],
    [
      "the first of two in document order",
      "a:\n  b: 1\n  b: 2\nc: 1\nc: 2\n",
      "configs/x.yaml:3:3: Cannot parse YAML: Map keys must be unique",
    ],
    [
      "the last of 90,001 keys repeats the sixth",
      Array.from({ length: 90_000 }, (_, i) => `k${i}: 1\n`).join("") + "k5: 2\n",
      "configs/x.yaml:90001:1: Cannot parse YAML: Map keys must be unique",
    ],
  ];
  for (const [name, text, message] of cases) {
    await t.step(
      name,
      () =>
        assert.equal(messageOf(() => parseConfigYaml(text, { file: "configs/x.yaml" }), ParseError), message),
    );
  }
  await t.step("a number and a string of the same digits are different keys, as in YAML", () => {
    assert.doesNotThrow(() => parseConfigYaml("1: a\n'1': b\n"));
  });
});

Deno.test("applyOverrides(): --set network.hidden[5]=3 past the end blames the --set, not the file", () => {
  const text = "data:\n  source: xor\nnetwork:\n  hidden: [3, 3]\n";
  assert.equal(
    messageOf(() => parse(text, ["network.hidden[5]=3"])),
    "--set network.hidden[5]=3: Cannot apply the override: network.hidden has 2 entries, so [5] would leave a " +
      "gap (use an index up to 2)",
  );
  assert.deepEqual(parse(text, ["network.hidden[2]=4"]).network.hidden.map((layer) => layer.units), [
    3,
    3,
    4,
  ]);
});

Deno.test("applyOverrides(): an empty train: section takes --epochs (train.epochs) like a missing one", () => {
  const config = parse("data:\n  source: xor\ntrain:\n", ["train.epochs=2"]);
  assert.equal(config.train.epochs, 2);
  assert.equal(parse("data:\n  source: xor\nnetwork:\n", ["network.hidden[0]=5"]).network.hidden[0].units, 5);
});

Deno.test("parseConfigYaml() and parseConfig() on mutated configs: a located ConfigError or ParseError, or a config", async () => {
  const valid = await Deno.readTextFile("configs/iris.yaml");
  const pieces = [
    ":",
    " ",
    "\n",
    "  ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "#",
    '"',
    "'",
    "1e999",
    "-1",
    "x",
    "\t",
  ];
  fc.assert(
    fc.property(
      textEdits(pieces, { maxEdits: 4, maxRemove: 4 }),
      (edits) => {
        const text = applyEdits(valid, edits);
        try {
          parseConfig(parseConfigYaml(text, { file: "m.yaml" }), { file: "m.yaml" });
        } catch (error) {
          assert.ok(
            error instanceof ConfigError || error instanceof ParseError,
            `expected a ConfigError or ParseError, got ${error} for ${JSON.stringify(text)}`,
          );
          assert.ok(error.message.startsWith("m.yaml"), error.message);
        }
      },
    ),
    { numRuns: 800, seed: 10 },
  );
});
