// Golden frames of the output (decision boundary) panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderBoundary } from "../../../src/ui/panels/boundary.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("boundary", { render: renderBoundary, slot: "boundary", states: ["xor"] });
