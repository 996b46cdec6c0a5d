import assert from "node:assert/strict";
import { formatEpochLine, jsonRecord, PlainPrinter } from "../../src/ui/plain_log.ts";
import { sineRun, xorEarlyStopEnd, xorEpoch, xorStart } from "../fixtures/ui_events.ts";

Deno.test("PlainPrinter ends with the kept epoch's figures when early stopping restored one", () => {
  const printer = new PlainPrinter({ now: () => 0 });
  printer.lines(xorEpoch(1));
  const end = xorEarlyStopEnd();
  const lines = printer.lines(end);
  assert.equal(lines.at(-2), end.message);
  assert.equal(lines.at(-1), "kept epoch 30:  loss 0.04560  acc 0.9950  test_loss 0.01230  test_acc 1.0000");
});

Deno.test("PlainPrinter ends with the message alone when the last epoch's weights are kept", () => {
  const printer = new PlainPrinter({ now: () => 0 });
  printer.lines(xorEpoch(1));
  const lines = printer.lines({ type: "end", reason: "done", epoch: 1, message: "Finished 1 epoch" });
  assert.deepEqual(lines, ["Finished 1 epoch"]);
});

Deno.test("PlainPrinter prints no plain line for progress within an epoch, and a snake_case --json record", () => {
  const progress = {
    type: "progress" as const,
    epoch: 3,
    epochs: 22,
    batch: 312,
    batches: 469,
    samplesPerSecond: 31012.6,
    elapsedSeconds: 12.34567,
  };
  assert.deepEqual(new PlainPrinter({ now: () => 0 }).lines(progress), []);
  assert.deepEqual(new PlainPrinter({ json: true }).lines(progress), [
    '{"type":"progress","epoch":3,"epochs":22,"batch":312,"batches":469,"samples_per_second":31013,"elapsed_seconds":12.346}',
  ]);
});

Deno.test("jsonRecord() leaves the plotted points of both views out of the start record, and the curve out of epochs", () => {
  const [start, , , third] = sineRun(3);
  const record = jsonRecord(start);
  assert.equal(record.curvePoints, undefined);
  assert.equal(record.name, "sine");
  assert.equal(jsonRecord(xorStart()).points, undefined);
  assert.ok(third.type === "epoch" && third.curve !== undefined);
  assert.equal(jsonRecord(third).curve, undefined);
});

Deno.test("formatEpochLine() writes the learning rate as the dashboard does (0.0005, 7.937e-5), not 5.000e-4", () => {
  assert.match(formatEpochLine({ ...xorEpoch(1), learningRate: 0.0005 }), / lr 0\.0005 /);
  assert.match(formatEpochLine({ ...xorEpoch(1), learningRate: 7.937e-5 }), / lr 7\.937e-5 /);
  assert.match(formatEpochLine({ ...xorEpoch(1), learningRate: 0.002 }), / lr 0\.002 /);
});
