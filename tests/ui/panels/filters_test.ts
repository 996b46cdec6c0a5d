// Golden frames of the filters panel ("what layer 1 sees") alone, at the sizes it gets inside 80×24 (the `v` view)
// and 120×40 frames.

import { renderFilters } from "../../../src/ui/panels/filters.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("filters", { render: renderFilters, slot: "filters", states: ["fashion-filters"] });
