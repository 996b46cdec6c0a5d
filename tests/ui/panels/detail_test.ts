// Golden frames of the detail panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderDetail } from "../../../src/ui/panels/detail.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("detail", { render: renderDetail, slot: "detail", states: ["xor", "mnist"] });
