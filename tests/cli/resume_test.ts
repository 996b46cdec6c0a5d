// End-to-end tests of `train --resume` and checkpoint.bin: bit-identical continuation and the refusals.

import assert from "node:assert/strict";
import { decodeCheckpoint } from "../../src/train/checkpoint_file.ts";
import { readMetrics, runCli, tempDir } from "./_run.ts";

/** A small circle run: 90 training samples in batches of 16 (so shuffling matters), dropout and a schedule. */
function circleConfig(optimizer: string, schedule: string, extra = ""): string {
  return `name: resume
seed: 7
data: { source: circle, samples: 120, noise: 0.1, test_split: 0.25 }
network: { hidden: [6, 5], activation: tanh, dropout: 0.2 }
train:
  epochs: 20
  batch_size: 16
  learning_rate: 0.05
  optimizer: ${optimizer}
  schedule: ${schedule}
${extra}`;
}

/** The epoch lines' numbers that training decides (not the timings). */
async function epochLosses(dir: string): Promise<unknown[][]> {
  return (await readMetrics(dir)).filter((line) => line.type === "epoch").map((line) => [
    line.epoch,
    line.loss,
    line.test_loss,
    line.accuracy,
    line.learning_rate,
  ]);
}

/** model.json without the run folder it names (the two runs are written to different folders). */
async function modelWithoutDir(dir: string): Promise<string> {
  return (await Deno.readTextFile(`${dir}/model.json`)).replaceAll(`"dir":${JSON.stringify(dir)}`, "");
}

Deno.test("train --resume: 20 epochs equal 10, then --resume to 20, bit for bit", async (t) => {
  const cases = [
    ["sgd", "{ type: step, every: 3, factor: 0.7 }"],
    ["momentum", "{ type: exponential, gamma: 0.9 }"],
    ["adam", "{ type: plateau, patience: 2, factor: 0.5 }"],
    // stops early at epoch 13 and gives back epoch 10's weights in both runs
    [
      "adam",
      "{ type: plateau, patience: 2, factor: 0.5 }",
      "  early_stop: { monitor: val_loss, patience: 3 }\n",
    ],
  ];
  for (const [optimizer, schedule, extra] of cases) {
    const name = `${optimizer} with ${schedule.split(",")[0]} }, dropout and shuffling${
      extra ? ", early stop" : ""
    }`;
    await t.step(name, async () => {
      await using tmp = await tempDir();
      const config = `${tmp.path}/c.yaml`;
      await Deno.writeTextFile(config, circleConfig(optimizer, schedule, extra));
      const full = `${tmp.path}/full`, part = `${tmp.path}/part`;
      const whole = await runCli("train", [config, "--headless", "--out", full]);
      assert.deepStrictEqual(whole.code, 0, whole.stderr);
      const first = await runCli("train", [config, "--headless", "--out", part, "--epochs", "10"]);
      assert.deepStrictEqual(first.code, 0, first.stderr);
      const checkpoint = decodeCheckpoint(await Deno.readFile(`${part}/checkpoint.bin`), "checkpoint.bin");
      assert.deepStrictEqual(checkpoint.state.epoch, 10);
      assert.deepStrictEqual(checkpoint.optimizer, optimizer);
      const rest = await runCli("train", [config, "--headless", "--resume", part]);
      assert.deepStrictEqual(rest.code, 0, rest.stderr);
      assert.match(rest.stdout, /^training resume: .*, 20 epochs, resumed after epoch 10\nepoch 11\/20 /);
      assert.deepStrictEqual(await modelWithoutDir(part), await modelWithoutDir(full));
      const losses = await epochLosses(part);
      assert.deepStrictEqual(losses.length, extra ? 13 : 20);
      assert.deepStrictEqual(losses, await epochLosses(full));
      const restored = async (dir: string) =>
        (await readMetrics(dir)).filter((line) => line.type === "restored");
      assert.deepStrictEqual(await restored(part), await restored(full));
      const resumed = (await readMetrics(part)).filter((line) => line.type === "resumed");
      assert.deepStrictEqual(resumed, [{ type: "resumed", epoch: 10, epochs: 20 }]);
    });
  }
});

Deno.test("train --resume drops metrics lines past the checkpoint, takes the checkpoint's path without a config and goes on with the timeline", async () => {
  await using tmp = await tempDir();
  const config = `${tmp.path}/c.yaml`;
  await Deno.writeTextFile(config, circleConfig("adam", "{ type: step, every: 4, factor: 0.5 }"));
  const full = `${tmp.path}/full`, part = `${tmp.path}/part`;
  assert.deepStrictEqual((await runCli("train", [config, "--headless", "--out", full])).code, 0);
  assert.deepStrictEqual(
    (await runCli("train", [config, "--headless", "--out", part, "--epochs", "8"])).code,
    0,
  );
  // a run that went on to epoch 9 after its checkpoint and then died: its extra line is dropped
  const lines = await Deno.readTextFile(`${part}/metrics.jsonl`);
  await Deno.writeTextFile(
    `${part}/metrics.jsonl`,
    lines + lines.trim().split("\n").at(-1)!.replace(
      '"epoch":8',
      '"epoch":9',
    ) + "\n",
  );
  // without a config: the run folder's config.yaml (which says 8 epochs, hence --epochs)
  const rest = await runCli("train", ["--headless", "--resume", `${part}/checkpoint.bin`, "--epochs", "20"]);
  assert.deepStrictEqual(rest.code, 0, rest.stderr);
  assert.deepStrictEqual(await epochLosses(part), await epochLosses(full));
  // the timeline goes on too: replay shows the 8 epochs of the first run and the 12 of the second
  const replay = await runCli("replay", [part, "--headless"]);
  assert.deepStrictEqual(replay.code, 0, replay.stderr);
  const epochs = replay.stdout.trim().split("\n").map((line) => line.match(/^epoch +(\d+)\/(\d+)/)?.slice(1));
  assert.deepStrictEqual(epochs.map((e) => Number(e?.[0])), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepStrictEqual(epochs.map((e) => e?.[1]), [...Array(8).fill("8"), ...Array(12).fill("20")]);
});

Deno.test("train.checkpoint_every writes the run folder with a checkpoint every N epochs", async () => {
  await using tmp = await tempDir();
  const config = `${tmp.path}/c.yaml`;
  await Deno.writeTextFile(
    config,
    circleConfig("momentum", "{ type: step, every: 3, factor: 0.7 }", "  checkpoint_every: 4\n"),
  );
  // training waits for each of these saves, so each is reported in order
  const run = await runCli("train", [
    config,
    "--json",
    "--out",
    `${tmp.path}/run`,
    "--epochs",
    "10",
  ]);
  assert.deepStrictEqual(run.code, 0, run.stderr);
  const saved = run.stdout.trim().split("\n").map((line) => JSON.parse(line)).filter((e) =>
    e.type === "saved"
  );
  assert.deepStrictEqual(saved.map((e) => e.epoch), [4, 8, 10]);
  // each saved event comes right after its epoch's event
  const types = run.stdout.trim().split("\n").map((line) => JSON.parse(line))
    .filter((e) => e.type === "epoch" || e.type === "saved").map((e) => `${e.type} ${e.epoch}`);
  assert.deepStrictEqual(types.slice(3, 6), ["epoch 4", "saved 4", "epoch 5"]);
  const checkpoint = decodeCheckpoint(
    await Deno.readFile(`${tmp.path}/run/checkpoint.bin`),
    "checkpoint.bin",
  );
  assert.deepStrictEqual(checkpoint.state.epoch, 10);
});

Deno.test("train --resume refuses what it cannot continue, with one line and exit 2", async (t) => {
  await using tmp = await tempDir();
  const config = `${tmp.path}/c.yaml`;
  await Deno.writeTextFile(config, circleConfig("adam", "{ type: step, every: 3, factor: 0.7 }"));
  const part = `${tmp.path}/part`;
  assert.deepStrictEqual(
    (await runCli("train", [config, "--headless", "--out", part, "--epochs", "5"])).code,
    0,
  );
  const refuse = async (args: string[], pattern: RegExp) => {
    const run = await runCli("train", [config, "--headless", ...args]);
    assert.deepStrictEqual(run.code, 2, run.stderr);
    assert.deepStrictEqual(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr.trim(), pattern);
  };
  await t.step("a different network names the key and both values", async () => {
    await refuse(
      ["--resume", part, "--set", "network.hidden=[16]"],
      /^error: .*part\/checkpoint\.bin: Cannot resume: network\.hidden: the checkpoint has \[6, 5\], the config \[16\]$/,
    );
    await refuse(
      ["--resume", part, "--set", "train.optimizer=sgd"],
      /Cannot resume: train\.optimizer: the checkpoint has adam, the config sgd$/,
    );
  });
  await t.step("a run that reached its epochs says so", async () => {
    await refuse(["--resume", part, "--epochs", "5"], /Cannot resume: the run already reached epoch 5 of 5/);
  });
  await t.step("a run that stopped early or reached its target loss says so", async () => {
    const stopped = `${tmp.path}/stopped`, plateau = `${tmp.path}/plateau.yaml`;
    await Deno.writeTextFile(
      plateau,
      circleConfig("adam", "{ type: plateau, patience: 2, factor: 0.5 }", "  early_stop: { patience: 3 }\n"),
    );
    const run = await runCli("train", [plateau, "--headless", "--out", stopped]);
    assert.match(run.stdout, /Stopped early at epoch 13/);
    const refused = await runCli("train", [plateau, "--headless", "--resume", stopped]);
    assert.deepStrictEqual(refused.code, 2);
    assert.match(
      refused.stderr.trim(),
      /^error: \S+: Cannot resume: the run stopped early at epoch 13 \(val_loss did not improve for 3 epochs; raise train\.early_stop\.patience above 3 to train on\)$/,
    );
    await refuse(
      ["--resume", part, "--set", "train.target_loss=5"],
      /Cannot resume: the run reached the target loss 5 at epoch 5 \(lower train\.target_loss to train on\)$/,
    );
  });
  await t.step("a missing checkpoint names the file", async () => {
    await refuse(
      ["--resume", `${tmp.path}/nowhere`],
      /^error: .*nowhere\/checkpoint\.bin: Cannot read the checkpoint: the file does not exist/,
    );
  });
  await t.step("a corrupt checkpoint names the file", async () => {
    const bytes = await Deno.readFile(`${part}/checkpoint.bin`);
    bytes[bytes.length - 20] ^= 0xff;
    await Deno.writeFile(`${part}/checkpoint.bin`, bytes);
    await refuse(
      ["--resume", part],
      /^error: .*part\/checkpoint\.bin: Cannot read the checkpoint: the checksum does not match/,
    );
    await Deno.writeFile(`${part}/checkpoint.bin`, new TextEncoder().encode("{}"));
    await refuse(["--resume", part], /Cannot read the checkpoint: not a termnet checkpoint/);
  });
});
