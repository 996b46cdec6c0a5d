// End-to-end tests of named datasets on the command line: a missing dataset's message and exit code.

import assert from "node:assert/strict";
import { runCli, tempDir } from "./_run.ts";

Deno.test("train names every folder looked in for a missing dataset and exits 2", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/mnist.yaml`, "data:\n  source: mnist\n  normalize: scale\n");
  const run = await runCli("train", [`${tmp.path}/mnist.yaml`, "--headless", "--out", `${tmp.path}/run`], {
    env: { HOME: `${tmp.path}/home`, XDG_CACHE_HOME: `${tmp.path}/cache` },
  });
  assert.equal(
    run.stderr,
    `error: ${tmp.path}/mnist.yaml:2:11: data.source: Cannot find the mnist dataset: looked in ` +
      `"${tmp.path}/cache/termnet/mnist"; get it with "deno task fetch mnist"\n`,
  );
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.equal(await Deno.stat(`${tmp.path}/run`).then(() => true, () => false), false, "no run folder");
});
