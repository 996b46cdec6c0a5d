// termnet's side of the peer benchmark: Network + FitSession over a matrix BatchSource, per backend, and
// `new Network(...)` + `net.fit` with the library's defaults, as a user would write it.

import type { Backend } from "../../src/math/backend.ts";
import { createBackend } from "../../src/math/create_backend.ts";
import { type AnyMatrix, Matrix } from "../../src/math/matrix.ts";
import { FitSession, matrixSource } from "../../src/nn/fit.ts";
import { Network } from "../../src/nn/network.ts";
import { type InitialWeights, LAYER_SIZES, type PeerResult, type Workload } from "./workload.ts";

/** A termnet configuration to measure. */
export interface TermnetVariant {
  /** Display name. */
  peer: string;
  /** Backend kind for `createBackend`, or `"defaults"`: no backend option at all, trained with `net.fit`. */
  kind: "js" | "wasm" | "defaults";
  /** Threads for the WebAssembly backend. */
  threads: number;
  /** The network's element type (default float64). */
  dtype?: "float64" | "float32";
}

/**
 * The configurations of the issues: plain kernels, WebAssembly SIMD on one and on two threads, float32 on one
 * and on two threads, and the library's defaults.
 */
export const TERMNET_VARIANTS: readonly TermnetVariant[] = [
  { peer: "termnet js", kind: "js", threads: 1 },
  { peer: "termnet wasm ×1", kind: "wasm", threads: 1 },
  { peer: "termnet wasm ×2", kind: "wasm", threads: 2 },
  { peer: "termnet float32 ×1", kind: "wasm", threads: 1, dtype: "float32" },
  { peer: "termnet float32 ×2", kind: "wasm", threads: 2, dtype: "float32" },
  { peer: "termnet, library defaults", kind: "defaults", threads: 1 },
];

/** The training data already scaled: x (count × 784) in [0, 1] and one-hot y (count × 10). */
export interface ScaledData {
  /** Images / 255. */
  x: Float64Array;
  /** One-hot labels. */
  y: Float64Array;
}

// The first `rows` samples, in the network's dtype: a float32 network gets float32 data converted before timing,
// as numpy's float32 row gets `x.astype(np.float32)` (half the bytes read per batch).
function firstRows(
  data: ScaledData,
  rows: number,
  dtype: "float64" | "float32",
): { x: AnyMatrix; y: AnyMatrix } {
  const inputs = LAYER_SIZES[0], classes = LAYER_SIZES[LAYER_SIZES.length - 1];
  const x = data.x.subarray(0, rows * inputs), y = data.y.subarray(0, rows * classes);
  return dtype === "float32"
    ? {
      x: new Matrix(rows, inputs, Float32Array.from(x)),
      y: new Matrix(rows, classes, Float32Array.from(y)),
    }
    : { x: new Matrix(rows, inputs, x), y: new Matrix(rows, classes, y) };
}

function setWeights(network: Network, initial: InitialWeights): void {
  network.layers.forEach((layer, l) => {
    layer.weights.data.set(initial.weights[l]);
    layer.biases.set(initial.biases[l]);
  });
}

async function openBackend(variant: TermnetVariant): Promise<Backend | undefined | string> {
  if (variant.kind === "defaults") return undefined;
  try {
    const backend = await createBackend({
      kind: variant.kind,
      threads: variant.threads,
      dtype: variant.dtype,
    });
    // Until the WebAssembly backend is wired, createBackend answers every kind with the plain one.
    if (variant.kind !== "js" && backend.name === "js") {
      backend.dispose();
      return `unavailable: createBackend({ kind: "wasm", threads: ${variant.threads} }) returned the "js" backend`;
    }
    return backend;
  } catch (error) {
    return `unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Measures one termnet configuration: a warm-up epoch over the first `warmup` samples, then `trials` timed epochs
 * over the first `samples`, each from the shared initial weights, batches in file order (no shuffling).
 */
export async function runTermnet(
  variant: TermnetVariant,
  options: { workload: Workload; weights: InitialWeights; data: ScaledData },
): Promise<PeerResult> {
  const { workload, weights, data } = options;
  const backend = await openBackend(variant);
  const dtype = variant.dtype ?? "float64";
  if (typeof backend === "string") return { peer: variant.peer, dtype, trials: [], note: backend };
  try {
    const network = new Network({
      input: LAYER_SIZES[0],
      hidden: LAYER_SIZES.slice(1, -1),
      output: LAYER_SIZES[LAYER_SIZES.length - 1],
      activation: "relu",
      outputActivation: "softmax",
      ...(backend === undefined ? {} : { backend }),
    });
    const fitOptions = {
      batchSize: workload.batchSize,
      learningRate: workload.learningRate,
      optimizer: "sgd" as const,
      shuffle: false,
    };
    const warm = firstRows(data, workload.warmup, dtype), timed = firstRows(data, workload.samples, dtype);
    setWeights(network, weights);
    new FitSession(network, matrixSource(warm.x, warm.y), fitOptions).runEpochSync();
    const trials: number[] = [];
    let loss: number | undefined, spent = 0;
    for (let t = 0; t < workload.trials && spent < workload.budgetSeconds; t++) {
      setWeights(network, weights);
      const started = performance.now();
      let record;
      if (backend === undefined) {
        // What a user writes: `net.fit` (which yields to the event loop now and then) on plain matrices.
        [record] = await network.fit(timed.x, timed.y, { ...fitOptions, epochs: 1 });
      } else {
        record = new FitSession(network, matrixSource(timed.x, timed.y), fitOptions).runEpochSync();
      }
      const seconds = (performance.now() - started) / 1000;
      spent += seconds;
      trials.push(record.samples / seconds);
      loss ??= record.loss;
    }
    return {
      peer: variant.peer,
      dtype,
      trials,
      loss,
      samples: workload.samples,
      note: variant.kind === "js" ? undefined : `backend "${network.backend.name}"`,
    };
  } finally {
    backend?.dispose();
  }
}
