// Features: which WebAssembly extensions this runtime has (SIMD, relaxed SIMD, shared memory, workers).

import { Code, encodeModule, V128 } from "./_emitter.ts";

/** What the runtime supports, as far as the fast backend cares. */
export interface WasmFeatures {
  /** 128-bit SIMD (f64x2). */
  simd: boolean;
  /** Relaxed SIMD (`f64x2.relaxed_madd`). */
  relaxedSimd: boolean;
  /** Shared WebAssembly.Memory (needs SharedArrayBuffer). */
  sharedMemory: boolean;
  /** Web Workers, for the threaded mode. */
  workers: boolean;
}

function validates(body: (code: Code) => void): boolean {
  try {
    const code = new Code(0);
    body(code);
    return WebAssembly.validate(encodeModule([{ params: [], results: [V128], code }]));
  } catch {
    return false;
  }
}

function sharedMemoryWorks(): boolean {
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return memory.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cached: WasmFeatures | undefined;

/** Detects the features once (by validating tiny modules) and returns them. */
export function detectFeatures(): WasmFeatures {
  if (cached !== undefined) return cached;
  const hasWebAssembly = typeof WebAssembly === "object" && typeof WebAssembly.validate === "function";
  const simd = hasWebAssembly && validates((c) => c.v128Zero().v128Zero().f64x2Mul());
  const relaxedSimd = simd && validates((c) => c.v128Zero().v128Zero().v128Zero().f64x2RelaxedMadd());
  cached = {
    simd,
    relaxedSimd,
    sharedMemory: hasWebAssembly && typeof SharedArrayBuffer === "function" && sharedMemoryWorks(),
    workers: typeof Worker === "function",
  };
  return cached;
}
