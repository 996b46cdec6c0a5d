// Golden frames of the header alone, at the sizes it gets inside 80×24 and 120×40 frames.

import assert from "node:assert/strict";
import { renderHeader } from "../../../src/ui/panels/header.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("header", {
  render: renderHeader,
  slot: "header",
  states: ["waiting", "xor", "paused", "diverged", "rewind"],
  exactHeight: false,
});

Deno.test("renderHeader() shows the schedule next to the learning rate, and dropout and clipping when used", async () => {
  const { fold } = await import("../_golden.ts");
  const { xorRun } = await import("../../fixtures/ui_events.ts");
  const events = xorRun().map((event) =>
    event.type === "start"
      ? { ...event, schedule: "cosine warm-up 2", dropout: [0.2, 0.1], clipNorm: 1 }
      : event
  );
  const [, line2] = renderHeader(fold(events), { width: 160, height: 2, color: "none" });
  assert.match(line2, /lr [0-9.e-]+ cosine warm-up 2 · dropout 0\.2\/0\.1 · clip 1 · /);
  const [, plain] = renderHeader(fold(xorRun()), { width: 160, height: 2, color: "none" });
  assert.doesNotMatch(plain, /cosine|dropout|clip/);
});

Deno.test("renderHeader() writes small learning rates as the +/- notice does: 0.0005, not 5.000e-4", async () => {
  const { fold } = await import("../_golden.ts");
  const { xorRun } = await import("../../fixtures/ui_events.ts");
  const line2 = (learningRate: number) => {
    const events = xorRun().map((event) => event.type === "epoch" ? { ...event, learningRate } : event);
    return renderHeader(fold(events), { width: 120, height: 2, color: "none" })[1];
  };
  assert.match(line2(5e-4), / · lr 0\.0005 · /);
  assert.match(line2(2.5e-4), / · lr 0\.00025 · /);
  assert.match(line2(1.234e-6), / · lr 1\.234e-6 · /);
  assert.match(line2(1e-7), / · lr 1e-7 · /);
  assert.match(line2(0.002), / · lr 0\.002 · /);
});
