// Picks the math backend: the plain TypeScript kernels, or WebAssembly SIMD (one or two threads) where available.

export {
  type BackendKind,
  type BackendOptions as CreateBackendOptions,
  createBackend,
  defaultBackend,
  type DefaultBackendOptions,
  type WasmBackend,
  type WasmBackendOptions,
} from "./wasm/backend_wasm.ts";
