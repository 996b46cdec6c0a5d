// The dashboard's drawing helpers in one import: each returns plain lines (escapes only from ansi.ts), never writes.

export { BrailleCanvas } from "./widgets/braille.ts";
export { boundaryPlot, type BoundaryPlotData, type BoundaryPlotOptions } from "./widgets/boundary_plot.ts";
export {
  type ChartSeries,
  heatStrip,
  type HeatStripOptions,
  histogramChart,
  type HistogramOptions,
  lineChart,
  type LineChartOptions,
  progressBar,
  type ProgressBarOptions,
  sparkline,
  type SparklineOptions,
} from "./widgets/chart.ts";
export {
  clamp,
  classColor,
  DIM,
  divergingColor,
  mix,
  NEGATIVE,
  NEUTRAL,
  POSITIVE,
  sequentialColor,
  shadeGlyph,
  SHADES,
} from "./widgets/colors.ts";
export { downsample, formatCount, formatDuration, formatNumber } from "./widgets/format.ts";
export {
  joinColumns,
  overlay,
  overlayCentered,
  type OverlayCenteredOptions,
  type OverlayOptions,
  panel,
  type PanelOptions,
} from "./widgets/frame.ts";
export { halfBlockImage } from "./widgets/image.ts";
export { type DiagramColumn, networkDiagram, type NetworkDiagramOptions } from "./widgets/network_diagram.ts";
