// End-to-end tests of files that are not to be trusted: escapes in model files, malformed predict input.

import { TASKS } from "../_tasks.ts";
import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { applyEdits, textEdits } from "../_text_edits.ts";
import { runCli, tempDir } from "./_run.ts";

const HOSTILE = "\x1b]0;pwned\x07\x1b[2J";

/** A valid 2-input, 3-class softmax model file with these class names and feature names. */
function modelText(labels: string[], features?: string[]): string {
  return JSON.stringify({
    format: "termnet-model",
    version: 1,
    input: 2,
    layers: [{ units: 3, activation: "softmax", weights: [[1, 0], [0, 1], [-1, -1]], bias: [0, 0, 0] }],
    preprocessing: { kind: "none", shift: [0, 0], factor: [1, 1] },
    labels,
    ...(features ? { features } : {}),
    metrics: { loss: 0.5 },
  });
}

Deno.test("predict and inspect: terminal escapes in class names are printed as text", async () => {
  await using tmp = await tempDir();
  const model = `${tmp.path}/model.json`;
  await Deno.writeTextFile(model, modelText([HOSTILE, "b\nc", "d"], [`x${HOSTILE}`, "y"]));
  const predict = await runCli("predict", [model, "--input", "5,0", "--input", "0,5"]);
  assert.equal(predict.code, 0, predict.stderr);
  assert.equal(predict.stdout, "\\x1b]0;pwned\\x07\\x1b[2J 0.9933\nb\\nc 0.9933\n");
  const inspect = await runCli("inspect", [model]);
  assert.equal(inspect.code, 0, inspect.stderr);
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(inspect.stdout), inspect.stdout);
  assert.match(inspect.stdout, /^classes: \\x1b\]0;pwned\\x07\\x1b\[2J, b\\nc, d$/m);
  assert.match(inspect.stdout, /^features: x\\x1b\]0;pwned\\x07\\x1b\[2J, y$/m);
});

Deno.test("errors: a newline or escape inside a value from a file stays on one escaped line", async () => {
  await using tmp = await tempDir();
  const model = `${tmp.path}/model.json`;
  await Deno.writeTextFile(
    model,
    JSON.stringify({ ...JSON.parse(modelText(["a", "b", "c"])), [`k\n${HOSTILE}`]: 1 }),
  );
  const inspect = await runCli("inspect", [model]);
  assert.equal(inspect.code, 2);
  assert.equal(inspect.stderr.split("\n").length, 2, inspect.stderr);
  assert.ok(!inspect.stderr.includes("\x1b"), inspect.stderr);
  assert.match(inspect.stderr, /k\\n\\x1b\]0;pwned\\x07\\x1b\[2J: unknown field/);
});

Deno.test("predict: a malformed first row is an error, not a header", async (t) => {
  await using tmp = await tempDir();
  const named = `${tmp.path}/named.json`, unnamed = `${tmp.path}/unnamed.json`;
  await Deno.writeTextFile(named, modelText(["a", "b", "c"], ["sepal", "petal"]));
  await Deno.writeTextFile(unnamed, modelText(["a", "b", "c"]));
  // bad input is exit 2, like a bad config
  const cases: [string, string, string, number, string][] = [
    [
      "an empty field in the first row",
      named,
      "5.1,\n5,0\n",
      2,
      'error: stdin:1: column 2: expected a number, got ""\n',
    ],
    [
      "a word in the first row",
      named,
      "abc,3.5\n5,0\n",
      2,
      'error: stdin:1: column 1: expected a number, got "abc"\n',
    ],
    [
      "a word in the first row, no feature names",
      unnamed,
      "abc,3.5\n5,0\n",
      2,
      'error: stdin:1: column 1: expected a number, got "abc"\n',
    ],
    [
      "a header that is not the model's features",
      named,
      "x,y\n5,0\n",
      2,
      'error: stdin:1: column 1: expected a number, got "x"\n',
    ],
    [
      "a malformed later row names its line",
      named,
      "sepal,petal\n5,0\n\n0,five\n",
      2,
      'error: stdin:4: column 2: expected a number, got "five"\n',
    ],
    [
      "empty stdin",
      named,
      "",
      2,
      "error: stdin: Cannot predict: no input rows (give CSV rows on stdin or --input)\n",
    ],
    [
      "only a header",
      named,
      "sepal,petal\n",
      2,
      "error: stdin: Cannot predict: no input rows (give CSV rows on stdin or --input)\n",
    ],
  ];
  for (const [name, model, stdin, code, stderr] of cases) {
    await t.step(name, async () => {
      const result = await runCli("predict", [model], { stdin });
      assert.equal(result.stderr, stderr);
      assert.equal(result.code, code);
      assert.equal(result.stdout, "");
    });
  }
  await t.step("the header of the model's features is skipped", async () => {
    const result = await runCli("predict", [named], { stdin: "sepal,petal\n5,0\n0,5\n" });
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, "a 0.9933\nb 0.9933\n");
  });
  await t.step("a header of words is skipped when the model has no feature names", async () => {
    const result = await runCli("predict", [unnamed], { stdin: "x,y\n5,0\n" });
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, "a 0.9933\n");
  });
});

Deno.test("validate: /dev/zero as a config stops at the 1 MiB cap with one line, exit 2", async () => {
  const result = await runCli("validate", ["/dev/zero"], { killAfterMs: 30_000 });
  assert.equal(
    result.stderr,
    "error: /dev/zero: Cannot read the file: it is larger than 1 MiB (read stopped there)\n",
  );
  assert.equal(result.code, 2);
});

Deno.test("errors stay one readable line", async (t) => {
  await using tmp = await tempDir();
  await t.step("a newline inside a key is escaped, not a second line", async () => {
    await Deno.writeTextFile(`${tmp.path}/nl.yaml`, 'data:\n  source: xor\n  "bad\\nkey": 1\n');
    const result = await runCli("validate", [`${tmp.path}/nl.yaml`]);
    assert.equal(result.stderr, `error: ${tmp.path}/nl.yaml:3:3: unknown key 'bad\\nkey' in data\n`);
    assert.equal(result.code, 2);
  });
  await t.step("a 100 KB value is cut to 60 characters", async () => {
    await Deno.writeTextFile(`${tmp.path}/long.yaml`, `data:\n  source: "${"x".repeat(100_000)}"\n`);
    const result = await runCli("validate", [`${tmp.path}/long.yaml`]);
    assert.match(
      result.stderr,
      /^error: .*long\.yaml:2:11: data\.source: must be one of .*, got "x{59}…"\n$/,
    );
    assert.ok(result.stderr.length < 300, result.stderr);
    assert.equal(result.code, 2);
  });
  await t.step("test_split: 0.999 on XOR says which split is empty and why", async () => {
    await Deno.writeTextFile(`${tmp.path}/split.yaml`, "data:\n  source: xor\n  test_split: 0.999\n");
    const result = await runCli("train", [
      `${tmp.path}/split.yaml`,
      "--headless",
      "--out",
      `${tmp.path}/run`,
    ]);
    assert.equal(
      result.stderr,
      `error: ${tmp.path}/split.yaml:3:15: data.test_split: Cannot split the data: a test_split of 0.999 of 4 ` +
        "samples leaves 0 for training (use a smaller fraction or more samples)\n",
    );
    assert.equal(result.code, 2);
  });
  await t.step(
    "TERMNET_BACKEND=bogus is a usage error (exit 2) in train, evaluate and gradcheck",
    async () => {
      const message = 'error: TERMNET_BACKEND: expected "auto", "js" or "wasm", got "bogus"\n';
      for (
        const [command, args] of [
          ["train", ["configs/xor.yaml", "--headless", "--out", `${tmp.path}/run`]],
          ["evaluate", [`${tmp.path}/missing.json`]],
          ["gradcheck", ["configs/xor.yaml"]],
        ] as const
      ) {
        const result = await runCli(command, args, { env: { TERMNET_BACKEND: "bogus" } });
        assert.equal(result.stderr, message, command);
        assert.equal(result.code, 2, command);
      }
    },
  );
});

Deno.test("deno.json: the train task grants no FORCE_COLOR (never read)", () => {
  const tasks = TASKS;
  assert.ok(!tasks.train.includes("FORCE_COLOR"), tasks.train);
  for (const name of ["train", "evaluate", "gradcheck"]) assert.match(tasks[name], /TERMNET_BACKEND/, name);
});

Deno.test("validate on 200 mutated configs: exit 0 or 2, one line per bad file, no stack trace", async () => {
  await using tmp = await tempDir();
  const valid = await Deno.readTextFile("configs/iris.yaml");
  const pieces = [":", "\n", "  ", "- ", "[", "{", "&a ", "*a", "#", '"', "1e999", "\x1b[2J", "\u202e", "x"];
  const files: string[] = [];
  fc.assert(
    fc.property(
      textEdits(pieces, { maxEdits: 3, maxRemove: 4 }),
      (edits) => {
        const text = applyEdits(valid, edits);
        const file = `${tmp.path}/c${files.length}.yaml`;
        Deno.writeTextFileSync(file, text);
        files.push(file);
      },
    ),
    { numRuns: 200, seed: 17 },
  );
  const result = await runCli("validate", files, { killAfterMs: 60_000 });
  assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
  const errors = result.stderr.split("\n").filter((line) => line !== "");
  const oks = result.stdout.split("\n").filter((line) => line !== "");
  assert.equal(errors.length + oks.length, files.length);
  assert.equal(result.code, errors.length > 0 ? 2 : 0);
  for (const line of errors) {
    assert.match(line, /^error: \S+\/c\d+\.yaml(:\d+:\d+)?: /, line);
    assert.ok(!line.includes("\x1b") && !line.includes("\u202e"), line);
  }
  assert.ok(!/\n\s+at /.test(result.stderr), "no stack trace");
});
