// The real `deno task train` on XOR in tmux: `e` opens the explain view with numbers, `,` `.` change the sample.

import assert from "node:assert/strict";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** The explain view on a screen: its sample number, the x line's numbers and whether z¹ shows three numbers. */
function readExplain(
  screen: string,
): { sample: number; samples: number; x: number[]; epoch: number } | undefined {
  const title = /Explain: sample (\d+)\/(\d+) · weights of epoch (\d+)/.exec(screen);
  const x = /x = a⁰\s+\(2\)\s+(-?[\d.]+)\s+(-?[\d.]+)/.exec(screen);
  const z = /z¹ = W¹·x \+ b¹\s+\(3\)(\s+-?\d\.\d{4}|\s+0|\s+-?\d\.\d+e-?\d+){3}/.test(screen);
  if (title === null || x === null || !z) return undefined;
  return { sample: Number(title[1]), samples: Number(title[2]), epoch: Number(title[3]), x: [+x[1], +x[2]] };
}

Deno.test("train dashboard in a real terminal: e explains an XOR sample, . and , move between samples", async (t) => {
  // XOR for a long time (no target loss), so the view is used while training runs and while paused.
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand([
        "configs/xor.yaml",
        "--epochs",
        "100000000",
        "--set",
        "train.target_loss=1e-300",
        "--out",
        `${dir}/run`,
      ]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n"), { columns: 80, rows: 24 });
  const explainWhere = (what: string, test: (view: NonNullable<ReturnType<typeof readExplain>>) => boolean) =>
    tmux.waitFor(what, async () => {
      const view = readExplain(await tmux.capture());
      return view !== undefined && test(view) ? view : undefined;
    });

  let ok = true;
  ok = ok && await t.step("e opens the view of sample 1 with its numbers while training runs", async () => {
    await tmux.waitFor("the dashboard", async () => /epoch\s+[1-9]/.test(await tmux.capture()) || undefined);
    await tmux.sendKeys("e");
    const view = await explainWhere("the explain view of sample 1", (v) => v.sample === 1);
    assert.equal(view.samples, 4);
    assert.deepEqual(view.x, [0, 0]);
    const screen = await tmux.capture();
    assert.match(screen, /a¹ = σ\(z¹\)\s+\(3\)/);
    assert.match(screen, /L = 1\/K·Σ\(ŷ − y\)²\s+\d/);
    assert.match(screen, /δ³ = ∂L\/∂ŷ ⊙ σ'\(z³\)\s+\(1\)\s+-?\d/);
    // while training runs, the view follows the weights
    await explainWhere("the view to show a later epoch", (v) => v.epoch > view.epoch);
  });

  ok = ok && await t.step(". shows the next sample and , the one before", async () => {
    await tmux.sendKeys("-l", ".");
    const next = await explainWhere("sample 2", (v) => v.sample === 2);
    assert.deepEqual(next.x, [0, 1]);
    await tmux.sendKeys("-l", ".");
    assert.deepEqual((await explainWhere("sample 3", (v) => v.sample === 3)).x, [1, 0]);
    await tmux.sendKeys("-l", ",");
    assert.deepEqual((await explainWhere("sample 2 again", (v) => v.sample === 2)).x, [0, 1]);
    await tmux.sendKeys("-l", ",", ",");
    assert.deepEqual((await explainWhere("sample 4 (wrapping)", (v) => v.sample === 4)).x, [1, 1]);
  });

  ok = ok && await t.step("while paused the view stays on one epoch; esc closes it, q quits", async () => {
    await tmux.sendKeys("Space");
    await tmux.waitFor("paused", async () => /❚❚ paused/.test(await tmux.capture()) || undefined);
    // the view catches up with the last epoch before the pause, then stays there
    const headerEpoch = async () => Number(/epoch\s+(\d+)\/100000000/.exec(await tmux.capture())?.[1]);
    const stopped = await headerEpoch();
    const paused = await explainWhere(
      "the view of the paused epoch",
      (v) => v.sample === 4 && v.epoch === stopped,
    );
    await tmux.sendKeys("-l", ".");
    const first = await explainWhere("sample 1 while paused", (v) => v.sample === 1);
    assert.equal(first.epoch, paused.epoch, "the weights changed while paused");
    assert.equal(await headerEpoch(), stopped, "an epoch ran while paused");
    await tmux.sendKeys("Escape");
    await tmux.waitFor("the panels again", async () => {
      const screen = await tmux.capture();
      return !screen.includes("Explain:") && /Loss/.test(screen) ? true : undefined;
    });
    await tmux.sendKeys("q");
    assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`)).trim(), "EXIT=0");
  });
  assert.ok(ok);
});

Deno.test("train dashboard in a real terminal: after XOR ends the explain view still answers e and .", async () => {
  // configs/xor.yaml reaches its target loss within a second; the dashboard then stays open
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand(["configs/xor.yaml", "--out", `${dir}/run`]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n"), { columns: 120, rows: 40 });
  const ended = await tmux.waitFor("the end of training", async () => {
    const match = /reached target loss/.test(await tmux.capture()) &&
      /epoch\s+(\d+)\/10000/.exec(await tmux.capture());
    return match ? Number(match[1]) : undefined;
  });
  await tmux.sendKeys("e");
  // one capture that holds the whole view (a capture can catch a frame half drawn: wait for a complete one)
  const [view, screen] = await tmux.waitFor("the explain view after the end", async () => {
    const captured = await tmux.capture();
    const shown = readExplain(captured);
    return shown !== undefined && /∂b¹ = δ¹/.test(captured) ? [shown, captured] as const : undefined;
  });
  assert.deepEqual([view.sample, view.samples, view.epoch, view.x], [1, 4, ended, [0, 0]]);
  // at 120×40 the whole 2-3-3-1 network fits: every layer's heading and ∂b, no scrolling
  assert.match(screen, /layer 1 · 2→3 · sigmoid/);
  assert.match(screen, /∂b¹ = δ¹\s+\(3\)/);
  assert.doesNotMatch(screen, /↑↓ lines/);
  await tmux.sendKeys("-l", ".");
  const next = await tmux.waitFor("sample 2", async () => {
    const now = readExplain(await tmux.capture());
    return now?.sample === 2 ? now : undefined;
  });
  assert.deepEqual([next.epoch, next.x], [ended, [0, 1]]);
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`)).trim(), "EXIT=0");
});
