// End-to-end tests of the timeline: `train` writes timeline.bin, `replay --headless` prints it, bad files exit 2.

import assert from "node:assert/strict";
import { runCli, tempDir } from "./_run.ts";

Deno.test("train writes timeline.bin and replay --headless prints one line per snapshot", async (t) => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/xor`;
  const run = await runCli("train", ["configs/xor.yaml", "--headless", "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  const metrics = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n");
  const lastEpoch = JSON.parse(metrics.at(-1)!).epoch as number;

  for (const path of [out, `${out}/`, `${out}/timeline.bin`]) {
    await t.step(`replay ${path.slice(tmp.path.length)}`, async () => {
      const replay = await runCli("replay", [path, "--headless"]);
      assert.equal(replay.stderr, "");
      assert.equal(replay.code, 0);
      const lines = replay.stdout.trim().split("\n");
      const epochs = lines.map((line) => Number(/^epoch\s+(\d+)\//.exec(line)?.[1]));
      assert.ok(lines.length > 200 && lines.length <= 400, `${lines.length} lines`);
      assert.equal(epochs[0], 1);
      assert.equal(epochs.at(-1), lastEpoch, "the latest epoch is the last line");
      for (let i = 1; i < epochs.length; i++) assert.ok(epochs[i] > epochs[i - 1], lines[i]);
      assert.match(lines.at(-1)!, /loss (9\.\d+e-4|0\.00100)/);
    });
  }
});

Deno.test("replay of a missing or corrupt timeline is one line naming the file, exit 2", async (t) => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/timeline.bin`, "not a timeline at all");
  await Deno.mkdir(`${tmp.path}/empty`);
  const cases: [string, string, string][] = [
    [
      "a folder without a timeline",
      `${tmp.path}/empty`,
      `${tmp.path}/empty/timeline.bin: Cannot read the timeline: the file does not exist`,
    ],
    [
      "a path that does not exist",
      `${tmp.path}/nope`,
      `${tmp.path}/nope: Cannot read the timeline: no such run folder or file`,
    ],
    [
      "a file that is not a timeline",
      tmp.path,
      `${tmp.path}/timeline.bin: Cannot read the timeline: not a termnet timeline`,
    ],
  ];
  for (const [name, path, expected] of cases) {
    await t.step(name, async () => {
      const replay = await runCli("replay", [path]);
      assert.equal(replay.code, 2);
      assert.equal(replay.stdout, "");
      assert.ok(replay.stderr.startsWith(`error: ${expected}`), replay.stderr);
      assert.equal(replay.stderr.trim().split("\n").length, 1, replay.stderr);
    });
  }
});

Deno.test("replay of a run's name instead of its folder names the folder meant, exit 2", async () => {
  await using tmp = await tempDir();
  await Deno.mkdir(`${tmp.path}/runs/demo`, { recursive: true });
  const replay = await runCli("replay", ["demo"], { env: { INIT_CWD: tmp.path } });
  assert.equal(replay.code, 2);
  assert.equal(
    replay.stderr,
    `error: demo: Cannot read the timeline: no such run folder or file (did you mean "runs/demo"?)\n`,
  );
});
