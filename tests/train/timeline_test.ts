// Tests of the timeline store: thinning (≤ capacity, first and latest kept, even spacing), generic packing of
// every event field, and the memory bound for the Fashion-MNIST network.

import assert from "node:assert/strict";
import { prepare } from "../../src/cli.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import type { EpochEvent, StartEvent, TrainEvent } from "../../src/train/events.ts";
import {
  PackedSkeletons,
  packValue,
  Timeline,
  TIMELINE_CAPACITY,
  TIMELINE_MEMORY_BOUND,
  unpackValue,
} from "../../src/train/timeline.ts";
import { decodeTimeline, encodeTimeline } from "../../src/train/timeline_file.ts";
import { train } from "../../src/train/trainer.ts";
import { xorEpoch, xorStart } from "../fixtures/ui_events.ts";

function lightEpoch(epoch: number): EpochEvent {
  return {
    type: "epoch",
    epoch,
    epochs: 1e9,
    trainLoss: 1 / epoch,
    learningRate: 0.1,
    samplesPerSecond: 1000,
    elapsedSeconds: epoch / 1000,
    layers: [],
  };
}

/** Checks the thinning invariants after every epoch up to `epochs`. */
function checkThinning(epochs: number, capacity = TIMELINE_CAPACITY, checkEvery = 1): void {
  const timeline = new Timeline({ capacity });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    timeline.record(lightEpoch(epoch));
    if (epoch % checkEvery !== 0 && epoch !== epochs) continue;
    const kept = timeline.epochs();
    assert.ok(kept.length <= capacity, `epoch ${epoch}: ${kept.length} snapshots kept`);
    assert.equal(kept.length, timeline.length);
    assert.equal(kept[0], 1, `epoch ${epoch}: the first epoch was dropped`);
    assert.equal(kept.at(-1), epoch, `epoch ${epoch}: the latest epoch is missing`);
    const spacing = timeline.spacing;
    assert.equal(Math.log2(spacing) % 1, 0, `spacing ${spacing} is a power of two`);
    // the grid: every snapshot but the latest sits at 1 + k·spacing, one spacing apart, none missing
    for (let i = 0; i + 1 < kept.length; i++) {
      assert.equal((kept[i] - 1) % spacing, 0, `epoch ${epoch}: snapshot ${kept[i]} is off the grid`);
      if (i + 2 < kept.length) assert.equal(kept[i + 1] - kept[i], spacing);
      else assert.ok(kept[i + 1] - kept[i] <= spacing && kept[i + 1] > kept[i]);
    }
    if (epoch <= capacity) assert.equal(kept.length, epoch, "every epoch is kept at first");
    else {
      assert.ok(kept.length > capacity / 2, `epoch ${epoch}: only ${kept.length} kept`);
      assert.ok(spacing < (2 * (epoch - 1)) / (capacity - 1), `spacing ${spacing} is wider than needed`);
    }
  }
}

Deno.test("Timeline thins to at most its capacity, keeping the first and latest epoch on an even grid", async (t) => {
  await t.step("every epoch up to 3,000 with the default capacity of 400", () => checkThinning(3000));
  await t.step("small capacities, every epoch checked", () => {
    for (const capacity of [2, 3, 4, 5, 7, 16]) checkThinning(300, capacity);
  });
  await t.step("a long run of 2,000,000 epochs", () => checkThinning(2_000_000, TIMELINE_CAPACITY, 99_991));
});

Deno.test("Timeline.record() starts over on a start event and remembers the end", () => {
  const timeline = new Timeline();
  timeline.record(xorStart());
  for (let e = 1; e <= 10; e++) timeline.record(xorEpoch(e));
  timeline.record({ type: "notice", message: "ignored" });
  timeline.record(xorStart());
  assert.equal(timeline.length, 0);
  timeline.record(xorEpoch(1));
  timeline.record({ type: "end", reason: "done", epoch: 1, message: "Finished 1 epoch" });
  assert.deepEqual(timeline.epochs(), [1]);
  assert.equal(timeline.end?.reason, "done");
  assert.equal(timeline.start?.name, "xor");
});

Deno.test("Timeline.eventAt() gives each snapshot's event, with fields later epochs left out carried forward", () => {
  const timeline = new Timeline();
  const first = xorEpoch(1);
  timeline.record(first);
  // epochs without fresh statistics leave out the boundary (and, with the pictures, the other optional fields)
  const second = { ...xorEpoch(2), boundary: undefined, samplePredictions: [3, 1, 4] };
  timeline.record(second);
  const third = { ...xorEpoch(3), boundary: undefined };
  timeline.record(third);
  const snapshot = timeline.eventAt(2);
  assert.equal(snapshot.epoch, 3);
  assert.equal(snapshot.trainLoss, third.trainLoss, "plain numbers are exact (Float64)");
  assert.deepEqual(snapshot.boundary?.values, Array.from(Float32Array.from(first.boundary!.values)));
  assert.deepEqual((snapshot as unknown as { samplePredictions: number[] }).samplePredictions, [3, 1, 4]);
  assert.deepEqual(
    snapshot.layers[0].weights,
    third.layers[0].weights!.map((row) => Array.from(Float32Array.from(row))),
    "weights of small layers are kept (in Float32)",
  );
  assert.equal(timeline.eventAt(0).epoch, 1);
  assert.equal(timeline.indexAtOrBefore(2), 1);
  assert.equal(timeline.indexAtOrBefore(0), 0);
  assert.equal(timeline.indexAtOrBefore(99), 2);
});

Deno.test("Timeline shares the numbers of snapshots whose statistics did not change; each keeps its own losses", () => {
  // as on a fast run: fresh statistics (new layers, a boundary) every 7 epochs, the same objects in between
  const events: EpochEvent[] = [];
  for (let e = 1; e <= 3000; e++) {
    const fresh = xorEpoch(1 + Math.floor((e - 1) / 7));
    const previous = events[e - 2];
    const same = (e - 1) % 7 !== 0 && previous !== undefined;
    events.push({
      ...(same ? previous : fresh),
      epoch: e,
      trainLoss: 1 / e,
      elapsedSeconds: e / 100,
      boundary: same ? undefined : fresh.boundary,
    });
  }
  const timeline = new Timeline({ capacity: 50 });
  timeline.record(xorStart());
  for (const event of events) timeline.record(event);
  const fromFile = decodeTimeline(encodeTimeline(timeline));
  for (const copy of [timeline, fromFile]) {
    for (let i = 0; i < copy.length; i++) {
      const snapshot = copy.eventAt(i);
      const event = events[snapshot.epoch - 1];
      const fresh = events[snapshot.epoch - 1 - ((snapshot.epoch - 1) % 7)];
      assert.equal(snapshot.trainLoss, 1 / snapshot.epoch);
      assert.equal(snapshot.elapsedSeconds, event.elapsedSeconds);
      assert.equal(snapshot.layers[1].gradientNorm, fresh.layers[1].gradientNorm);
      assert.deepEqual(
        snapshot.layers[0].weights,
        event.layers[0].weights!.map((row) => [...Float32Array.from(row)]),
      );
      assert.deepEqual(snapshot.boundary!.values, [...Float32Array.from(fresh.boundary!.values)]);
    }
  }
});

Deno.test("packValue() and unpackValue() keep any JSON-like value (numbers arrays in Float32)", () => {
  const skeletons = new PackedSkeletons();
  const value = {
    a: 1.5,
    big: 123456789.123,
    nan: NaN,
    inf: -Infinity,
    text: "x",
    flag: true,
    none: null,
    empty: [],
    list: [0.5, 2, 3],
    matrix: [[1, 2], [3, 4], [5, 6]],
    ragged: [[1], [2, 3]],
    mixed: [1, "a", { b: [7] }],
    nested: { "#": "not a marker", deeper: { c: 2 } },
    skipped: undefined,
  };
  const packed = packValue(value, skeletons);
  const { skipped: _, ...expected } = value;
  assert.deepEqual(unpackValue(packed, skeletons.list), expected);
  assert.equal(
    packValue({ ...value, a: 2 }, skeletons).skeleton,
    packed.skeleton,
    "same shape, same skeleton",
  );
  assert.equal(skeletons.list.length, 1);
  assert.throws(() => packValue({ f: () => 1 }, skeletons), TypeError);
});

/** A real epoch event of the Fashion-MNIST network (784-256-128-10), from one epoch of the trainer. */
async function fashionEvents(): Promise<{ start: StartEvent; epoch: EpochEvent }> {
  const path = "configs/fashion-mnist-sample.yaml";
  const { config } = await loadConfig(path, {
    overrides: ["network.hidden=[256, 128]", "train.epochs=1", "train.backend=js"],
  });
  const prepared = await prepare(config, path);
  const events: TrainEvent[] = [];
  for await (
    const event of train(prepared.network, prepared.train, {
      name: config.name,
      epochs: 1,
      batchSize: 100,
      learningRate: 0.001,
      optimizer: "adam",
      loss: "cross_entropy",
      seed: 1,
      test: prepared.test,
    })
  ) events.push(event);
  prepared.backend.dispose();
  const start = events.find((e) => e.type === "start") as StartEvent;
  const epoch = events.find((e) => e.type === "epoch") as EpochEvent;
  assert.deepEqual([start.network.input, ...start.network.layers.map((l) => l.units)], [784, 256, 128, 10]);
  return { start, epoch };
}

Deno.test("Timeline of the Fashion-MNIST network stays under TIMELINE_MEMORY_BOUND (32 MiB)", async () => {
  const { start, epoch: event } = await fashionEvents();
  // The pictures of image data come with the statistics: sample predictions, confusion, first-layer filters.
  assert.ok(event.samplePredictions && event.confusion && event.filters, "the epoch sends the pictures");
  const timeline = new Timeline();
  timeline.record(start);
  // Fresh statistics every epoch (new objects, as the trainer makes at each snapshot epoch): nothing is shared.
  for (let e = 1; e <= 5000; e++) {
    timeline.record({ ...event, epoch: e, layers: event.layers.map((layer) => ({ ...layer })) });
  }
  timeline.entries(); // packs the latest too
  const bytes = timeline.byteSize();
  const perSnapshot = bytes / timeline.length;
  assert.ok(timeline.length <= TIMELINE_CAPACITY);
  assert.ok(timeline.length > TIMELINE_CAPACITY / 2);
  // The small output layer keeps its weights; the wide ones keep the statistics the panels draw.
  const last = timeline.eventAt(timeline.length - 1);
  assert.equal(last.layers[2].weights?.length, 10);
  assert.equal(last.layers[0].weights, undefined);
  assert.equal(last.layers[0].meanActivation.length, 256);
  assert.deepEqual(last.confusion, event.confusion);
  assert.deepEqual(last.samplePredictions, event.samplePredictions);
  // Worst case: all 400 snapshots as large as these, in buffers with room to grow (byteSize counts it).
  const worst = perSnapshot * TIMELINE_CAPACITY;
  assert.ok(
    worst <= TIMELINE_MEMORY_BOUND,
    `${TIMELINE_CAPACITY} snapshots of ${Math.round(perSnapshot)} bytes: ${worst} > ${TIMELINE_MEMORY_BOUND}`,
  );
  // A snapshot's numbers: about 4 bytes per number of the event's arrays, and the buffers at most about twice them.
  const numbers = 1280 + 2 * (256 + 128 + 10) + 9 * 24 + event.filters!.weights.flat().length;
  const packed = timeline.entries().reduce(
    (sum, e) => sum + e.packed.f32.byteLength + e.packed.f64.byteLength,
    0,
  );
  assert.ok(packed / timeline.length >= 4 * numbers, `${packed / timeline.length} bytes per snapshot packed`);
  assert.ok(packed / timeline.length < 4 * numbers * 1.2 + 1000, `${packed / timeline.length} bytes packed`);
  assert.ok(bytes < 2.2 * packed + 100_000, `${bytes} bytes in all for ${packed} packed`);
});
