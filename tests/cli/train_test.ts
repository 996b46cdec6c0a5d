// End-to-end tests of `train` on XOR, with `inspect` and `predict` on its model, JSON output and determinism.

import assert from "node:assert/strict";
import { parsePredictions, readMetrics, runCli, tempDir } from "./_run.ts";

Deno.test("train learns XOR headless and writes model.json, metrics.jsonl and config.yaml", async (t) => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/xor`;
  const run = await runCli("train", ["configs/xor.yaml", "--headless", "--out", out]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);

  await t.step("prints the four predictions on the right side of 0.5", () => {
    const predictions = parsePredictions(run.stdout);
    assert.deepEqual(predictions.map((p) => p.inputs), [[0, 0], [0, 1], [1, 0], [1, 1]]);
    for (const { inputs, outputs, target } of predictions) {
      assert.equal(outputs.length, 1);
      assert.equal(outputs[0] > 0.5 ? 1 : 0, target[0], `prediction for ${inputs}: ${outputs[0]}`);
      assert.equal(target[0], inputs[0] ^ inputs[1]);
    }
    assert.match(
      run.stdout,
      new RegExp(`^saved ${out}/model.json, ${out}/metrics.jsonl, ${out}/config.yaml$`, "m"),
    );
  });

  await t.step("metrics.jsonl holds one JSON record per epoch, epochs increasing", async () => {
    const records = await readMetrics(out);
    assert.ok(records.length > 1);
    records.forEach((record, i) => {
      assert.equal(record.epoch, i + 1);
      assert.equal(typeof record.loss, "number");
    });
    assert.ok((records.at(-1)!.loss as number) <= 0.001, "stopped at the target loss 0.001");
  });

  await t.step("model.json is a version-1 model whose config is the run's", async () => {
    const model = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
    assert.equal(model.format, "termnet-model");
    assert.equal(model.version, 1);
    assert.deepEqual(model.layers.map((layer: { units: number }) => layer.units), [3, 3, 1]);
    assert.equal(model.config.name, "xor");
    assert.equal(model.config.output.dir, out);
  });

  await t.step("config.yaml is the resolved config with the run folder", async () => {
    const yaml = await Deno.readTextFile(`${out}/config.yaml`);
    assert.match(yaml, /^name: xor$/m);
    assert.match(yaml, /^ {2}learning_rate: 1$/m);
    assert.match(yaml, new RegExp(`^ {2}dir: ${out}$`, "m"));
    const again = await runCli("validate", [`${out}/config.yaml`]);
    assert.equal(again.stderr, "");
    assert.equal(again.code, 0);
  });

  await t.step("inspect prints the summary of the model", async () => {
    const inspect = await runCli("inspect", [`${out}/model.json`]);
    assert.equal(inspect.stderr, "");
    assert.equal(inspect.code, 0);
    const lines = inspect.stdout.split("\n");
    assert.equal(lines[0], `${out}/model.json: termnet-model version 1`);
    assert.match(inspect.stdout, /^dense_1 \(2→3\)\s+\(batch, 3\)\s+9\s+sigmoid$/m);
    assert.match(inspect.stdout, /^dense_3 \(3→1\)\s+\(batch, 1\)\s+4\s+sigmoid$/m);
    assert.match(inspect.stdout, /^Total params: 25$/m);
    assert.match(inspect.stdout, /^classes: 0, 1$/m);
    // five significant digits, not the file's seventeen
    assert.match(inspect.stdout, /^metrics: epoch \d+, loss 0\.0*[1-9]\d{0,4}, accuracy 1$/m);
  });

  await t.step("the model commands take the run folder for its model.json", async () => {
    const byFile = await runCli("inspect", [`${out}/model.json`]);
    const byFolder = await runCli("inspect", [out]);
    assert.equal(byFolder.stderr, "");
    assert.equal(byFolder.code, 0);
    assert.equal(byFolder.stdout, byFile.stdout);
    const predict = await runCli("predict", [out, "--input", "0,1"]);
    assert.equal(predict.code, 0, predict.stderr);
    assert.match(predict.stdout, /^1 0\.\d{4}\n$/);
  });

  await t.step("predict names the class and its probability for each --input", async () => {
    // XOR's targets are 0 and 1, so the model is a binary classifier with classes "0" and "1"
    const predict = await runCli("predict", [`${out}/model.json`, "--input", "0,1", "--input", "1,1"]);
    assert.equal(predict.stderr, "");
    assert.equal(predict.code, 0);
    const lines = predict.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    const [[one, p1], [zero, p0]] = lines.map((line) => line.split(" "));
    assert.equal(one, "1");
    assert.ok(Number(p1) > 0.5 && Number(p1) <= 1, lines[0]);
    assert.equal(zero, "0");
    assert.ok(Number(p0) > 0.5 && Number(p0) <= 1, lines[1]);
  });
});

Deno.test("train --json prints one JSON object per line, each with its type", async () => {
  await using tmp = await tempDir();
  const run = await runCli("train", ["configs/xor.yaml", "--json", "--epochs", "5", "--out", tmp.path]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  const records = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(records.map((record) => record.type), [
    "start",
    "epoch",
    "epoch",
    "epoch",
    "epoch",
    "epoch",
    "end",
    "saved",
  ]);
  assert.equal(records[0].name, "xor");
  assert.equal(records[0].points, undefined, "the start line leaves out the plotted points");
  const epochs = records.filter((record) => record.type === "epoch");
  assert.deepEqual(epochs.map((record) => record.epoch), [1, 2, 3, 4, 5]);
  for (const record of epochs) {
    assert.equal(typeof record.loss, "number");
    // gradient norms appear only on epochs where they were measured: the first and the last always are
    if ("gradient_norms" in record) assert.equal(record.gradient_norms.length, 3);
  }
  assert.ok("gradient_norms" in epochs[0] && "gradient_norms" in epochs[4]);
  assert.deepEqual(records[6], { type: "end", reason: "done", epoch: 5, message: "Finished 5 epochs" });
  assert.deepEqual(records[7], {
    type: "saved",
    path: `${tmp.path}/model.json`,
    epoch: 5,
    metrics: `${tmp.path}/metrics.jsonl`,
  });
});

async function trainTwice(config: string, args: string[]): Promise<[string, string]> {
  await using tmp = await tempDir();
  const texts: string[] = [];
  // the same folder both times: the model file records output.dir
  for (let i = 0; i < 2; i++) {
    const run = await runCli("train", [config, "--headless", "--out", tmp.path, ...args]);
    assert.equal(run.code, 0, run.stderr);
    texts.push(await Deno.readTextFile(`${tmp.path}/model.json`));
  }
  return [texts[0], texts[1]];
}

Deno.test("train writes byte-identical model.json for the same config and seed", async () => {
  const [[xor1, xor2], [spiral1, spiral2]] = await Promise.all([
    trainTwice("configs/xor.yaml", []),
    trainTwice("configs/spiral.yaml", ["--epochs", "50"]),
  ]);
  assert.equal(xor1, xor2);
  assert.equal(spiral1, spiral2);
});

Deno.test("train with a different --seed gives a different model", async () => {
  await using tmp = await tempDir();
  const runs = await Promise.all(
    ["42", "7"].map((seed) =>
      runCli("train", [
        "configs/spiral.yaml",
        "--headless",
        "--epochs",
        "20",
        "--seed",
        seed,
        "--out",
        `${tmp.path}/${seed}`,
      ])
    ),
  );
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const [a, b] = await Promise.all(
    ["42", "7"].map(async (seed) => JSON.parse(await Deno.readTextFile(`${tmp.path}/${seed}/model.json`))),
  );
  assert.equal(a.config.seed, 42);
  assert.equal(b.config.seed, 7);
  assert.notDeepEqual(a.layers, b.layers);
});

Deno.test("train says when a CSV target of a few whole numbers (0/1 labels) is read as regression", async () => {
  await using tmp = await tempDir();
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`);
  await Deno.writeTextFile(`${tmp.path}/bin.csv`, ["a,b,label", ...rows].join("\n") + "\n");
  const config = (task: string) =>
    `data:\n  source: csv\n  path: bin.csv\n  target: label\n${task}train:\n  epochs: 2\n`;
  await Deno.writeTextFile(`${tmp.path}/regression.yaml`, config(""));
  await Deno.writeTextFile(`${tmp.path}/classes.yaml`, config("  task: classification\n"));
  const regression = await runCli("train", [
    `${tmp.path}/regression.yaml`,
    "--headless",
    "--out",
    `${tmp.path}/r`,
  ]);
  assert.equal(regression.code, 0, regression.stderr);
  assert.match(
    regression.stdout,
    /^"label" has only 0, 1: trained as regression \(set data\.task: classification\)$/m,
  );
  const classes = await runCli("train", [`${tmp.path}/classes.yaml`, "--headless", "--out", `${tmp.path}/c`]);
  assert.equal(classes.code, 0, classes.stderr);
  assert.doesNotMatch(classes.stdout, /trained as regression/);
});

Deno.test("train says when file inputs far beyond 1 are left unnormalized", async () => {
  await using tmp = await tempDir();
  const rows = Array.from({ length: 40 }, (_, i) => `${(i * 37) % 255},${i % 5},${i % 2 ? "yes" : "no"}`);
  await Deno.writeTextFile(`${tmp.path}/px.csv`, ["a,b,label", ...rows].join("\n") + "\n");
  const config = (normalize: string) =>
    `data:\n  source: csv\n  path: px.csv\n  target: label\n${normalize}train:\n  epochs: 2\n`;
  await Deno.writeTextFile(`${tmp.path}/raw.yaml`, config(""));
  await Deno.writeTextFile(`${tmp.path}/scaled.yaml`, config("  normalize: zscore\n"));
  const raw = await runCli("train", [`${tmp.path}/raw.yaml`, "--headless", "--out", `${tmp.path}/r`]);
  assert.equal(raw.code, 0, raw.stderr);
  assert.match(
    raw.stdout,
    /^inputs reach 238 unnormalized: set data\.normalize \(scale, zscore or minmax\)$/m,
  );
  const scaled = await runCli("train", [`${tmp.path}/scaled.yaml`, "--headless", "--out", `${tmp.path}/s`]);
  assert.equal(scaled.code, 0, scaled.stderr);
  assert.doesNotMatch(scaled.stdout, /unnormalized/);
});

Deno.test("train --headless into a pipe prints the plain log alone during long epochs: no \\r, no erase line", async () => {
  await using tmp = await tempDir();
  // one epoch of seconds (1,000 batches of one image through 1,024 units): on a terminal it would show progress
  const run = await runCli("train", [
    "configs/fashion-mnist-sample.yaml",
    "--headless",
    "--epochs",
    "1",
    "--set",
    "network.hidden=[1024]",
    "--set",
    "train.batch_size=1",
    "--out",
    `${tmp.path}/run`,
  ]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.ok(!run.stdout.includes("\r") && !run.stdout.includes("\x1b[2K"), JSON.stringify(run.stdout));
  const lines = run.stdout.split("\n");
  assert.equal(lines.length, 5, run.stdout);
  assert.match(lines[0], /^training fashion-mnist-sample: 784-1024-10 /);
  assert.match(lines[1], /^epoch 1\/1 {2}loss [^ ]+ {2}acc /);
  assert.equal(lines[2], "Finished 1 epoch");
  assert.match(lines[3], /^saved /);
  assert.equal(lines[4], "");
});
