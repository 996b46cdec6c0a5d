// End-to-end tests of files that are not to be trusted: escapes in model files, malformed predict input.

import assert from "node:assert/strict";
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
  assert.equal(inspect.code, 1);
  assert.equal(inspect.stderr.split("\n").length, 2, inspect.stderr);
  assert.ok(!inspect.stderr.includes("\x1b"), inspect.stderr);
  assert.match(inspect.stderr, /k\\n\\x1b\]0;pwned\\x07\\x1b\[2J: unknown field/);
});
