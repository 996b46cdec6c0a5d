// Golden frames of the footer alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderFooter } from "../../../src/ui/panels/footer.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("footer", {
  render: renderFooter,
  slot: "footer",
  states: ["xor", "paused", "diverged", "rewind"],
  exactHeight: false,
});
