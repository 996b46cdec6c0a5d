// Golden frames of the header alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderHeader } from "../../../src/ui/panels/header.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("header", {
  render: renderHeader,
  slot: "header",
  states: ["waiting", "xor", "paused", "diverged", "rewind"],
  exactHeight: false,
});
