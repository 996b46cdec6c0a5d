// Tests that the README's library examples run as printed (imports pointed at this checkout) and print the numbers
// the README states next to them: XOR's predictions, the spiral classifier's epochs, loss and answer, trainingRun's
// quit, and Fashion-MNIST through fit (where the full set is on this machine).

import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { withoutFullFashion } from "./_full_dataset.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const README = await Deno.readTextFile(join(ROOT, "README.md"));
const SECTION = README.slice(
  README.indexOf("\n## Use it as a library"),
  README.indexOf("\n## ", README.indexOf("\n## Use it as a library") + 1),
);
const RELEASE_URL = /https:\/\/raw\.githubusercontent\.com\/termnet\/termnet\/v[0-9.]+\/mod\.ts/g;

/** The section's ```ts block that contains `marker`, its release URL replaced by this checkout's mod.ts. */
function example(marker: string): string {
  const blocks = [...SECTION.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const found = blocks.filter((block) => block.includes(marker));
  assert.equal(found.length, 1, `one example with ${JSON.stringify(marker)}`);
  assert.match(found[0], RELEASE_URL, "the example imports the release's mod.ts");
  return found[0].replaceAll(RELEASE_URL, pathToFileURL(join(ROOT, "mod.ts")).href);
}

/** Runs a script in a temporary folder with read and write permission; returns its standard output. */
async function run(script: string): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "termnet_readme_" });
  try {
    await Deno.writeTextFile(join(folder, "example.ts"), script);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--allow-write", "example.ts"],
      cwd: folder,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, `${stdout}\n${new TextDecoder().decode(output.stderr)}`);
    return stdout;
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** The numbers in `text`, rounded to `digits` decimals. */
function numbers(text: string, digits: number): number[] {
  return [...text.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].map((m) => Number(Number(m[0]).toFixed(digits)));
}

Deno.test("README: the tutorial's XOR through net.fit predicts what its comment says", async () => {
  const script = example('hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 });\nawait net.fit');
  const comment = script.match(/\/\/ ≈ (\[\[.*\]\])/)![1];
  const printed = (await run(script)).split("───")[0];
  assert.deepEqual(numbers(printed, 3), numbers(comment, 3));
});

Deno.test("README: the spiral classifier stops at the stated epoch with the stated loss and answer", async () => {
  const script = example('source: "spiral"');
  const stated = script.match(/\/\/ → (\d+) \{ loss: ([\d.]+), accuracy: ([\d.]+) \}/)!;
  const answer = script.match(/probability: ([\d.]+) \}/)!;
  const lines = (await run(script)).trim().split("\n");
  const [epochs, loss, accuracy] = numbers(lines[0], 4);
  assert.deepEqual([epochs, loss, accuracy], [Number(stated[1]), Number(stated[2]), Number(stated[3])]);
  assert.match(lines[1], /index: 1, name: "1"/);
  assert.equal(numbers(lines[1], 4).at(-1), Number(answer[1]));
});

Deno.test("README: trainingRun's example quits where its comment says", async () => {
  const script = example("trainingRun(net, xor");
  const stated = script.match(/\/\/ (quit Stopped by the user after epoch \d+)/)![1];
  assert.equal((await run(script)).trim(), stated);
});

Deno.test({
  name: "README: Fashion-MNIST through net.fit reaches the stated test accuracy and answer",
  ignore: withoutFullFashion(),
  fn: async () => {
    const script = example('source: "fashion-mnist"');
    const stated = script.match(/\/\/ \{ loss: ([\d.]+), accuracy: ([\d.]+) \}/)!;
    const answer = script.match(/\/\/ \{ index: (\d+), name: "([^"]+)", probability: ([\d.]+) \}/)!;
    const lines = (await run(script)).trim().split("\n");
    assert.deepEqual(numbers(lines[0], 4), [Number(stated[1]), Number(stated[2])]);
    assert.match(lines[1], new RegExp(`index: ${answer[1]}, name: "${answer[2]}"`));
    assert.equal(numbers(lines[1], 3).at(-1), Number(answer[3]));
  },
});
