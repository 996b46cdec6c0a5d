// The timeline in a real terminal (tmux): scrubbing shows earlier epochs while training goes on, p plays them
// back, and `deno task replay` opens a saved run with the same keys.

import assert from "node:assert/strict";
import { decodeTimeline } from "../../src/train/timeline_file.ts";
import { runCli } from "../cli/_run.ts";
import { replayCommand, shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** What the header says: the epoch shown, whether it is a rewind, and the live epoch while rewinding. */
interface Shown {
  /** The epoch the panels show. */
  epoch: number;
  /** True while looking back ("rewind · epoch N"). */
  rewind: boolean;
  /** True while playing back (▶▶). */
  playing: boolean;
  /** The live epoch ("live epoch M …" on the second line) while rewinding. */
  live?: number;
}

function readShown(screen: string): Shown | undefined {
  const lines = screen.split("\n");
  const first = lines.findIndex((line) => /^\s*termnet · /.test(line));
  if (first < 0) return undefined;
  const counter = /\sepoch\s+(\d+)\/\d+/.exec(lines[first].replace(/rewind · epoch \d+/, ""));
  if (counter === null) return undefined;
  const rewind = /(◀◀|▶▶) rewind · epoch (\d+)/.exec(lines[first]);
  const live = /live epoch (\d+)/.exec(lines[first + 1] ?? "");
  return {
    epoch: Number(counter[1]),
    rewind: rewind !== null,
    playing: rewind?.[1] === "▶▶",
    live: live ? Number(live[1]) : undefined,
  };
}

Deno.test("rewind in a real terminal: [ { Home End step through the snapshots while training goes on, p plays", async (t) => {
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand([
        "configs/spiral.yaml",
        "--epochs",
        "100000",
        "--set",
        "train.early_stop.patience=100000",
        "--out",
        `${dir}/run`,
      ]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n")
  );
  const shownWhere = (what: string, test: (shown: Shown) => boolean) =>
    tmux.waitFor(what, async () => {
      const shown = readShown(await tmux.capture());
      return shown !== undefined && test(shown) ? shown : undefined;
    });

  let ok = true;
  let back!: Shown;
  ok = ok && await t.step("[ shows an earlier epoch; training goes on meanwhile", async () => {
    const live = await shownWhere("the dashboard past epoch 40", (s) => s.epoch > 40 && !s.rewind);
    await tmux.sendKeys("-l", "[");
    // both header lines drawn (a capture can catch a frame half drawn)
    back = await shownWhere("rewind · epoch N", (s) => s.rewind && s.live !== undefined);
    assert.ok(back.epoch < (back.live ?? 0), `epoch ${back.epoch} shown, live ${back.live}`);
    assert.ok(back.epoch >= live.epoch - 1, `one snapshot back from ${live.epoch}: ${back.epoch}`);
    const later = await shownWhere("the live epoch to move on", (s) => (s.live ?? 0) > (back.live ?? 0));
    assert.equal(later.epoch, back.epoch, "the epoch shown stays while training goes on");
    await tmux.waitFor(
      "the loss panel's rewind title",
      async () => /Loss @ epoch \d+/.test(await tmux.capture()) || undefined,
    );
  });
  ok = ok && await t.step("{ goes ten snapshots back, Home to the first epoch", async () => {
    await tmux.sendKeys("-l", "{");
    const ten = await shownWhere("ten snapshots back", (s) => s.rewind && s.epoch < back.epoch);
    assert.ok(back.epoch - ten.epoch >= 10, `${back.epoch} → ${ten.epoch}`);
    await tmux.sendKeys("Home");
    await shownWhere("the first epoch", (s) => s.rewind && s.epoch === 1);
  });
  ok = ok && await t.step("p plays the snapshots forward; ] stops the playback", async () => {
    await tmux.sendKeys("p");
    const playing = await shownWhere("playback", (s) => s.playing && s.epoch > 5);
    const further = await shownWhere("playback to move on", (s) => s.playing && s.epoch > playing.epoch);
    await tmux.sendKeys("-l", "]");
    const stopped = await shownWhere("playback to stop", (s) => s.rewind && !s.playing);
    assert.ok(stopped.epoch > further.epoch, `${further.epoch} → ${stopped.epoch}`);
  });
  ok = ok && await t.step("End returns to live; s saves the timeline with the model; q quits", async () => {
    await tmux.sendKeys("End");
    await shownWhere("live again", (s) => !s.rewind);
    await tmux.sendKeys("s");
    const saved = await tmux.waitFor("timeline.bin after s", async () => {
      const bytes = await Deno.readFile(`${tmux.dir}/run/timeline.bin`).catch(() => undefined);
      return bytes !== undefined && bytes.length > 16 ? bytes : undefined;
    });
    const timeline = decodeTimeline(saved, { file: "timeline.bin" });
    assert.equal(timeline.end, undefined, "saved while training: no end yet");
    assert.ok(timeline.length > 40);
    await tmux.sendKeys("q");
    const exit = await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 20_000 });
    assert.equal(exit.trim(), "EXIT=0");
    assert.ok((await Deno.stat(`${tmux.dir}/run/timeline.bin`)).size > 0, "timeline.bin written at the end");
  });
});

Deno.test("deno task replay opens a saved run: the end state, then [ Home p step and play through it", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_replay_" });
  try {
    const run = await runCli("train", ["configs/xor.yaml", "--headless", "--out", `${dir}/xor`]);
    assert.equal(run.code, 0, run.stderr);
    await using tmux = await TmuxSession.start((tmp) =>
      [
        replayCommand([`${dir}/xor`]),
        `echo "EXIT=$?" > ${shellQuote(`${tmp}/exit`)}`,
        "exec sleep 600",
      ].join("\n")
    );
    const shownWhere = (what: string, test: (shown: Shown) => boolean) =>
      tmux.waitFor(what, async () => {
        const shown = readShown(await tmux.capture());
        return shown !== undefined && test(shown) ? shown : undefined;
      });
    let ok = true;
    let last!: Shown;
    ok = ok &&
      await t.step("the replay shows the run's last epoch and how it ended, without training", async () => {
        last = await tmux.waitFor("the replayed run at its end", async () => {
          const screen = await tmux.capture();
          return /reached target loss/.test(screen) ? readShown(screen) : undefined;
        });
        assert.ok(last.epoch > 1000 && !last.rewind, `epoch ${last.epoch}`);
        const screen = await tmux.capture();
        assert.match(screen, /\[ \] rewind · p play back · q quit/, "no restart without a trainer");
      });
    ok = ok && await t.step("[ steps back one snapshot, Home to epoch 1", async () => {
      await tmux.sendKeys("-l", "[");
      const back = await shownWhere("rewind", (s) => s.rewind);
      assert.ok(back.epoch < last.epoch && back.epoch > last.epoch - 64, `${last.epoch} → ${back.epoch}`);
      await tmux.sendKeys("Home");
      await shownWhere("epoch 1", (s) => s.rewind && s.epoch === 1);
    });
    ok = ok && await t.step("p plays forward at about 20 snapshots a second", async () => {
      await tmux.sendKeys("p");
      const start = await shownWhere("playback", (s) => s.playing);
      const begun = Date.now();
      const later = await shownWhere(
        "playback past 20 snapshots",
        (s) => s.playing && s.epoch > start.epoch + 20 * 16,
      );
      assert.ok(Date.now() - begun >= 500, "not faster than about 20 snapshots a second");
      assert.ok(later.epoch > start.epoch);
    });
    ok = ok && await t.step("q leaves with exit 0", async () => {
      await tmux.sendKeys("q");
      const exit = await tmux.waitForFile(`${tmux.dir}/exit`);
      assert.equal(exit.trim(), "EXIT=0");
      // the summary line may wrap: the lines are joined back first
      const screen = (await tmux.capture()).replaceAll("\n", "");
      assert.match(screen, /replayed .*timeline\.bin: \d+ snapshots of epochs 1–\d+ \(Reached/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
