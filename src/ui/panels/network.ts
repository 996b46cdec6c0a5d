// The network panel: the layers as columns of neurons, joined by weight-coloured links when small enough.

import type { LayerStats } from "../../train/events.ts";
import type { DashboardState } from "../state.ts";
import { panel } from "../widgets/frame.ts";
import { type DiagramColumn, networkDiagram } from "../widgets/network_diagram.ts";
import type { PanelSize } from "./_common.ts";

function activationScale(layer: LayerStats): number[] {
  const values = layer.meanActivation;
  const name = layer.activation.toLowerCase();
  if (name === "sigmoid" || name === "softmax") return values.map((v) => v);
  if (name === "tanh") return values.map((v) => (v + 1) / 2);
  const low = Math.min(0, ...values);
  const high = Math.max(...values);
  return values.map((v) => (high - low > 0 ? (v - low) / (high - low) : 0));
}

/** Renders the network panel, with the selected layer highlighted. */
export function renderNetwork(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const run = state.run;
  const layers = state.latest?.layers;
  if (!run) return panel("Network", [], { width, height, color });
  const columns: DiagramColumn[] = [
    { label: `in ${run.network.input}`, sublabel: "input", units: run.network.input },
    ...run.network.layers.map((layer, i): DiagramColumn => ({
      label: `${i === run.network.layers.length - 1 ? "out" : `L${i + 1}`} ${layer.units}`,
      sublabel: layer.activation,
      units: layer.units,
      values: layers?.[i] ? activationScale(layers[i]) : undefined,
      weights: layers?.[i]?.weights,
    })),
  ];
  const shape = [run.network.input, ...run.network.layers.map((l) => l.units)].join("-");
  const diagram = networkDiagram(columns, {
    width: width - 2,
    height: height - 2,
    color,
    selected: state.selectedLayer + 1,
  });
  return panel(`Network ${shape}`, diagram, { width, height, color });
}
