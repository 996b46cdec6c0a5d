// Golden frames of the explain view alone, at the size it gets inside 80×24 and 120×40 frames (with a picture of
// the input for image data where there is room).

import { renderExplain } from "../../../src/ui/panels/explain.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("explain", {
  render: renderExplain,
  slot: "explain",
  states: ["explain_xor", "explain_mnist", "explain_fashion"],
});

Deno.test("renderExplain() keeps the sample's loss when long class names leave no room for the loss's name", async () => {
  const assert = await import("node:assert/strict");
  const { fold } = await import("../_golden.ts");
  const { mnistExplain, mnistRun } = await import("../../fixtures/ui_events.ts");
  const explain = { ...mnistExplain(), label: "Long-sleeve top", predicted: "Long-sleeve top" };
  const state = fold([
    ...mnistRun(),
    { type: "explain_toggle", open: true },
    { type: "explain_sample", sample: 1234 },
    explain,
  ]);
  const summary = renderExplain(state, { width: 80, height: 20, color: "none" })[1];
  assert.match(summary, /^│ class "Long-sleeve top" · predicted "Long-sleeve top" ✓ · loss [0-9.e-]+ +│$/);
  const wide = renderExplain(state, { width: 120, height: 20, color: "none" })[1];
  assert.match(wide, / · loss [0-9.e-]+ \(cross_entropy\) +│$/);
});
