// Golden frames of the explain view alone, at the size it gets inside 80×24 and 120×40 frames.

import { renderExplain } from "../../../src/ui/panels/explain.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("explain", { render: renderExplain, slot: "explain", states: ["explain_xor", "explain_mnist"] });
