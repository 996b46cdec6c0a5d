// The real `deno task train` on the shipped Fashion-MNIST sample in tmux: the pictures at 120×40, `v` at 80×24.

import assert from "node:assert/strict";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** A script that trains the Fashion-MNIST sample for long enough that the keys decide, then records the exit. */
function script(dir: string): string {
  return [
    trainCommand(["configs/fashion-mnist-sample.yaml", "--epochs", "100000", "--out", `${dir}/run`]),
    `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
    "exec sleep 600",
  ].join("\n");
}

/** The title of the panel whose top border starts with `┌ <prefix>`, with the rest of its border line. */
function panelTitle(screen: string, prefix: string): string | undefined {
  return new RegExp(`┌ (${prefix}[^─┐]*)`).exec(screen)?.[1].trim();
}

Deno.test("train dashboard at 120×40 on Fashion-MNIST shows the samples, the confusion matrix and the filters", async () => {
  await using tmux = await TmuxSession.start(script, { columns: 120, rows: 40 });
  const screen = await tmux.waitFor("the pictures with predictions", async () => {
    const now = await tmux.capture();
    return /Samples \(test\) \d+\/\d+ right/.test(now) && /Confusion \(test\) acc \d/.test(now)
      ? now
      : undefined;
  }, { timeoutMs: 30_000 });
  assert.match(screen, /What layer 1 sees/);
  assert.match(screen, /[✓✗](T-shirt|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle)/);
  // the confusion matrix names the classes, one row each
  for (const name of ["0 T-shirt", "1 Trouser", "9 Ankle"]) {
    assert.ok(screen.includes(name), `no row ${name}`);
  }
  assert.doesNotMatch(screen, /┌ Network/);
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 })).trim(), "EXIT=0");
});

Deno.test("train dashboard at 80×24 on Fashion-MNIST: v cycles network, samples, confusion, filters", async () => {
  await using tmux = await TmuxSession.start(script, { columns: 80, rows: 24 });
  const titles = ["Network", "Samples", "Confusion", "What layer 1 sees", "Network"];
  await tmux.waitFor("the network panel and a confusion matrix to show", async () => {
    const now = await tmux.capture();
    return panelTitle(now, "Network") !== undefined && /epoch +[1-9]/.test(now) ? true : undefined;
  }, { timeoutMs: 30_000 });
  for (const title of titles.slice(1)) {
    await tmux.sendKeys("v");
    const shown = await tmux.waitFor(
      `the ${title} view after v`,
      async () => panelTitle(await tmux.capture(), title),
    );
    if (title === "Samples") assert.match(shown, /Samples \(test\)/);
    if (title === "Confusion") assert.match(shown, /Confusion \(test\) acc \d/);
  }
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 })).trim(), "EXIT=0");
});
