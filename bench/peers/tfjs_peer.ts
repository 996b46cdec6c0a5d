// TensorFlow.js peer: the same MLP step with tf.variable and tf.train.sgd(...).minimize, CPU and WASM backends.

import { getThreadsCount, setWasmPaths, tf, TFJS_WASM_SPECIFIER } from "./deps.ts";
import {
  type InitialWeights,
  LAYER_SIZES,
  type PeerResult,
  type RawSlice,
  type Workload,
} from "./workload.ts";

/** The tfjs backends measured, with their display names. */
export const TFJS_BACKENDS: readonly { peer: string; backend: "cpu" | "wasm" }[] = [
  { peer: "tfjs-cpu", backend: "cpu" },
  { peer: "tfjs-wasm", backend: "wasm" },
];

/** The folder of tfjs-backend-wasm's .wasm files inside Deno's npm cache (its entry module's folder). */
export function wasmFolder(): string {
  const entry = new URL(import.meta.resolve(TFJS_WASM_SPECIFIER));
  return new URL("./", entry).pathname;
}

let wasmPathsSet = false;

/** Batches as float32 tensors, made once before timing: x (rows × 784) scaled by 1/255 and one-hot y. */
function makeBatches(
  slice: RawSlice,
  count: number,
  batchSize: number,
): { x: tf.Tensor2D; y: tf.Tensor2D }[] {
  const inputs = LAYER_SIZES[0], classes = LAYER_SIZES[LAYER_SIZES.length - 1];
  const batches: { x: tf.Tensor2D; y: tf.Tensor2D }[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    const x = new Float32Array(rows * inputs), y = new Float32Array(rows * classes);
    for (let i = 0; i < rows * inputs; i++) x[i] = slice.images[start * inputs + i] / 255;
    for (let r = 0; r < rows; r++) y[r * classes + slice.labels[start + r]] = 1;
    batches.push({ x: tf.tensor2d(x, [rows, inputs]), y: tf.tensor2d(y, [rows, classes]) });
  }
  return batches;
}

/** Weights in the Keras layout (in × out) as float32, transposed from termnet's (out × in). */
function kernel(weights: Float64Array, inputs: number, units: number): Float32Array {
  const out = new Float32Array(inputs * units);
  for (let j = 0; j < units; j++) {
    for (let i = 0; i < inputs; i++) out[i * units + j] = weights[j * inputs + i];
  }
  return out;
}

/** One pass over the batches; returns the mean loss (each batch's, before its update, weighted by rows). */
function trainPass(
  batches: readonly { x: tf.Tensor2D; y: tf.Tensor2D }[],
  parameters: { kernels: tf.Variable[]; biases: tf.Variable[] },
  optimizer: tf.SGDOptimizer,
): { loss: number; samples: number } {
  const { kernels, biases } = parameters, variables = [...kernels, ...biases];
  let lossSum = 0, samples = 0;
  for (const { x, y } of batches) {
    const cost = optimizer.minimize(
      () => {
        // a = relu(a_prev · K + b) for the hidden layers, logits for the last, loss = mean −Σ y log softmax
        let a: tf.Tensor2D = x;
        for (let l = 0; l < kernels.length; l++) {
          const z = tf.add(tf.matMul(a, kernels[l] as tf.Tensor2D), biases[l]) as tf.Tensor2D;
          a = l < kernels.length - 1 ? tf.relu(z) : z;
        }
        return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(a)), 1))) as tf.Scalar;
      },
      true,
      variables,
    )!;
    lossSum += cost.dataSync()[0] * x.shape[0];
    samples += x.shape[0];
    cost.dispose();
  }
  return { loss: lossSum / samples, samples };
}

/** Measures one tfjs backend: warm-up, then `trials` timed passes, each from the shared initial weights. */
export async function runTfjs(
  which: { peer: string; backend: "cpu" | "wasm" },
  options: { workload: Workload; weights: InitialWeights; slice: RawSlice; samples?: number },
): Promise<PeerResult> {
  const { workload, weights, slice } = options;
  const samples = options.samples ?? workload.samples;
  tf.enableProdMode();
  try {
    if (which.backend === "wasm" && !wasmPathsSet) {
      setWasmPaths(wasmFolder());
      wasmPathsSet = true;
    }
    if (!await tf.setBackend(which.backend)) throw new Error(`tf.setBackend("${which.backend}") failed`);
    await tf.ready();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { peer: which.peer, dtype: "float32", trials: [], note: `unavailable: ${reason}` };
  }
  const warm = makeBatches(slice, workload.warmup, workload.batchSize);
  const timed = makeBatches(slice, samples, workload.batchSize);
  const kernels: tf.Variable[] = [], biases: tf.Variable[] = [];
  for (let l = 0; l + 1 < LAYER_SIZES.length; l++) {
    const inputs = LAYER_SIZES[l], units = LAYER_SIZES[l + 1];
    kernels.push(tf.variable(tf.tensor2d(kernel(weights.weights[l], inputs, units), [inputs, units])));
    biases.push(tf.variable(tf.tensor1d(Float32Array.from(weights.biases[l]))));
  }
  const reset = () => {
    for (let l = 0; l < kernels.length; l++) {
      const inputs = LAYER_SIZES[l], units = LAYER_SIZES[l + 1];
      kernels[l].assign(tf.tensor2d(kernel(weights.weights[l], inputs, units), [inputs, units]));
      biases[l].assign(tf.tensor1d(Float32Array.from(weights.biases[l])));
    }
  };
  const optimizer = tf.train.sgd(workload.learningRate);
  try {
    trainPass(warm, { kernels, biases }, optimizer);
    const trials: number[] = [];
    let loss: number | undefined, spent = 0;
    for (let t = 0; t < workload.trials && spent < workload.budgetSeconds; t++) {
      tf.tidy(reset);
      const started = performance.now();
      const pass = trainPass(timed, { kernels, biases }, optimizer);
      const seconds = (performance.now() - started) / 1000;
      spent += seconds;
      trials.push(pass.samples / seconds);
      loss ??= pass.loss;
    }
    const note = which.backend === "wasm" ? `${getThreadsCount()} thread(s)` : undefined;
    return { peer: which.peer, dtype: "float32", trials, loss, samples, note };
  } finally {
    optimizer.dispose();
    tf.dispose([
      ...kernels,
      ...biases,
      ...warm.flatMap((b) => [b.x, b.y]),
      ...timed.flatMap((b) => [b.x, b.y]),
    ]);
  }
}
