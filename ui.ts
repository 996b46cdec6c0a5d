/**
 * The dashboard of termnet as pure functions: fold training events into a {@linkcode DashboardState} with
 * {@linkcode reduceDashboard} and draw it as one string with {@linkcode renderFrame}. Nothing here writes to a
 * terminal; the caller decides where the frame goes.
 *
 * @example
 * ```ts
 * import { initialDashboardState, reduceDashboard, renderFrame } from "./ui.ts";
 *
 * // events come from train() in mod.ts; here the user presses `?` before any arrive
 * const state = reduceDashboard(initialDashboardState(), { type: "toggle_help" });
 * const frame = renderFrame(state, { columns: 80, rows: 24, color: "none" });
 * console.assert(frame.split("\n").length === 24);
 * ```
 *
 * @module
 */

export {
  type DashboardInput,
  type DashboardState,
  type DashboardView,
  initialDashboardState,
  reduceDashboard,
  renderFrame,
  type RenderOptions,
  renderSummary,
  type RewindState,
  type SampledSeries,
  type UiAction,
} from "./src/ui/dashboard.ts";
export type { ExplainAction, ExplainViewState } from "./src/ui/state.ts";
export type { ColorMode } from "./src/ui/ansi.ts";
