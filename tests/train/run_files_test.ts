// Tests of RunFiles: the staging folder, the swap, recovery after a kill, and save failures as one line.

import assert from "node:assert/strict";
import { Network } from "../../src/nn/network.ts";
import { networkToJson } from "../../src/nn/serialize.ts";
import { recoverRunFolder, RunFiles, RunFolderError, RunSaveError } from "../../src/train/run_files.ts";

const MODEL = networkToJson(
  new Network({ input: 1, layers: [{ units: 1, activation: "linear" }], seed: 1, backend: "js" }),
);

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

Deno.test("RunFiles writes into a staging folder until its first save, then swaps it in and keeps the user's files", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dir = `${tmp}/run`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/model.json`, "earlier");
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    const files = await RunFiles.open(dir);
    files.addMetrics({ type: "epoch", epoch: 1 });
    await files.flushMetrics();
    // the earlier run is untouched while this one trains
    assert.equal(await Deno.readTextFile(`${dir}/model.json`), "earlier");
    assert.deepEqual(await names(dir), ["model.json", "notes.txt"]);
    assert.equal(await files.save({ model: MODEL, config: "seed: 1\n" }), `${dir}/model.json`);
    assert.ok(files.saved);
    assert.deepEqual(await names(dir), ["config.yaml", "metrics.jsonl", "model.json", "notes.txt"]);
    files.addMetrics({ type: "epoch", epoch: 2 });
    await files.flushMetrics();
    await files.close();
    assert.equal((await Deno.readTextFile(`${dir}/metrics.jsonl`)).trimEnd().split("\n").length, 2);
    assert.deepEqual(await names(tmp), ["run"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("RunFiles.close() of a run that never saved removes its staging folder and leaves the earlier run", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dir = `${tmp}/run`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/model.json`, "earlier");
    const files = await RunFiles.open(dir);
    files.addMetrics({ type: "epoch", epoch: 1 });
    await files.flushMetrics();
    await files.close();
    assert.deepEqual(await names(tmp), ["run"]);
    assert.deepEqual(await names(dir), ["model.json"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("recoverRunFolder() completes a swap that a kill interrupted between its two renames", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    // the kill came after the earlier folder was renamed aside and before the staging folder took its name
    await Deno.mkdir(`${tmp}/.run.99999999.1.new`);
    await Deno.writeTextFile(`${tmp}/.run.99999999.1.new/model.json`, "new");
    await Deno.mkdir(`${tmp}/.run.99999999.1.old`);
    await Deno.writeTextFile(`${tmp}/.run.99999999.1.old/model.json`, "old");
    await Deno.writeTextFile(`${tmp}/.run.99999999.1.old/notes.txt`, "mine");
    await Deno.writeTextFile(`${tmp}/.run.99999999.1.lock`, "");
    await recoverRunFolder(`${tmp}/run`);
    assert.deepEqual(await names(tmp), ["run"]);
    assert.equal(await Deno.readTextFile(`${tmp}/run/model.json`), "new");
    assert.equal(await Deno.readTextFile(`${tmp}/run/notes.txt`), "mine");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("recoverRunFolder() leaves the staging folder of a run that is alive (it holds its lock)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const files = await RunFiles.open(`${tmp}/run`);
    await recoverRunFolder(`${tmp}/run`);
    assert.equal((await names(tmp)).filter((name) => name.endsWith(".new")).length, 1);
    await files.close();
    assert.deepEqual(await names(tmp), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("RunFiles.save() failures are one line naming the run folder (OS errors translated)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const files = await RunFiles.open(`${tmp}/run`);
    // the staging folder removed under the run, as a full or vanished disk would fail it
    for (const name of await names(tmp)) {
      if (name.endsWith(".new")) await Deno.remove(`${tmp}/${name}`, { recursive: true });
    }
    await assert.rejects(
      () => files.save({ model: MODEL, config: "seed: 1\n" }),
      (error: Error) =>
        error instanceof RunSaveError &&
        error.message === `${tmp}/run: Cannot save the run: a part of the path does not exist`,
    );
    await files.close();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("RunFiles.open() refuses a file as the run folder before anything is written", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${tmp}/file`, "x");
    await assert.rejects(() => RunFiles.open(`${tmp}/file`), RunFolderError);
    assert.deepEqual(await names(tmp), ["file"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
