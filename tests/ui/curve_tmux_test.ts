// The curve view in a real terminal (tmux): `deno task train configs/sine.yaml` and `deno task replay` of its run
// show the data points and the network's curve in the Curve panel, and rewinding shows an earlier curve.

import assert from "node:assert/strict";
import { runCli } from "../cli/_run.ts";
import { readHeader } from "./_header.ts";
import { replayCommand, shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** The Curve panel's lines on a screen (its frame included), or undefined while it is not drawn. */
function curvePanel(screen: string): string[] | undefined {
  const lines = screen.split("\n");
  const top = lines.findIndex((line) => line.includes("┌ Curve "));
  if (top < 0) return undefined;
  const column = lines[top].indexOf("┌ Curve ");
  const width = lines[top].indexOf("┐", column) - column + 1;
  const panel: string[] = [];
  for (let r = top; r < lines.length; r++) {
    const part = lines[r].slice(column, column + width);
    panel.push(part);
    if (part.startsWith("└")) return panel;
  }
  return undefined;
}

/** Checks what a drawn Curve panel holds: y labels, the data's x range below, the legend and a braille curve. */
function assertCurvePanel(panel: readonly string[]): void {
  const text = panel.join("\n");
  assert.match(panel[1], /^│-?\d\.\d+┤/, "the largest y labelled");
  assert.match(text, /-3\.1\d* +3\.1\d*/, "the x range of the data, about [-π, π]");
  assert.match(text, /━ net · train × test/);
  assert.match(panel.slice(1, -3).join("\n"), /[\u2801-\u28ff]/, "the curve in braille");
}

/** The plot lines of a panel (between the frame's top and the x labels). */
function plot(panel: readonly string[]): string {
  return panel.slice(1, -3).join("\n");
}

/** The Curve panel once its curve is drawn (a first frame may come before it), else undefined. */
function curved(screen: string): string[] | undefined {
  const panel = curvePanel(screen);
  return panel && /[\u2801-\u28ff]/.test(plot(panel)) ? panel : undefined;
}

Deno.test("train configs/sine.yaml in a terminal shows the Curve panel; Home shows epoch 1's curve", async (t) => {
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand(["configs/sine.yaml", "--out", `${dir}/run`]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n"), { columns: 80, rows: 24 });
  let ok = true;
  let end!: string[];
  ok = ok &&
    await t.step(
      "the panel shows the points and the curve at the end of the run, in the boundary's place",
      async () => {
        end = await tmux.waitFor("the end of the run with the Curve panel", async () => {
          const screen = await tmux.capture();
          const header = readHeader(screen);
          return header?.status.startsWith("■") && header.epoch === header.epochs
            ? curved(screen)
            : undefined;
        }, { timeoutMs: 60_000 });
        assertCurvePanel(end);
        assert.equal(end.length, 14, "the height of the boundary's place at 80×24");
        assert.equal(end[0].length, 22, "the width of the boundary's place at 80×24");
      },
    );
  ok = ok && await t.step("Home rewinds to epoch 1: another curve in the same axes' place", async () => {
    await tmux.sendKeys("Home");
    const first = await tmux.waitFor("rewind · epoch 1", async () => {
      const screen = await tmux.capture();
      return /rewind · epoch 1\b/.test(screen) ? curved(screen) : undefined;
    });
    assert.match(first[1], /^│-?\d\.\d+┤/);
    assert.notEqual(plot(first), plot(end), "epoch 1's curve is not the last one");
  });
  if (ok) await tmux.sendKeys("q");
});

Deno.test("deno task replay of a sine run shows the Curve panel of the epoch shown", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_curve_" });
  try {
    const run = await runCli("train", ["configs/sine.yaml", "--headless", "--out", `${dir}/sine`]);
    assert.equal(run.code, 0, run.stderr);
    await using tmux = await TmuxSession.start((tmp) =>
      [
        replayCommand([`${dir}/sine`]),
        `echo "EXIT=$?" > ${shellQuote(`${tmp}/exit`)}`,
        "exec sleep 600",
      ].join("\n"), { columns: 120, rows: 40 });
    let ok = true;
    let last!: string[];
    ok = ok && await t.step("the replay opens at the run's end with its curve", async () => {
      last = await tmux.waitFor(
        "the replayed run with its curve",
        async () => curved(await tmux.capture()),
      );
      assertCurvePanel(last);
      assert.equal(last.length, 18, "the height of the boundary's place at 120×40");
      assert.equal(last[0].length, 34, "the width of the boundary's place at 120×40");
    });
    ok = ok && await t.step("Home shows epoch 1's curve", async () => {
      await tmux.sendKeys("Home");
      const first = await tmux.waitFor("rewind · epoch 1", async () => {
        const screen = await tmux.capture();
        return /rewind · epoch 1\b/.test(screen) ? curved(screen) : undefined;
      });
      assert.notEqual(plot(first), plot(last));
    });
    if (ok) await tmux.sendKeys("q");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
