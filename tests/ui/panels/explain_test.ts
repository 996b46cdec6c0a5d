// Golden frames of the explain view alone, at the size it gets inside 80×24 and 120×40 frames (with a picture of
// the input for image data where there is room).

import { renderExplain } from "../../../src/ui/panels/explain.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("explain", {
  render: renderExplain,
  slot: "explain",
  states: ["explain_xor", "explain_mnist", "explain_fashion"],
});
