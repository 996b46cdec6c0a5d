// TrainConfig: the types of the YAML config language, its keys, allowed values and defaults.
//
// YAML keys are snake_case; the TypeScript fields are the same words in camelCase (`learning_rate` →
// `learningRate`, `test_split` → `testSplit`, `class_names` → `classNames`, `output_activation` →
// `outputActivation`, `batch_size` → `batchSize`, `early_stop` → `earlyStop`, `min_delta` → `minDelta`,
// `target_loss` → `targetLoss`, `clip_norm` → `clipNorm`, `checkpoint_every` → `checkpointEvery`, `memory_limit` →
// `memoryLimit`, `restore_best` →
// `restoreBest`, `warmup_epochs` → `warmupEpochs`, `min_learning_rate` → `minLearningRate`). `stringifyConfig` maps them back.

import type { ActivationName } from "../math/activations.ts";
import type { BackendKind } from "../math/create_backend.ts";
import type { InitName } from "../math/initializers.ts";
import type { LossName } from "../math/losses.ts";
import type { DType } from "../math/matrix.ts";
import type { NormalizeKind, Task } from "../data/dataset.ts";
import type { Monitor } from "../nn/early_stop.ts";
import type { OptimizerName } from "../nn/optimizers.ts";
import type { Schedule, ScheduleName } from "../nn/schedules.ts";

/** Where the data comes from: a generator, a CSV file, IDX files or a named dataset found on this machine. */
export type DataSourceName =
  | "xor"
  | "circle"
  | "spiral"
  | "gaussian"
  | "moons"
  | "sine"
  | "csv"
  | "idx"
  | "fashion-mnist"
  | "mnist";
/** The generated sources. */
export const GENERATED_SOURCES: readonly DataSourceName[] = [
  "xor",
  "circle",
  "spiral",
  "gaussian",
  "moons",
  "sine",
];
/** The named datasets: IDX files looked up in `data.dir`, the system's dataset folder and the user's cache. */
export const NAMED_SOURCES: readonly DataSourceName[] = ["fashion-mnist", "mnist"];
/** Every data source. */
export const DATA_SOURCES: readonly DataSourceName[] = [...GENERATED_SOURCES, "csv", "idx", ...NAMED_SOURCES];

/** Input normalisation (the dataset's `NormalizeKind`); statistics come from the training split only. */
export type NormalizeName = NormalizeKind;
/** Every normalisation. */
export const NORMALIZE_NAMES: readonly NormalizeName[] = ["none", "minmax", "zscore", "scale"];

/** Hidden-layer activations: every activation but softmax. */
export type HiddenActivationName = Exclude<ActivationName, "softmax">;
/** Every hidden-layer activation. */
export const HIDDEN_ACTIVATIONS: readonly HiddenActivationName[] = [
  "sigmoid",
  "tanh",
  "relu",
  "leaky_relu",
  "linear",
];
/** Output activations: every activation, softmax included. */
export type OutputActivationName = ActivationName;
/** Every output activation. */
export const OUTPUT_ACTIVATIONS: readonly OutputActivationName[] = [...HIDDEN_ACTIVATIONS, "softmax"];

// The initialiser, optimizer, loss and backend names are defined once, beside their implementations.
export { INIT_NAMES, type InitName } from "../math/initializers.ts";
export { OPTIMIZER_NAMES, type OptimizerName } from "../nn/optimizers.ts";
export { LOSS_NAMES, type LossName } from "../math/losses.ts";
export type { BackendKind } from "../math/create_backend.ts";

/** Every math backend a config may name (`train.backend`). */
export const BACKEND_NAMES: readonly BackendKind[] = ["auto", "js", "wasm"];

/** Every number type a config may name (`train.dtype`). */
export const DTYPE_NAMES: readonly DType[] = ["float64", "float32"];

/** What early stopping watches in a config: the library's monitors but the training accuracy. */
export type MonitorName = Exclude<Monitor, "accuracy">;
/** Every monitor. */
export const MONITOR_NAMES: readonly MonitorName[] = ["loss", "val_loss", "val_accuracy"];

/** Forced task of a CSV target (the dataset's `Task`). */
export type TaskName = Task;
/** Every task. */
export const TASK_NAMES: readonly TaskName[] = ["classification", "regression"];

/** An explicit test source (`data.test`), of the same kind as the training source. */
export interface TestSourceConfig {
  /** csv: the test file. */
  readonly path?: string;
  /** idx: the test images file. */
  readonly images?: string;
  /** idx: the test labels file. */
  readonly labels?: string;
  /** Generated sources: test sample count (default: the training count). */
  readonly samples?: number;
  /** Generated sources: test noise (default: the training noise). */
  readonly noise?: number;
  /** Cap on the number of test samples (the first `limit` rows). */
  readonly limit?: number;
}

/** The `data:` section. */
export interface DataConfig {
  /** The source kind. */
  readonly source: DataSourceName;
  /** Generated sources: sample count (generator default 400; XOR without samples/noise is its 4 points). */
  readonly samples?: number;
  /** Generated sources: noise level (generator default). */
  readonly noise?: number;
  /** csv: file path, relative to the config file's folder. */
  readonly path?: string;
  /** csv: target column. */
  readonly target?: string;
  /** csv: feature columns (default: all but the target). */
  readonly features?: readonly string[];
  /** csv/idx: class names in index order (csv default: sorted distinct values; idx: Fashion-MNIST or digits). */
  readonly classNames?: readonly string[];
  /** csv: force the task (default: numbers → regression, strings → classification). */
  readonly task?: TaskName;
  /** idx: images file. */
  readonly images?: string;
  /** idx: labels file. */
  readonly labels?: string;
  /**
   * Named sources: the folder to look in first (relative to the config file's folder), before the system's
   * dataset folder and the user's cache.
   */
  readonly dir?: string;
  /** Cap on the number of training-source samples (the first `limit`), applied before `testSplit`. */
  readonly limit?: number;
  /**
   * Held-out fraction in [0, 1); default 0 (no test set unless `test` is given; named sources use their t10k
   * files as the test set unless this is above 0).
   */
  readonly testSplit: number;
  /** An explicit test source of the same kind (named sources: only `limit`, applied to the t10k files). */
  readonly test?: TestSourceConfig;
  /** Input normalisation; default `none`. */
  readonly normalize: NormalizeName;
  /** Divisor for `normalize: scale`; default 255 (only set with that normalisation). */
  readonly scale?: number;
  /**
   * csv: the features are the pixels of `[height, width]` grey images, row by row (IDX files carry their own
   * size); `height × width` must equal the number of features. The dashboard then draws the data as pictures.
   */
  readonly image?: readonly [number, number];
}

/** One hidden layer. */
export interface LayerConfig {
  /** Number of units. */
  readonly units: number;
  /** Activation (default: `network.activation`). */
  readonly activation: HiddenActivationName;
}

/** The `network:` section. */
export interface NetworkConfig {
  /** Input size; inferred from the data, checked when given. */
  readonly input?: number;
  /** Hidden layers (a list of sizes or of `{ units, activation }`); default `[16]`. */
  readonly hidden: readonly LayerConfig[];
  /** Output units; inferred from the data when omitted. */
  readonly output?: number;
  /** Hidden activation; default `relu`. */
  readonly activation: HiddenActivationName;
  /** Output activation; inferred from the task when omitted. */
  readonly outputActivation?: OutputActivationName;
  /** Initialiser; default `he` for relu/leaky_relu hidden layers, `xavier` otherwise. */
  readonly init: InitName;
  /**
   * Inverted dropout after each hidden layer during training, one rate per hidden layer (`dropout: 0.2` in the
   * YAML gives every hidden layer 0.2); omitted when there is none.
   */
  readonly dropout?: readonly number[];
}

/** `train.early_stop`. */
export interface EarlyStopConfig {
  /** What to watch; default `val_loss` when there is a test set, else `loss`. */
  readonly monitor: MonitorName;
  /** Epochs without improvement before stopping; default 20. */
  readonly patience: number;
  /** Smallest change that counts as an improvement; default 0. */
  readonly minDelta: number;
  /** Save the weights of the best epoch instead of the last; default true. */
  readonly restoreBest: boolean;
}

/** The `train:` section. */
export interface TrainSection {
  /** Passes over the training set; default 100. */
  readonly epochs: number;
  /** Samples per batch; omitted means the whole training set (full batch). */
  readonly batchSize?: number;
  /** Step size; default 0.01 (sgd, momentum) or 0.001 (adam). */
  readonly learningRate: number;
  /** Optimizer; default `sgd`. */
  readonly optimizer: OptimizerName;
  /** Momentum μ (optimizer momentum only); default 0.9. */
  readonly momentum: number;
  /** Nesterov momentum (optimizer momentum only); default false. */
  readonly nesterov: boolean;
  /** L2 weight decay; default 0. */
  readonly l2: number;
  /** Loss; inferred from the output activation when omitted (see `resolveNetworkShape`). */
  readonly loss?: LossName;
  /** Shuffle every epoch; default true. */
  readonly shuffle: boolean;
  /** Early stopping, when given. */
  readonly earlyStop?: EarlyStopConfig;
  /** Stop once the training loss is at most this, when given. */
  readonly targetLoss?: number;
  /** Math backend; default `auto`. */
  readonly backend: BackendKind;
  /** Worker threads for the wasm backend, 1 or 2; default 1. */
  readonly threads: 1 | 2;
  /** float64 (default, the reference) or float32 (parameters, activations and gradients in float32). */
  readonly dtype: DType;
  /**
   * The learning-rate schedule, when given (`schedule: cosine` or `schedule: { type: cosine, warmup_epochs: 2 }`);
   * `plateau` watches the test loss when there is a test set, else the training loss.
   */
  readonly schedule?: Schedule;
  /** Clip the gradient by global norm to at most this, when given. */
  readonly clipNorm?: number;
  /** Write the run folder with a checkpoint (checkpoint.bin) every this many epochs, when given. */
  readonly checkpointEvery?: number;
  /**
   * The most memory a run may need, in bytes, as estimated from the config before anything is allocated
   * (parameters with their gradients, optimizer state and copies, activations of a batch, the data); default
   * `DEFAULT_MEMORY_LIMIT` (4 GiB). Written as a number of bytes or with a unit: `16GiB`, `512MiB`, `2GB`.
   */
  readonly memoryLimit?: number;
}

/** The default `train.memory_limit`: 4 GiB. */
export const DEFAULT_MEMORY_LIMIT: number = 4 * 1024 ** 3;

/** The `output:` section. */
export interface OutputConfig {
  /** Run folder, relative to the working directory; default `runs/<name>`. */
  readonly dir: string;
}

/** A resolved training configuration: every default filled in, every value checked. */
export interface TrainConfig {
  /** Run name; default the config file's name without extension (or `run`). */
  readonly name: string;
  /** Seed for data generation, splitting, shuffling and initialisation; default 42. */
  readonly seed: number;
  /** The data section. */
  readonly data: DataConfig;
  /** The network section. */
  readonly network: NetworkConfig;
  /** The training section. */
  readonly train: TrainSection;
  /** The output section. */
  readonly output: OutputConfig;
}

/** Default seed. */
export const DEFAULT_SEED = 42;
/** Default epochs. */
export const DEFAULT_EPOCHS = 100;
/** Default hidden layer sizes. */
export const DEFAULT_HIDDEN: readonly number[] = [16];
/** Default early-stopping patience. */
export const DEFAULT_PATIENCE = 20;
/** Largest accepted layer width, sample count and similar sizes. */
export const MAX_SIZE = 100_000_000;

/**
 * The keys each mapping accepts, by YAML path (`network.hidden[]` is one hidden layer written as a mapping).
 * Used for unknown-key errors and to check `--set` paths.
 */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": ["name", "seed", "data", "network", "train", "output"],
  data: [
    "source",
    "samples",
    "noise",
    "path",
    "target",
    "features",
    "class_names",
    "task",
    "images",
    "labels",
    "dir",
    "limit",
    "test_split",
    "test",
    "normalize",
    "scale",
    "image",
  ],
  "data.test": ["path", "images", "labels", "samples", "noise", "limit"],
  network: ["input", "hidden", "output", "activation", "output_activation", "init", "dropout"],
  "network.hidden[]": ["units", "activation"],
  train: [
    "epochs",
    "batch_size",
    "learning_rate",
    "optimizer",
    "momentum",
    "nesterov",
    "l2",
    "loss",
    "shuffle",
    "early_stop",
    "target_loss",
    "backend",
    "threads",
    "dtype",
    "schedule",
    "clip_norm",
    "checkpoint_every",
    "memory_limit",
  ],
  "train.early_stop": ["monitor", "patience", "min_delta", "restore_best"],
  "train.schedule": ["type", "every", "factor", "gamma", "warmup_epochs", "min_learning_rate", "patience"],
  output: ["dir"],
};

/** The keys of each schedule type under `train.schedule` (besides `type`), with their defaults. */
export const SCHEDULE_KEYS: Readonly<Record<ScheduleName, Readonly<Record<string, number>>>> = {
  step: { every: 10, factor: 0.5 },
  exponential: { gamma: 0.95 },
  cosine: { warmup_epochs: 0, min_learning_rate: 0 },
  plateau: { patience: 5, factor: 0.5, min_learning_rate: 0 },
};

/** The default learning rate of an optimizer (the same as the engine's). */
export function defaultLearningRate(optimizer: OptimizerName): number {
  return optimizer === "adam" ? 0.001 : 0.01;
}
