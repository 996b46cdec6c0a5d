// Tests of the memory estimate and train.memory_limit.

import assert from "node:assert/strict";
import { formatBytes } from "../../src/_read_capped.ts";
import { checkMemory, estimateMemory, generatedShape } from "../../src/config/memory.ts";
import { parseConfig, parseConfigYaml } from "../../src/config/parse_config.ts";
import { DEFAULT_MEMORY_LIMIT } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";
import { runCli, snapshotDir, tempDir } from "../cli/_run.ts";

function config(yaml: string) {
  return parseConfig(parseConfigYaml(yaml, { file: "x.yaml" }));
}

Deno.test("estimateMemory() counts parameters with their copies, a batch's activations and the data", () => {
  const c = config("data: {source: xor}\nnetwork: {hidden: [3]}\ntrain: {optimizer: sgd, batch_size: 2}\n");
  const estimate = estimateMemory(c, { input: 2, layers: [3, 1], trainSize: 4, testSize: 0, targetSize: 1 });
  // (2+1)·3 + (3+1)·1 = 13 parameters; sgd: weights, gradients, snapshot, checkpoint = 4 copies of 8 bytes + 32
  assert.equal(estimate.parameters, 13 * (4 * 8 + 32));
  // 2 rows · (2 inputs + (3+1) units · 4 values) · 8 bytes + 2 layers · 80 KiB
  assert.equal(estimate.activations, 2 * (2 + 4 * 4) * 8 + 2 * 80 * 1024);
  assert.equal(estimate.data, 4 * (2 + 1) * 8 * 3);
  assert.equal(estimate.total, estimate.parameters + estimate.activations + estimate.data);
});

Deno.test("checkMemory() rejects size bombs under the caps with one line naming train.memory_limit (sizes under the caps do not fail fast)", async (t) => {
  await t.step("samples: 100000000", () => {
    const c = config("data: {source: spiral, samples: 100000000}\n");
    assert.throws(
      () => checkMemory(c, estimateMemory(c, generatedShape(c)!)),
      (error: Error) =>
        error instanceof ConfigError &&
        /^x\.yaml: Cannot train: the run needs about 10\.4 GiB \(.*data 8\.9 GiB\), more than train\.memory_limit 4 GiB; .* --set train\.memory_limit=12GiB$/
          .test(error.message),
    );
  });
  await t.step("hidden: [100000000]", () => {
    const c = config("data: {source: spiral}\nnetwork: {hidden: [100000000]}\n");
    const shape = { input: 2, layers: [100000000, 1], trainSize: 400, testSize: 0, targetSize: 1 };
    assert.throws(() => checkMemory(c, estimateMemory(c, shape)), /parameters \d+\.\d GiB/);
  });
  await t.step("100,000 one-unit layers", () => {
    const c = config("data: {source: xor}\n");
    const shape = { input: 2, layers: new Array(100_000).fill(1), trainSize: 4, testSize: 0, targetSize: 1 };
    assert.throws(() => checkMemory(c, estimateMemory(c, shape)), /activations 7\.6 GiB/);
  });
  await t.step("raised by train.memory_limit", () => {
    const c = config("data: {source: spiral, samples: 100000000}\ntrain: {memory_limit: 12GiB}\n");
    assert.equal(c.train.memoryLimit, 12 * 1024 ** 3);
    checkMemory(c, estimateMemory(c, generatedShape(c)!));
  });
});

Deno.test("train.memory_limit takes bytes or a size with a unit, and its default is 4 GiB", () => {
  assert.equal(config("data: {source: xor}\n").train.memoryLimit, undefined);
  assert.equal(DEFAULT_MEMORY_LIMIT, 4 * 1024 ** 3);
  assert.equal(
    config("data: {source: xor}\ntrain: {memory_limit: 512MiB}\n").train.memoryLimit,
    512 * 1024 ** 2,
  );
  assert.equal(config("data: {source: xor}\ntrain: {memory_limit: 2GB}\n").train.memoryLimit, 2e9);
  assert.equal(config("data: {source: xor}\ntrain: {memory_limit: 1000}\n").train.memoryLimit, 1000);
  assert.throws(
    () => config("data: {source: xor}\ntrain: {memory_limit: lots}\n"),
    /x\.yaml:2:23: train\.memory_limit: expected a size in bytes such as 8GiB, 512MiB or 2000000000, got "lots"$/,
  );
  assert.equal(formatBytes(1536), "1.5 KiB");
});

Deno.test("train refuses size bombs before allocating: exit 2, one line naming train.memory_limit, nothing written", async (t) => {
  await using tmp = await tempDir();
  const cases: [string, string[]][] = [
    ["samples: 100000000", ["configs/spiral.yaml", "--set", "data.samples=100000000"]],
    ["hidden: [100000000]", ["configs/spiral.yaml", "--set", "network.hidden=[100000000]"]],
  ];
  for (const [name, args] of cases) {
    await t.step(name, async () => {
      const run = await runCli("train", [...args, "--headless", "--out", `${tmp.path}/run`], {
        killAfterMs: 20_000,
      });
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^error: configs\/spiral\.yaml: Cannot train: the run needs about .* train\.memory_limit .*\n$/,
      );
      assert.deepEqual([...(await snapshotDir(tmp.path)).keys()], []);
    });
  }
  await t.step("IDX images: checked from the headers, before the pixels become numbers", async () => {
    const run = await runCli("train", [
      "configs/fashion-mnist-sample.yaml",
      "--headless",
      "--set",
      "train.memory_limit=1MiB",
      "--out",
      `${tmp.path}/run`,
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^error: \S+train-images-idx3-ubyte\.gz: Cannot load the images: 1000 × 784 pixels take about 18\.2 MiB as numbers, more than train\.memory_limit 1 MiB \(raise it, or set data\.limit\) \(data in configs\/fashion-mnist-sample\.yaml:\d+:\d+\)\n$/,
    );
  });
});
