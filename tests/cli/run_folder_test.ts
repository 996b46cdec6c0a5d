// End-to-end tests of where a run's files go and of the run folder's consistency: checked before training, one
// run's complete files after any kill, stale temporaries removed, paths resolved by one rule.

import assert from "node:assert/strict";
import { loadModel } from "../../src/nn/serialize.ts";
import { recoverRunFolder } from "../../src/train/run_files.ts";
import { decodeTimeline } from "../../src/train/timeline_file.ts";
import { REPO_ROOT, runCli, spawnCli, taskArgs, tempDir } from "./_run.ts";

/** Asserts that `dir` holds exactly one run's complete files and returns that run's seed. */
async function assertOneRun(dir: string): Promise<number> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assert.deepEqual(names.sort(), [
    "checkpoint.bin",
    "config.yaml",
    "metrics.jsonl",
    "model.json",
    "timeline.bin",
  ]);
  const model = await loadModel(`${dir}/model.json`);
  const config = await Deno.readTextFile(`${dir}/config.yaml`);
  const seed = Number(/^seed: (\d+)$/m.exec(config)?.[1]);
  assert.equal((model.config as { seed: number }).seed, seed, "config.yaml and model.json of one run");
  const epochs = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trimEnd().split("\n")
    .map((line) => JSON.parse(line)).filter((line) => line.type === "epoch");
  assert.equal(epochs.length, model.metrics?.epoch, "metrics.jsonl holds the saved run's epochs");
  decodeTimeline(await Deno.readFile(`${dir}/timeline.bin`));
  return seed;
}

/** Names in `parent` that are temporaries: `.name.<pid>.<ms>.new|old|tmp`, at any depth. */
async function temporaries(parent: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(parent)) {
    if (/\.\d+\.\d+\.(new|old|tmp)$/.test(entry.name)) found.push(entry.name);
    if (entry.isDirectory) found.push(...await temporaries(`${parent}/${entry.name}`));
  }
  return found;
}

Deno.test("train leaves one run's complete files and no temporaries when killed at random moments, also during saves (SIGKILL crash test)", async () => {
  await using tmp = await tempDir();
  const dir = `${tmp.path}/run`;
  const first = await runCli("train", [
    "configs/xor.yaml",
    "--headless",
    "--epochs",
    "20",
    "--seed",
    "1",
    "--out",
    dir,
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await assertOneRun(dir), 1);

  // a run whose saves take a large part of its time (a 2-600-600-1 network), killed at random moments
  for (let attempt = 0; attempt < 8; attempt++) {
    const seed = 2 + attempt;
    const child = spawnCli("train", [
      "configs/xor.yaml",
      "--headless",
      "--epochs",
      "3",
      "--seed",
      String(seed),
      "--set",
      "network.hidden=[600,600]",
      "--out",
      dir,
    ]);
    const delay = 150 + Math.random() * 1200;
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    await Promise.all([child.status, child.stdout.cancel(), child.stderr.cancel()]);
    clearTimeout(timer);
    // what the next run does first: finish an interrupted swap, remove the dead runs' temporaries
    await recoverRunFolder(dir);
    const found = await assertOneRun(dir);
    assert.ok(found === 1 || found <= seed, `seed ${found} after attempt ${attempt}`);
    assert.deepEqual(await temporaries(tmp.path), []);
  }
});

Deno.test("train removes stale temporaries of killed runs on start (.model.json.<pid>.<ms>.tmp pile up)", async () => {
  await using tmp = await tempDir();
  const dir = `${tmp.path}/run`;
  await Deno.mkdir(dir);
  // a pid that is not alive (above the kernel's pid_max), one stale staging folder and one temporary file
  await Deno.writeTextFile(`${dir}/.model.json.99999999.1700000000000.tmp`, "x".repeat(1000));
  await Deno.mkdir(`${tmp.path}/.run.99999999.1700000000000.new`);
  await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
  const run = await runCli("train", ["configs/xor.yaml", "--headless", "--epochs", "3", "--out", dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await temporaries(tmp.path), []);
  // the user's own file is carried over into the new run folder
  assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "mine");
});

Deno.test("train killed before its first save keeps the earlier run whole (metrics.jsonl of another run beside model.json)", async () => {
  await using tmp = await tempDir();
  const dir = `${tmp.path}/run`;
  const first = await runCli("train", [
    "configs/xor.yaml",
    "--headless",
    "--epochs",
    "5",
    "--seed",
    "1",
    "--out",
    dir,
  ]);
  assert.equal(first.code, 0, first.stderr);
  const child = spawnCli("train", [
    "configs/xor.yaml",
    "--headless",
    "--epochs",
    "1000000",
    "--set",
    "train.target_loss=1e-300",
    "--seed",
    "7",
    "--out",
    dir,
  ]);
  // once it prints epochs (after a few background metrics writes), kill it
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/epoch +\d+\/1000000/.test(text)) text += (await reader.read()).value ?? "";
  await new Promise((resolve) => setTimeout(resolve, 2500));
  child.kill("SIGKILL");
  await reader.cancel();
  await child.stderr.cancel();
  await child.status;
  assert.equal(await assertOneRun(dir), 1);
});

Deno.test("train checks the run folder before training and names it in one line (--out existing file, read-only folder, /dev/full, --out /)", async (t) => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/file`, "x");
  await Deno.mkdir(`${tmp.path}/runs/a`, { recursive: true });
  const cases: [string, string, RegExp][] = [
    [
      "an existing file",
      `${tmp.path}/file`,
      /^error: .*\/file: Cannot use it as the run folder: it is a file/,
    ],
    ["a read-only file system", "/proc/termnet-run", /^error: \/proc\/termnet-run: Cannot .*: /],
    ["/dev/full", "/dev/full", /^error: \/dev\/full: Cannot /],
    ["the root", "/", /^error: \/: Cannot use a file system root as the run folder/],
    ["the current folder", ".", /^error: \.: Cannot use the current folder/],
    [
      "a folder of runs",
      `${tmp.path}/runs`,
      /^error: .*\/runs: Cannot use it as the run folder: it holds the folder "a"/,
    ],
  ];
  for (const [name, out, message] of cases) {
    await t.step(name, async () => {
      const run = await runCli("train", [
        "configs/xor.yaml",
        "--headless",
        "--epochs",
        "100000",
        "--out",
        out,
      ]);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "", "nothing trained");
      assert.equal(run.stderr.split("\n").length, 2, run.stderr);
      assert.match(run.stderr, message);
    });
  }
  assert.deepEqual(await temporaries(tmp.path), []);
});

Deno.test("train resolves config paths against the config's folder and command-line paths against the user's folder (INIT_CWD)", async () => {
  await using tmp = await tempDir();
  await Deno.mkdir(`${tmp.path}/configs/deep`, { recursive: true });
  await Deno.writeTextFile(
    `${tmp.path}/configs/deep/x.yaml`,
    "data: {source: xor}\nnetwork: {hidden: [2]}\ntrain: {epochs: 2}\noutput: {dir: ../out}\n",
  );
  // as `cd <tmp>/configs && deno task train deep/x.yaml`: deno task starts in the repository, INIT_CWD is the user's
  const task = taskArgs("train");
  const run = await new Deno.Command(Deno.execPath(), {
    args: [...task, "deep/x.yaml", "--headless"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", INIT_CWD: `${tmp.path}/configs` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(run.stderr), "");
  // output.dir "../out" written in configs/deep/x.yaml: beside deep/, not above the user's folder
  await Deno.stat(`${tmp.path}/configs/out/model.json`);
  // --out on the command line: against the user's folder
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...task, "deep/x.yaml", "--headless", "--out", "mine"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", INIT_CWD: `${tmp.path}/configs` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stderr), "");
  await Deno.stat(`${tmp.path}/configs/mine/model.json`);
});

Deno.test("config name must be a plain name (name: .. writes the run into the repository root)", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/x.yaml`, "name: ..\ndata: {source: xor}\n");
  const run = await runCli("validate", [`${tmp.path}/x.yaml`]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^error: .*x\.yaml:1:7: name: must be a plain name not starting with "\.", got "\.\."\n$/,
  );
});
