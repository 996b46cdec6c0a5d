// External modules of the peer benchmark (not of the library), pinned: TensorFlow.js 4.22.0.

export * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
export { getThreadsCount, setWasmPaths } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
// Registers the "cpu" backend. Side-effect imports are pinned here like the exports above (the project keeps
// external specifiers in deps files rather than in deno.json "imports"), hence the lint exceptions.
// deno-lint-ignore no-import-prefix
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
// tfjs-core's npm entry registers no gradients and its ESM register_all_gradients does not resolve under Deno
// (extensionless imports); tfjs-layers registers them all on load.
// deno-lint-ignore no-import-prefix
import "npm:@tensorflow/tfjs-layers@4.22.0";

/** The tfjs-backend-wasm specifier, for locating its .wasm files in Deno's npm cache. */
export const TFJS_WASM_SPECIFIER = "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
