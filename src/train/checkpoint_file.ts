// The checkpoint file (checkpoint.bin, format version 1): the state a run needs to go on bit for bit, and back.
//
// Layout, all numbers little-endian:
//
//   offset  size  field
//   0       4     magic "TNCK"
//   4       4     u32 format version (1)
//   8       4     u32 H, the header's length in bytes
//   12      H     header, UTF-8 JSON (below)
//   …       0–7   zero bytes up to a multiple of 8
//   …             the arrays the header lists, in its order: "f64" arrays as doubles, "u32" arrays as 32-bit
//                 unsigned integers followed by zero bytes up to a multiple of 8
//   end − 4 4     u32 CRC-32 (as timeline.bin) of every byte before it
//
// The header: {"format": "termnet-checkpoint", "version": 1, "epoch": E, "train_size": N,
//   "network": {"input", "layers": [{"units", "activation"}], "dropout": [p per hidden layer]},
//   "optimizer": "sgd" | "momentum" | "adam", "optimizer_step": t, "shuffle": [4 words], "dropout_rng": [4 words] |
//   null, "scheduler": bool, "early_stop": bool, "best_epoch": e,
//   "arrays": [{"name", "type": "f64" | "u32", "length"}]}.
// The arrays: "parameter" (one per weight or bias array, in the network's order), "optimizer" (momentum's
// velocity per parameter; Adam's m then v per parameter), "order" (the sample order, u32), "best" (the weights of
// the best epoch under early stopping with restore_best) and "scalars" (f64, in the order of SCALARS). Every
// double is stored as its 8 bytes, so infinities, NaN and −0 come back exactly.

import { CheckpointFileError } from "../errors.ts";
import type { OptimizerName } from "../nn/optimizers.ts";
import { crc32 } from "./timeline_file.ts";
import type { TrainState } from "./trainer.ts";

/** The four bytes a checkpoint file starts with. */
export const CHECKPOINT_MAGIC = "TNCK";
/** The format version this code writes and reads. */
export const CHECKPOINT_VERSION = 1;
/** The file name of the checkpoint in a run folder. */
export const CHECKPOINT_FILE = "checkpoint.bin";

/** The doubles of the "scalars" array, in order. */
const SCALARS = [
  "learning_rate",
  "elapsed_seconds",
  "shuffle_spare_normal",
  "scheduler_scale",
  "scheduler_rate",
  "scheduler_best",
  "scheduler_wait",
  "early_stop_best",
  "early_stop_wait",
  "best_value",
] as const;

/** The network a checkpoint belongs to: what a config must build to resume from it. */
export interface CheckpointNetwork {
  /** Input features. */
  input: number;
  /** Every layer, the output layer last. */
  layers: { units: number; activation: string }[];
  /** The dropout rate after each hidden layer (zeros without dropout). */
  dropout: number[];
}

/** A checkpoint: the trainer's state and what it must match (the network, the optimizer, the data size). */
export interface Checkpoint {
  /** The network trained. */
  network: CheckpointNetwork;
  /** The optimizer. */
  optimizer: OptimizerName;
  /** Training samples (the length of the shuffled order). */
  trainSize: number;
  /** The state after the last completed epoch. */
  state: TrainState;
}

interface ArrayEntry {
  name: string;
  type: "f64" | "u32";
  length: number;
}

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/**
 * Encodes a checkpoint as the bytes of a checkpoint.bin (format above).
 *
 * @example
 * ```ts
 * import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint_file.ts";
 * const state = {
 *   epoch: 3, learningRate: 0.1, elapsedSeconds: 1, parameters: [new Float64Array([1, -0])],
 *   optimizer: { name: "sgd" as const, step: 0, buffers: [] }, shuffle: [1, 2, 3, 4, NaN],
 *   order: new Uint32Array([1, 0]),
 * };
 * const network = { input: 1, layers: [{ units: 1, activation: "linear" }], dropout: [] };
 * const back = decodeCheckpoint(encodeCheckpoint({ network, optimizer: "sgd", trainSize: 2, state }), "c.bin");
 * if (back.state.epoch !== 3 || !Object.is(back.state.parameters[0][1], -0)) throw new Error("not exact");
 * ```
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { state } = checkpoint;
  const arrays: { entry: ArrayEntry; data: Float64Array | Uint32Array }[] = [];
  const add = (name: string, data: Float64Array | Uint32Array) =>
    arrays.push({
      entry: { name, type: data instanceof Uint32Array ? "u32" : "f64", length: data.length },
      data,
    });
  for (const p of state.parameters) add("parameter", p);
  for (const b of state.optimizer.buffers) add("optimizer", b);
  add("order", state.order);
  for (const w of state.best?.weights ?? []) add("best", w);
  const scalars: Record<(typeof SCALARS)[number], number> = {
    learning_rate: state.learningRate,
    elapsed_seconds: state.elapsedSeconds,
    shuffle_spare_normal: state.shuffle[4],
    scheduler_scale: state.scheduler?.scale ?? NaN,
    scheduler_rate: state.scheduler?.rate ?? NaN,
    scheduler_best: state.scheduler?.best ?? NaN,
    scheduler_wait: state.scheduler?.wait ?? NaN,
    early_stop_best: state.earlyStop?.bestValue ?? NaN,
    early_stop_wait: state.earlyStop?.wait ?? NaN,
    best_value: state.best?.value ?? NaN,
  };
  add("scalars", Float64Array.from(SCALARS, (name) => scalars[name]));
  const header = new TextEncoder().encode(JSON.stringify({
    format: "termnet-checkpoint",
    version: CHECKPOINT_VERSION,
    epoch: state.epoch,
    train_size: checkpoint.trainSize,
    network: checkpoint.network,
    optimizer: checkpoint.optimizer,
    optimizer_step: state.optimizer.step,
    shuffle: state.shuffle.slice(0, 4),
    dropout_rng: state.dropout ?? null,
    scheduler: state.scheduler !== undefined,
    early_stop: state.earlyStop !== undefined,
    best_epoch: state.best?.epoch ?? 0,
    arrays: arrays.map((a) => a.entry),
  }));
  let size = padded(12 + header.length);
  for (const { entry } of arrays) size += padded(entry.length * (entry.type === "f64" ? 8 : 4));
  const bytes = new Uint8Array(size + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let at = padded(12 + header.length);
  for (const { entry, data } of arrays) {
    for (let i = 0; i < data.length; i++) {
      if (entry.type === "f64") view.setFloat64(at + 8 * i, data[i], true);
      else view.setUint32(at + 4 * i, data[i], true);
    }
    at += padded(entry.length * (entry.type === "f64" ? 8 : 4));
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/** Decodes the bytes of a checkpoint.bin; a `CheckpointFileError` naming `file` says what is wrong. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const fail = (detail: string): never => {
    throw new CheckpointFileError(`Cannot read the checkpoint: ${detail}`, { file });
  };
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 4)) !== CHECKPOINT_MAGIC) {
    fail(`not a termnet checkpoint (it does not start with "${CHECKPOINT_MAGIC}")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) fail(`format version ${version} is not supported (expected 1)`);
  if (view.getUint32(bytes.length - 4, true) !== crc32(bytes.subarray(0, bytes.length - 4))) {
    fail("the checksum does not match (the file is truncated or corrupt)");
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length - 4) fail("the header is longer than the file");
  // deno-lint-ignore no-explicit-any
  let header: any;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    fail("the header is not JSON");
  }
  const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const network = header?.network;
  if (
    header?.format !== "termnet-checkpoint" || !isCount(header.epoch) || !isCount(header.train_size) ||
    !isCount(header.optimizer_step) || !["sgd", "momentum", "adam"].includes(header.optimizer) ||
    !isCount(network?.input) || !Array.isArray(network?.layers) || !Array.isArray(network?.dropout) ||
    !network.layers.every((l: { units?: unknown; activation?: unknown }) =>
      isCount(l?.units) && typeof l?.activation === "string"
    ) || !network.dropout.every((p: unknown) => typeof p === "number") ||
    !Array.isArray(header.shuffle) || header.shuffle.length !== 4 ||
    !header.shuffle.every((w: unknown) => Number.isInteger(w)) ||
    !(header.dropout_rng === null ||
      (Array.isArray(header.dropout_rng) && header.dropout_rng.length === 4 &&
        header.dropout_rng.every((w: unknown) => Number.isInteger(w)))) ||
    !isCount(header.best_epoch) || !Array.isArray(header.arrays)
  ) {
    fail("the header is malformed");
  }
  const groups: Record<string, (Float64Array | Uint32Array)[]> = {
    parameter: [],
    optimizer: [],
    order: [],
    best: [],
    scalars: [],
  };
  let at = padded(12 + headerLength);
  for (const entry of header.arrays as ArrayEntry[]) {
    if (!(entry?.name in groups) || !["f64", "u32"].includes(entry.type) || !isCount(entry.length)) {
      fail("an array in the header is malformed");
    }
    const width = entry.type === "f64" ? 8 : 4;
    if (at + entry.length * width > bytes.length - 4) fail("the arrays are longer than the file");
    const data = entry.type === "f64" ? new Float64Array(entry.length) : new Uint32Array(entry.length);
    for (let i = 0; i < entry.length; i++) {
      data[i] = entry.type === "f64" ? view.getFloat64(at + 8 * i, true) : view.getUint32(at + 4 * i, true);
    }
    groups[entry.name].push(data);
    at += padded(entry.length * width);
  }
  const f64 = (list: (Float64Array | Uint32Array)[]) => list.filter((a) => a instanceof Float64Array);
  const order = groups.order[0], scalarArray = groups.scalars[0];
  if (
    groups.order.length !== 1 || !(order instanceof Uint32Array) || order.length !== header.train_size ||
    groups.scalars.length !== 1 || !(scalarArray instanceof Float64Array) ||
    scalarArray.length !== SCALARS.length ||
    f64(groups.parameter).length !== groups.parameter.length ||
    f64(groups.optimizer).length !== groups.optimizer.length || f64(groups.best).length !== groups.best.length
  ) {
    fail("the arrays do not match the header");
  }
  const scalar = (name: (typeof SCALARS)[number]) => scalarArray[SCALARS.indexOf(name)];
  const state: TrainState = {
    epoch: header.epoch,
    learningRate: scalar("learning_rate"),
    elapsedSeconds: scalar("elapsed_seconds"),
    parameters: groups.parameter as Float64Array[],
    optimizer: {
      name: header.optimizer,
      step: header.optimizer_step,
      buffers: groups.optimizer as Float64Array[],
    },
    shuffle: [...header.shuffle, scalar("shuffle_spare_normal")],
    order: order as Uint32Array,
  };
  if (header.dropout_rng !== null) state.dropout = header.dropout_rng;
  if (header.scheduler === true) {
    state.scheduler = {
      scale: scalar("scheduler_scale"),
      rate: scalar("scheduler_rate"),
      best: scalar("scheduler_best"),
      wait: scalar("scheduler_wait"),
    };
  }
  if (header.early_stop === true) {
    state.earlyStop = { bestValue: scalar("early_stop_best"), wait: scalar("early_stop_wait") };
    state.best = {
      epoch: header.best_epoch,
      value: scalar("best_value"),
      weights: groups.best as Float64Array[],
    };
  }
  return {
    network: { input: network.input, layers: network.layers, dropout: network.dropout },
    optimizer: header.optimizer,
    trainSize: header.train_size,
    state,
  };
}

/** What a run about to resume trains: compared with the checkpoint by `checkpointMismatch`. */
export interface ResumeTarget {
  /** The network the config builds. */
  network: CheckpointNetwork;
  /** The config's optimizer. */
  optimizer: OptimizerName;
  /** Training samples in the config's data. */
  trainSize: number;
  /** Whether the config has a schedule. */
  schedule: boolean;
}

function list(values: readonly (number | string)[]): string {
  return `[${values.join(", ")}]`;
}

/**
 * The first difference between a checkpoint and the run that would resume from it, as `key: the checkpoint has
 * X, the config Y` (the key is the config's), or undefined when they fit.
 *
 * @example
 * ```ts
 * import { checkpointMismatch } from "./checkpoint_file.ts";
 * const net = (hidden: number[]) => ({
 *   input: 2, layers: [...hidden.map((units) => ({ units, activation: "relu" })), { units: 1, activation: "sigmoid" }],
 *   dropout: hidden.map(() => 0),
 * });
 * const base = { optimizer: "sgd" as const, trainSize: 10, schedule: false };
 * const difference = checkpointMismatch({ ...base, network: net([8, 8]) }, { ...base, network: net([16]) });
 * if (difference !== "network.hidden: the checkpoint has [8, 8], the config [16]") throw new Error(difference);
 * ```
 */
export function checkpointMismatch(checkpoint: ResumeTarget, config: ResumeTarget): string | undefined {
  const differ = (key: string, saved: string, wanted: string) =>
    saved === wanted ? undefined : `${key}: the checkpoint has ${saved}, the config ${wanted}`;
  const hidden = (n: CheckpointNetwork) => n.layers.slice(0, -1);
  const output = (n: CheckpointNetwork) => n.layers[n.layers.length - 1] ?? { units: 0, activation: "none" };
  const a = checkpoint.network, b = config.network;
  return differ("network.input", String(a.input), String(b.input)) ??
    differ("network.hidden", list(hidden(a).map((l) => l.units)), list(hidden(b).map((l) => l.units))) ??
    differ(
      "network.activation",
      list(hidden(a).map((l) => l.activation)),
      list(hidden(b).map((l) => l.activation)),
    ) ??
    differ("network.output", String(output(a).units), String(output(b).units)) ??
    differ("network.output_activation", output(a).activation, output(b).activation) ??
    differ("network.dropout", list(a.dropout), list(b.dropout)) ??
    differ("train.optimizer", checkpoint.optimizer, config.optimizer) ??
    differ("train.schedule", checkpoint.schedule ? "one" : "none", config.schedule ? "one" : "none") ??
    differ("data", `${checkpoint.trainSize} training samples`, `${config.trainSize} training samples`);
}
