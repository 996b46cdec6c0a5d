// `deno task train` on a CSV of pixels with data.image: a size that does not fit is one located line, exit 2.

import assert from "node:assert/strict";
import { runCli } from "./_run.ts";

async function imageRun(image: string): Promise<{ code: number; stderr: string; config: string }> {
  const dir = await Deno.makeTempDir({ prefix: "termnet_image_cli_" });
  try {
    const rows = ["a,b,c,d,label"];
    for (let i = 0; i < 12; i++) rows.push(i % 2 === 0 ? "0,255,255,0,x" : "255,0,0,255,y");
    await Deno.writeTextFile(`${dir}/tiny.csv`, rows.join("\n") + "\n");
    const config = `${dir}/tiny.yaml`;
    await Deno.writeTextFile(
      config,
      `data:\n  source: csv\n  path: tiny.csv\n  target: label\n  normalize: scale\n  image: ${image}\n` +
        `network: { hidden: [2] }\ntrain: { epochs: 2 }\noutput: { dir: ${JSON.stringify(`${dir}/run`)} }\n`,
    );
    const result = await runCli("train", [config, "--headless"], { killAfterMs: 30_000 });
    return { code: result.code, stderr: result.stderr, config };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("train reads a CSV of 2×2 pixels with data.image: [2, 2]", async () => {
  const { code, stderr } = await imageRun("[2, 2]");
  assert.equal(code, 0, stderr);
});

Deno.test("train names data.image with its line and column when the size does not fit the features", async () => {
  const { code, stderr, config } = await imageRun("[3, 3]");
  assert.equal(code, 2);
  assert.equal(
    stderr.trimEnd().split("\n").at(-1),
    `error: ${config}:6:10: data.image: does not fit the data: a 3×3 image has 9 pixels, the data has 4 features`,
  );
});
