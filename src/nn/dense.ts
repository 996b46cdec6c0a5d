// Dense: one fully connected layer, a = f(a_prev · Wᵀ + b), with its backward step by the chain rule.

import type { Activation } from "../math/activations.ts";
import type { Backend } from "../math/backend.ts";
import { type AnyMatrix, type FloatArray, Matrix } from "../math/matrix.ts";

/** The per-batch buffers of a layer for one batch size (views into buffers sized for the largest batch). */
export interface BatchBuffers {
  /** z = a_prev · Wᵀ + b   (batch, units) */
  z: AnyMatrix;
  /** a = f(z)   (batch, units) */
  a: AnyMatrix;
  /** dA = ∂L/∂a   (batch, units) */
  dA: AnyMatrix;
  /** dZ = ∂L/∂z = dA ⊙ f'(z)   (batch, units) */
  dZ: AnyMatrix;
}

/**
 * A fully connected layer: `units` neurons, each connected to all `inputs` of the previous layer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dense, getActivation, jsBackend, Matrix } from "../../mod.ts";
 *
 * const layer = new Dense({ inputs: 2, units: 1, activation: getActivation("linear"), backend: jsBackend });
 * layer.weights.data.set([1, 2]); // W (1×2)
 * layer.biases[0] = 0.5;
 * const a = layer.forward(Matrix.from([[3, 4]])); // z = a_prev · Wᵀ + b
 * assert.equal(a.get(0, 0), 11.5);
 * ```
 */
export class Dense {
  /** Number of inputs (units of the previous layer, or the input size). */
  readonly inputs: number;
  /** Number of neurons. */
  readonly units: number;
  /** The activation f. */
  readonly activation: Activation;
  /** W   (units, inputs): `weights.get(i, j)` is the weight from input j to unit i, the tutorial's convention. */
  readonly weights: AnyMatrix;
  /** b   (units) */
  readonly biases: FloatArray;
  /** dW = ∂L/∂W = dZᵀ · a_prev   (units, inputs), filled by `backward`. */
  readonly dW: AnyMatrix;
  /** dB = ∂L/∂b = Σ_rows dZ   (units), filled by `backward`. */
  readonly dB: FloatArray;
  #backend: Backend;
  #capacity = 0;
  #full: BatchBuffers | undefined;
  // The views for the batch size used last, then one per batch size seen (indexed by rows); reading fields
  // instead of a Map keeps `buffers` allocation-free in the training step.
  #lastRows = -1;
  #last: BatchBuffers | undefined;
  #views: (BatchBuffers | undefined)[] = [];
  // The dZ buffer whose column sum `activationBackward` already wrote into dB, for the next `backward`.
  #dBFrom: AnyMatrix | undefined;

  /** Creates a layer with zero weights; the network initialises them. Buffers live in `backend`'s memory. */
  constructor(options: { inputs: number; units: number; activation: Activation; backend: Backend }) {
    const { inputs, units, activation, backend } = options;
    this.inputs = inputs;
    this.units = units;
    this.activation = activation;
    this.#backend = backend;
    this.weights = backend.allocate(units, inputs);
    this.biases = backend.allocate(1, units).data;
    this.dW = backend.allocate(units, inputs);
    this.dB = backend.allocate(1, units).data;
  }

  /** The buffers for a batch of `rows` samples, allocated once per size (larger batches grow the buffers). */
  buffers(rows: number): BatchBuffers {
    if (rows === this.#lastRows) return this.#last!;
    return this.#buffersFor(rows);
  }

  #buffersFor(rows: number): BatchBuffers {
    if (rows > this.#capacity) {
      const allocate = () => this.#backend.allocate(rows, this.units);
      this.#full = { z: allocate(), a: allocate(), dA: allocate(), dZ: allocate() };
      this.#capacity = rows;
      this.#views = [];
    }
    let buffers = this.#views[rows];
    if (buffers === undefined) {
      const full = this.#full!;
      const view = (m: AnyMatrix) => new Matrix(rows, this.units, m.data.subarray(0, rows * this.units));
      buffers = { z: view(full.z), a: view(full.a), dA: view(full.dA), dZ: view(full.dZ) };
      this.#views[rows] = buffers;
    }
    this.#lastRows = rows;
    this.#last = buffers;
    return buffers;
  }

  /**
   * Forward step for a batch: z = a_prev · Wᵀ + b, a = f(z). Returns `a` (batch, units), a buffer that the next
   * call with the same batch size overwrites.
   */
  forward(aPrev: AnyMatrix): AnyMatrix {
    const { z, a } = this.buffers(aPrev.rows);
    // z = a_prev · Wᵀ   (batch, inputs)·(inputs, units) → (batch, units)
    this.#backend.matmulTransposeB(z, aPrev, this.weights);
    // The backend's fused kernel, when it has one, does the next two steps bit for bit as written below.
    if (this.#backend.biasActivation?.(a, z, this.biases, this.activation.name) === true) return a;
    // z += b, broadcast over the rows
    const Z = z.data, b = this.biases, n = this.units;
    for (let r = 0; r < aPrev.rows; r++) {
      const base = r * n;
      for (let j = 0; j < n; j++) Z[base + j] += b[j];
    }
    // a = f(z)
    this.activation.forward(a, z);
    return a;
  }

  /**
   * Backward step, given dZ = ∂L/∂z already in `buffers(rows).dZ` (see `activationBackward`):
   * dW = dZᵀ · a_prev, dB = Σ_rows dZ, and, when `dAPrev` is given, dA_prev = dZ · W.
   */
  backward(aPrev: AnyMatrix, dAPrev: AnyMatrix | undefined): void {
    const { dZ } = this.buffers(aPrev.rows);
    // dW = dZᵀ · a_prev   (units, batch)·(batch, inputs) → (units, inputs)
    this.#backend.matmulTransposeA(this.dW, dZ, aPrev);
    // dB = Σ over the batch of dZ   (units); already done when `activationBackward` used a fused kernel
    if (this.#dBFrom === dZ) {
      this.#dBFrom = undefined;
    } else if (this.#backend.columnSum?.(this.dB, dZ) !== true) {
      const D = dZ.data, dB = this.dB, n = this.units;
      dB.fill(0);
      for (let r = 0; r < dZ.rows; r++) {
        const base = r * n;
        for (let j = 0; j < n; j++) dB[j] += D[base + j];
      }
    }
    // dA_prev = dZ · W   (batch, units)·(units, inputs) → (batch, inputs)
    if (dAPrev !== undefined) this.#backend.matmul(dAPrev, dZ, this.weights);
  }

  /**
   * dZ = dA ⊙ f'(z) for the batch of `rows` samples, from the buffers of the last forward step (with a fused
   * backend kernel, dB = Σ_rows dZ as well, which the next `backward` then uses).
   */
  activationBackward(rows: number): void {
    const { z, a, dA, dZ } = this.buffers(rows);
    // The backend's fused kernel, when it has one, also sums dB = Σ_rows dZ for the next `backward`.
    const backend = this.#backend;
    if (backend.activationBackwardSum?.(dZ, dA, z, a, this.dB, this.activation.name) === true) {
      this.#dBFrom = dZ;
      return;
    }
    this.#dBFrom = undefined;
    this.activation.backward(dZ, dA, z, a);
  }

  /** Number of trainable parameters: units · inputs weights plus units biases. */
  get parameterCount(): number {
    return this.units * this.inputs + this.units;
  }
}
