import assert from "node:assert/strict";
import { Throughput } from "../../src/train/throughput.ts";

Deno.test("Throughput: an epoch that held a frame (ms) among microsecond epochs does not show a rate 1000× too low", () => {
  const meter = new Throughput();
  // XOR: 4 samples in 1 µs per epoch, for half a second; then one epoch that held a 3 ms turn of the event loop
  let rate = 0;
  for (let i = 0; i < 500_000; i++) rate = meter.add(4, 1e-6);
  assert.ok(Math.abs(rate - 4e6) < 1, `${rate}`);
  rate = meter.add(4, 3e-3);
  // the last epoch alone says 1,333 samples/s; over the window the rate is 4e6 · 0.5 / (0.5 + 0.003) ≈ 3.96e6
  assert.ok(rate > 3.8e6 && rate < 4e6, `${rate}`);
});

Deno.test("Throughput: a long epoch gives its own rate, and reset forgets the earlier ones", () => {
  const meter = new Throughput();
  meter.add(1000, 0.001);
  // 60,000 samples in 2 s: earlier epochs decay by e^-4
  const rate = meter.add(60_000, 2);
  assert.ok(Math.abs(rate - 30_000) / 30_000 < 0.02, `${rate}`);
  meter.reset();
  assert.equal(meter.add(500, 1), 500);
});
