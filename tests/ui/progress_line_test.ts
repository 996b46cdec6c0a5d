import assert from "node:assert/strict";
import type { ProgressEvent } from "../../src/train/events.ts";
import { PlainPrinter } from "../../src/ui/plain_log.ts";
import { formatEta, formatProgressLine, ProgressLine } from "../../src/ui/progress_line.ts";
import { xorEpoch, xorStart } from "../fixtures/ui_events.ts";

const ERASE = "\r\x1b[2K";

function progress(batch: number, elapsedSeconds: number, epoch = 1): ProgressEvent {
  return {
    type: "progress",
    epoch,
    epochs: 500,
    batch,
    batches: 400,
    samplesPerSecond: 12_345.6,
    elapsedSeconds,
  };
}

/** A ProgressLine on a fake terminal that records each write, with a clock the test moves. */
function fakeTerminal(columns = 80) {
  const writes: string[] = [];
  const clock = { ms: 0 };
  const line = new ProgressLine({
    write: (text) => writes.push(text),
    columns: () => columns,
    now: () => clock.ms,
  });
  return { writes, clock, line };
}

Deno.test("formatProgressLine() gives the epoch, the batch count, a bar, samples/s and the ETA", async (t) => {
  await t.step("half way", () => {
    assert.equal(
      formatProgressLine(progress(200, 10), { columns: 100, etaSeconds: 10 }),
      "epoch   1/500  200/400 [=========>..........]  12,346 samples/s  eta 0:10",
    );
  });
  await t.step("before the first batch, and without an ETA", () => {
    assert.equal(
      formatProgressLine(progress(0, 0), { columns: 100 }),
      "epoch   1/500    0/400 [....................]  12,346 samples/s",
    );
  });
  await t.step("all batches done", () => {
    assert.equal(
      formatProgressLine(progress(400, 20), { columns: 100, etaSeconds: 0 }),
      "epoch   1/500  400/400 [====================]  12,346 samples/s  eta 0:00",
    );
  });
});

Deno.test("formatProgressLine() fits a narrow terminal: a narrower bar, then none, then a cut", async (t) => {
  const full = "epoch   1/500  200/400  12,346 samples/s  eta 0:10";
  await t.step("the bar narrows to what is left of columns - 1", () => {
    const line = formatProgressLine(progress(200, 10), { columns: full.length + 12, etaSeconds: 10 });
    assert.equal(line, "epoch   1/500  200/400 [===>....]  12,346 samples/s  eta 0:10");
    assert.equal(line.length, full.length + 11);
  });
  await t.step("no bar below 5 cells", () => {
    assert.equal(formatProgressLine(progress(200, 10), { columns: full.length + 6, etaSeconds: 10 }), full);
  });
  await t.step("cut with an ellipsis, never into the last column", () => {
    const line = formatProgressLine(progress(200, 10), { columns: 20, etaSeconds: 10 });
    assert.equal(line, "epoch   1/500  200…");
    assert.equal([...line].length, 19);
  });
});

Deno.test("formatEta() gives m:ss, h:mm:ss from an hour on, rounded up", () => {
  assert.equal(formatEta(0), "0:00");
  assert.equal(formatEta(3.2), "0:04");
  assert.equal(formatEta(65), "1:05");
  assert.equal(formatEta(3600 + 62), "1:01:02");
});

Deno.test("ProgressLine draws progress in place and erases it before every log line", async (t) => {
  const { writes, clock, line } = fakeTerminal();
  const printer = new PlainPrinter({ now: () => clock.ms });
  const feed = (event: Parameters<PlainPrinter["lines"]>[0]) => line.show(event, printer.lines(event));

  await t.step("the start line is written with its newline; nothing is erased yet", () => {
    feed(xorStart());
    assert.equal(writes.length, 1);
    assert.match(writes[0], /^training xor: .*\n$/);
  });
  await t.step("progress: carriage return, erase line, the line, no newline; the ETA from 0 s", () => {
    writes.length = 0;
    feed(progress(100, 5));
    assert.deepEqual(writes, [
      `${ERASE}epoch   1/500  100/400 [====>...............]  12,346 samples/s  eta 0:15`,
    ]);
  });
  await t.step("at most one redraw every 200 ms", () => {
    writes.length = 0;
    clock.ms = 150;
    feed(progress(150, 7.5));
    assert.deepEqual(writes, []);
    clock.ms = 200;
    feed(progress(200, 10));
    assert.deepEqual(writes, [
      `${ERASE}epoch   1/500  200/400 [=========>..........]  12,346 samples/s  eta 0:10`,
    ]);
  });
  await t.step("an epoch's end: erase, then the epoch line", () => {
    writes.length = 0;
    clock.ms = 1000;
    feed(xorEpoch(1));
    assert.equal(writes.length, 2);
    assert.equal(writes[0], ERASE);
    assert.match(writes[1], /^epoch {3}1\/500 {2}loss .*\n$/);
  });
  await t.step("the next epoch's ETA counts from the end of the last one", () => {
    writes.length = 0;
    clock.ms = 1005;
    // xorEpoch(1) ended at its own elapsedSeconds; 100 batches 2 s later leave 300 batches: 6 s
    const ended = xorEpoch(1).elapsedSeconds;
    feed(progress(100, ended + 2, 2));
    assert.deepEqual(writes, [
      `${ERASE}epoch   2/500  100/400 [====>...............]  12,346 samples/s  eta 0:06`,
    ]);
  });
  await t.step("an epoch the log leaves out still erases the line", () => {
    writes.length = 0;
    clock.ms = 1010; // within the plain log's 100 ms: epoch 2 gets no line
    const lines = printer.lines(xorEpoch(2));
    assert.deepEqual(lines, []);
    line.show(xorEpoch(2), lines);
    assert.deepEqual(writes, [ERASE]);
  });
  await t.step("a notice while the line is shown: erase, then the notice", () => {
    clock.ms = 2000;
    feed(progress(10, xorEpoch(2).elapsedSeconds + 1, 3));
    writes.length = 0;
    feed({ type: "notice", message: "checkpoint soon" });
    assert.deepEqual(writes, [ERASE, "checkpoint soon\n"]);
  });
  await t.step("erase() at the end writes nothing when the line is already gone", () => {
    writes.length = 0;
    line.erase();
    assert.deepEqual(writes, []);
  });
});

Deno.test("ProgressLine leaves nothing on the line at the end of a run", () => {
  const { writes, line } = fakeTerminal();
  line.show(xorStart(), ["training xor"]);
  line.show(progress(40, 1), []);
  line.show({ type: "end", reason: "done", epoch: 0, message: "Stopped" }, ["Stopped"]);
  line.erase();
  assert.deepEqual(writes.slice(1), [
    `${ERASE}epoch   1/500   40/400 [=>..................]  12,346 samples/s  eta 0:09`,
    ERASE,
    "Stopped\n",
  ]);
});

Deno.test("ProgressLine of a resumed run shows the ETA from the epoch's second report", () => {
  const { writes, clock, line } = fakeTerminal();
  line.show({ ...xorStart(), resumedFrom: 7 }, []);
  line.show(progress(100, 50, 8), []);
  clock.ms = 500;
  line.show(progress(200, 52, 8), []);
  assert.ok(!writes[0].includes("eta"));
  assert.match(writes[1], /eta 0:04$/);
});
