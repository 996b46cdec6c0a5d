// The command line: parse arguments, wire config → data → network → trainer → printer or dashboard, print errors.

import { basename, isAbsolute, join, normalize, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "./_atomic_write.ts";
import { currentProgramName } from "./_program_name.ts";
import { dirnameOf, loadConfig } from "./config/load_config.ts";
import { checkMemory, estimateMemory, generatedShape } from "./config/memory.ts";
import { resolveNetworkShape } from "./config/resolve.ts";
import { configLocation, outputDirWritten, stringifyConfig, suggest } from "./config/parse_config.ts";
import { DEFAULT_MEMORY_LIMIT, type TrainConfig } from "./config/schema.ts";
import { applyPreprocessing, type Dataset, type Preprocessing } from "./data/dataset.ts";
import { fetchDataset, type FetchEvent } from "./data/fetch.ts";
import { loadDataset, MAX_CSV_BYTES } from "./data/load.ts";
import { datasetCacheDir, NAMED_DATASET_NAMES, NAMED_DATASETS, type NamedDatasetName } from "./data/named.ts";
import { readAllCapped, readFileCapped, TooLargeError } from "./_read_capped.ts";
import {
  CheckpointFileError,
  ConfigError,
  DataError,
  DatasetNotFoundError,
  ModelFileError,
  ParseError,
  quoteValue,
  shortenQuotedValues,
  TimelineFileError,
  UserFileError,
} from "./errors.ts";
import { modelToOnnx, ONNX_INPUT_NAME, ONNX_OPSET } from "./export/onnx.ts";
import { modelToTypeScript } from "./export/typescript.ts";
import type { Backend } from "./math/backend.ts";
import { getLoss, LOSS_NAMES, type LossName } from "./math/losses.ts";
import { Matrix } from "./math/matrix.ts";
import { Rng } from "./math/random.ts";
import { BACKEND_ENV_VARIABLE } from "./math/wasm/backend_wasm.ts";
import { explainSample } from "./nn/explain.ts";
import { gradientCheck } from "./nn/gradcheck.ts";
import { Network } from "./nn/network.ts";
import { loadModel, type ModelJson, networkFromJson, networkToJson } from "./nn/serialize.ts";
import { evaluate } from "./train/evaluate.ts";
import type { EpochEvent, StartEvent, TrainEvent } from "./train/events.ts";
import { explainEvent, explainTrainingSample } from "./train/explain_event.ts";
import { RunFiles, RunFolderError, RunSaveError } from "./train/run_files.ts";
import {
  type Checkpoint,
  CHECKPOINT_FILE,
  checkpointMismatch,
  decodeCheckpoint,
  encodeCheckpoint,
  type ResumeTarget,
} from "./train/checkpoint_file.ts";
import { Timeline, timelineSpacing } from "./train/timeline.ts";
import { decodeTimeline, TIMELINE_FILE } from "./train/timeline_file.ts";
import { train, TrainController, type TrainState } from "./train/trainer.ts";
import { explainText } from "./ui/explain_text.ts";
import { epochMetrics, formatEpochLine, PlainPrinter } from "./ui/plain_log.ts";
import { CLEAR_LINE, escapeControl } from "./ui/ansi.ts";
import { fetchProgressLine, formatBytes } from "./ui/fetch_progress.ts";
import { runDashboard } from "./ui/run_dashboard.ts";

/** Exit codes: 0 ok, 1 runtime failure, 2 usage, config or data error (bad input), 130 interrupted. */
const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

class UsageError extends Error {}

// Usage lines say `deno task <command>` here and are rewritten for the way the CLI was started (`termnet train …`
// when compiled or installed; see src/_program_name.ts).
const HELP: Record<string, string> = withProgramName(currentProgramName(), {
  main: `termnet — train and watch neural networks in the terminal

Usage: deno task <command> [arguments]

Commands:
  train <config.yaml>       train a network described by a YAML config (dashboard on a terminal)
  evaluate <model.json>     loss, accuracy and confusion matrix on the test split
  predict <model.json>      predictions for --input or CSV rows on stdin
  validate <config.yaml>…   check configs without training
  gradcheck <config.yaml>   backpropagation vs finite differences, per layer
  inspect <model.json>      the model's layers and parameters
  explain <model.json>      the forward and backward pass of one input, every number with its formula
  replay <run folder>       the dashboard of a finished run, from its timeline.bin, without training
  export <model.json>       the model as an ONNX file (--onnx) or a dependency-free TypeScript module (--ts)
  fetch <dataset>           download fashion-mnist or mnist into the user's cache, checking SHA-256

Run a command with --help for its options. Exit codes: 0 ok, 1 failure, 2 usage, config or data error,
130 interrupted.`,
  train: `Usage: deno task train <config.yaml> [options]

Options:
  --epochs N         override train.epochs
  --seed N           override seed
  --set key=value    override any config key (repeatable), e.g. --set train.learning_rate=0.1
  --out DIR          override output.dir (the run folder)
  --pace N           train at most N epochs per second (decimals allowed, e.g. 0.5); < > = change it live
  --resume DIR       go on from DIR/checkpoint.bin (a run folder, or the checkpoint's path) up to train.epochs
                     (or --epochs); the config must build the same network (without a config: DIR/config.yaml);
                     metrics.jsonl and timeline.bin are continued
  --exit-on-end      close the dashboard when training ends (on a terminal it stays open until q otherwise)
  --headless         one plain line per epoch instead of the dashboard
  --json             one JSON object per line, each with a "type": start, epoch, end, saved, ... (implies
                     --headless); gradient_norms only on epochs where they were measured
  --debug            show stack traces of errors

On a terminal the dashboard stays after training ends (q leaves, r trains again from the same seed).
The run folder receives model.json, config.yaml, checkpoint.bin (the state to --resume from) and timeline.bin
(snapshots for the dashboard's rewind and for replay), each written atomically, and metrics.jsonl, appended line
by line. They are written at the end, on s in the dashboard and every train.checkpoint_every epochs.`,
  evaluate: `Usage: deno task evaluate <model.json> [--config FILE]

Loads the model and the data of its config (or --config), recreates the test split from the seed and prints the
loss, the accuracy and a confusion matrix for classifiers.`,
  predict: `Usage: deno task predict <model.json> [--input "5.1,3.5,1.4,0.2"]

Without --input, reads CSV rows from stdin. A first row that names the model's features is a header and is
skipped (for a model without feature names: a first row with no number in it); any other row that is not all
numbers is an error naming its line. Prints one prediction per line: the class
name and its probability for classifiers, the outputs for regression. The model's preprocessing is applied.`,
  validate: `Usage: deno task validate <config.yaml>… [--set key=value]

Checks each config (syntax, keys, types, ranges, combinations) without loading data or training.`,
  gradcheck: `Usage: deno task gradcheck <config.yaml> [--set key=value] [--samples N]

Builds the config's network, takes a small batch of its data and compares backpropagation's gradients with
central finite differences; prints the largest relative and absolute error per layer. Exit 1 when a layer
exceeds both 1e-6 relative and 1e-9 absolute (the rounding floor of finite differences).`,
  explain: `Usage: deno task explain <model.json> --input "0,1" [--target 1] [--json]

Runs one input through the model (its preprocessing applied) and prints, layer by layer, z = W·a + b and
a = f(z) with their shapes. With --target it adds the loss of that one sample (the model's training loss:
its config's train.loss, else cross_entropy after softmax, binary_cross_entropy after sigmoid for a classifier,
mse otherwise) and the backward pass: δ = ∂L/∂z, ∂W = δ·aᵀ (units × inputs) and ∂b = δ for every layer.

Options:
  --input "x1,x2,…"   the raw features, comma-separated (required)
  --target T          the expected output: for a classifier a class name or a 0-based class index (a name
                      wins when both match; encoded one-hot, or 0/1 for one sigmoid unit), otherwise the
                      comma-separated output values
  --json              print one JSON object: {"input", "layers": [{"z", "a", "delta", "dW", "db"}], "output",
                      "loss"}; input is after preprocessing, dW is units × inputs, delta is ∂L/∂z; without
                      --target only input, layers[].z, layers[].a and output

Layers of more than 16 units or 32 inputs show norms and their largest units instead of every number.`,
  replay: `Usage: deno task replay <run folder | timeline.bin> [--headless]

Opens the dashboard on a run's saved timeline (runs/<name>/timeline.bin), without training: [ and ] step one
snapshot back and forward, { and } ten, Home and End go to the first and latest, p plays the timeline back and q
quits. --headless (or output that is not a terminal) prints one line per snapshot instead. A missing or corrupt
timeline is an error with exit code 2.`,
  export: `Usage: deno task export <model.json> [--onnx out.onnx] [--ts out.ts] [--float64]

Writes the model, its preprocessing included, so that it runs without termnet (each file atomically):
  --onnx FILE   an ONNX model (opset 13): input "input" of shape [N, features], output "output" of shape
                [N, outputs]; Gemm per layer, Sigmoid/Tanh/Relu/LeakyRelu/Identity, Softmax on the output where
                used, the preprocessing as Sub and Mul; float32 tensors (--float64 for double)
  --ts FILE     one TypeScript module with no imports: predict(input: readonly number[]): number[] on raw
                features, bit-identical to termnet's predict, and classNames and classify() for classifiers
At least one of --onnx and --ts is required.`,
  fetch: `Usage: deno task fetch <fashion-mnist | mnist> [--mirror URL] [--dir DIR]

Downloads the dataset's four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz and the t10k
pair) from their canonical address into the user's cache, where configs with "source: <dataset>" find them,
and checks each file's SHA-256. A broken transfer is resumed (HTTP Range) or retried; until a file is complete
and checked it is only <name>.part. Files already there with the right checksum are kept.

Options:
  --mirror URL   fetch the same file names from another base URL (a mirror or a proxy)
  --dir DIR      download into DIR instead of the cache ($XDG_CACHE_HOME/termnet/<dataset>, ~/.cache/…,
                 ~/Library/Caches/termnet/… on macOS, %LOCALAPPDATA%\\termnet\\… on Windows)`,
  inspect: `Usage: deno task inspect <model.json>

Prints the model's layers, parameter counts, classes, preprocessing and final metrics.`,
});

/** The help texts with `deno task` in their usage lines replaced by `program` (`termnet` when installed). */
function withProgramName(program: string, help: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(help).map((
      [name, text],
    ) => [name, text.replace(/^Usage: deno task /gm, `Usage: ${program} `)]),
  );
}

// The rule for text from files: every line the CLI writes passes through escapeControl (src/ui/ansi.ts), which
// turns control characters into visible escapes; strings from files that are printed inside a line (class names,
// feature names) are escaped one by one first, so a newline in them cannot start a new line either.

/** Prints text to stdout, each line with its control characters escaped. */
function print(text: string): void {
  console.log(text.split("\n").map(escapeControl).join("\n"));
}

/**
 * Prints one error line to stderr: control characters in the message (a newline from a file) are escaped and
 * quoted values longer than 60 characters are cut with "…".
 */
function printError(message: string): void {
  console.error(`error: ${shortenQuotedValues(escapeControl(message))}`);
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: OptionSpec): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { help: { type: "boolean" }, debug: { type: "boolean" }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, " "));
  }
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new UsageError(`--${name} expects an integer, got "${value}"`);
  return parsed;
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

const NOTHING = new Uint8Array(0);

/**
 * Gives the event loop a turn (keys, signals, timers) through an I/O operation that completes at once, a
 * zero-length write: about 20 µs, where a zero-delay timer costs 2–4 ms (the trainer yields every 3 ms). Two
 * turns: a key read during the first is handed on through a few promise reactions (the key stream, the key loop,
 * the command), which all run before the second ends, so the trainer sees the command at its very next batch.
 */
async function turnOfTheEventLoop(): Promise<void> {
  await Deno.stdout.write(NOTHING);
  await Deno.stdout.write(NOTHING);
}

function paceOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !(parsed > 0) || !Number.isFinite(parsed)) {
    throw new UsageError(`--pace expects a positive number of epochs per second, got "${value}"`);
  }
  return parsed;
}

async function readConfig(path: string, overrides: string[]): Promise<TrainConfig> {
  return (await loadConfig(path, { overrides })).config;
}

/** A run ready to train: the config, its data (targets encoded for the network), the network and its backend. */
export interface Prepared {
  /** The config, with defaults filled in. */
  config: TrainConfig;
  /** The training set, preprocessed. */
  train: Dataset;
  /** The held-out set, when the config has one (`data.test` or `data.test_split`). */
  test?: Dataset;
  /** The network built from `config.network` and the data's shape. */
  network: Network;
  /** The math backend the network runs on. */
  backend: Backend;
  /** The loss name (`train.loss` or the default for the output activation). */
  loss: string;
}

/**
 * A data file's error with the config key that named the file and where that key is written, so the one line
 * says both what is wrong in the data file and how the config led there:
 * `data/x.csv:7: column "a": expected a number, got "abc" (data.path in configs/x.yaml:5:9)`.
 */
// Data errors that are bad input (a missing or malformed data file, malformed predict rows) exit 2 like a bad
// config; other data errors (a failed download) are runtime failures, exit 1.
const BAD_INPUT = new WeakSet<DataError>();

/** Marks a data error as bad input (exit 2) and returns it. */
function badInput(error: DataError): DataError {
  BAD_INPUT.add(error);
  return error;
}

function withConfigKey(error: DataError, config: TrainConfig, configPath: string): DataError {
  const baseDir = dirnameOf(configPath);
  const keys: [string, string | undefined][] = [
    ["data.path", config.data.path],
    ["data.images", config.data.images],
    ["data.labels", config.data.labels],
    ["data.test.path", config.data.test?.path],
    ["data.test.images", config.data.test?.images],
    ["data.test.labels", config.data.test?.labels],
  ];
  const shown = (path: string) => normalize(isAbsolute(path) ? path : `${baseDir}/${path}`);
  const key = error.path ?? keys.find(([, path]) => path !== undefined && shown(path) === error.file)?.[0] ??
    "data";
  const where = configLocation(config.data, key);
  if (where.file === error.file) return error; // the error already points into the config
  const place = where.file === undefined
    ? configPath
    : `${where.file}${where.line === undefined ? "" : `:${where.line}:${where.column}`}`;
  const detail = error.path !== undefined
    ? `${error.detail} (set in ${place})`
    : `${error.detail} (${key} in ${place})`;
  return new DataError(detail, {
    file: error.file,
    line: error.line,
    column: error.column,
    path: error.path,
  });
}

/**
 * Loads a config's data and builds its network on its backend, exactly as `train` does (also used by the
 * benchmarks). `backend.dispose()` stops its worker threads early (they also stop by themselves when idle).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../mod.ts";
 * import { prepare } from "./cli.ts";
 *
 * const { config } = await loadConfig("configs/xor.yaml");
 * const run = await prepare(config, "configs/xor.yaml");
 * assert.equal(run.network.input, 2);
 * assert.equal(run.train.size, 4);
 * ```
 */
export async function prepare(config: TrainConfig, configPath: string): Promise<Prepared> {
  const rng = new Rng(config.seed);
  // sizes under the caps can still need more memory than the machine has: estimated before allocating
  const generated = generatedShape(config);
  if (generated !== undefined) checkMemory(config, estimateMemory(config, generated));
  const data = await loadDataset(config.data, {
    baseDir: dirnameOf(configPath),
    rng,
    maxBytes: config.train.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
  }).catch((error) => {
    throw error instanceof DataError ? badInput(withConfigKey(error, config, configPath)) : error;
  });
  const shape = resolveNetworkShape(config.network, {
    inputSize: data.train.inputSize,
    task: data.train.task,
    classCount: data.train.classNames?.length,
    targetSize: data.train.targetSize,
  }, { loss: config.train.loss });
  checkMemory(
    config,
    estimateMemory(config, {
      input: shape.input,
      layers: shape.layers.map((layer) => layer.units),
      trainSize: data.train.size,
      testSize: data.test?.size ?? 0,
      targetSize: data.train.targetSize,
    }),
  );
  const encode = (d: Dataset) => shape.targetEncoding ? d.withTargetEncoding(shape.targetEncoding) : d;
  // The process-wide default backend of that kind (plain kernels for a tiny network such as XOR's).
  const network = new Network({
    input: shape.input,
    layers: shape.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    init: shape.init,
    seed: config.seed,
    backend: config.train.backend,
    threads: config.train.threads,
    dtype: config.train.dtype,
    dropout: config.network.dropout,
  });
  const backend = network.backend;
  return {
    config,
    train: encode(data.train),
    test: data.test ? encode(data.test) : undefined,
    network,
    backend,
    loss: shape.loss,
  };
}

/**
 * The config with its data paths rewritten to be relative to `toDir` (the run folder), so the config.yaml and the
 * model file saved there still find the data; absolute paths stay as they are.
 */
function relocateDataPaths(config: TrainConfig, fromDir: string, toDir: string): TrainConfig {
  const move = (path: string | undefined) =>
    path === undefined || isAbsolute(path) ? path : relative(resolve(toDir), resolve(fromDir, path)) || ".";
  const data = {
    ...config.data,
    path: move(config.data.path),
    images: move(config.data.images),
    labels: move(config.data.labels),
    dir: move(config.data.dir),
  };
  if (config.data.test !== undefined) {
    data.test = {
      ...config.data.test,
      path: move(config.data.test.path),
      images: move(config.data.test.images),
      labels: move(config.data.test.labels),
    };
  }
  for (const part of [data, data.test ?? {}] as Record<string, unknown>[]) {
    for (const key of ["path", "images", "labels", "dir"]) if (part[key] === undefined) delete part[key];
  }
  return { ...config, data };
}

function modelFile(prepared: Prepared, metrics: Record<string, number | null>): ModelJson {
  const { config, train: data, network } = prepared;
  return {
    ...networkToJson(network),
    preprocessing: {
      kind: data.preprocessing.kind,
      shift: [...data.preprocessing.shift],
      factor: [...data.preprocessing.factor],
    },
    labels: data.classNames ? [...data.classNames] : undefined,
    features: data.featureNames ? [...data.featureNames] : undefined,
    config: JSON.parse(JSON.stringify(config)),
    metrics,
  };
}

function finalMetrics(
  last: Pick<EpochEvent, "epoch" | "trainLoss" | "testLoss" | "trainAccuracy" | "testAccuracy"> | undefined,
): Record<string, number | null> {
  if (last === undefined) return {};
  const metrics: Record<string, number | null> = { epoch: last.epoch, loss: last.trainLoss };
  if (last.trainAccuracy !== undefined) metrics.accuracy = last.trainAccuracy;
  if (last.testLoss !== undefined) metrics.test_loss = last.testLoss;
  if (last.testAccuracy !== undefined) metrics.test_accuracy = last.testAccuracy;
  return metrics;
}

/** The metrics.jsonl line naming a run's schedule, dropout and clipping, when it uses any of them. */
function runSettingsMetrics(event: StartEvent): Record<string, unknown> | undefined {
  if (event.schedule === undefined && event.dropout === undefined && event.clipNorm === undefined) {
    return undefined;
  }
  const line: Record<string, unknown> = { type: "settings", learning_rate: event.learningRate };
  if (event.schedule !== undefined) line.schedule = event.schedule;
  if (event.dropout !== undefined) line.dropout = event.dropout;
  if (event.clipNorm !== undefined) line.clip_norm = event.clipNorm;
  return line;
}

function showPredictions(prepared: Prepared): string[] {
  const { train: data, network } = prepared;
  if (data.inputSize !== 2 || data.size > 8) return [];
  const raw = data.rawFeatures();
  const x = data.features();
  const out = network.predict(x);
  const lines = ["predictions:"];
  for (let i = 0; i < data.size; i++) {
    const outputs = Array.from(out.row(i)).map((v) => v.toFixed(4)).join(", ");
    const target = data.targets().row(i);
    lines.push(
      `  [${Array.from(raw.row(i)).join(", ")}] → ${outputs}   (target ${Array.from(target).join(", ")})`,
    );
  }
  return lines;
}

/** The run folder named by `--resume`: the folder itself, or the folder of a checkpoint.bin given as a path. */
async function resumeFolder(path: string): Promise<string> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info?.isFile) return dirnameOf(path);
  return path.replace(/\/+$/, "") || ".";
}

/** Reads and decodes a checkpoint; a missing or unreadable file is a one-line CheckpointFileError. */
async function readCheckpoint(file: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "the file does not exist (a run writes it when it ends, on s and every train.checkpoint_every epochs)"
      : (error as Error).message;
    throw new CheckpointFileError(`Cannot read the checkpoint: ${reason}`, { file });
  }
  return decodeCheckpoint(bytes, file);
}

/** The timeline of a run folder to go on with after a resume, or an empty one when it cannot be read. */
async function resumedTimeline(file: string): Promise<Timeline> {
  try {
    return decodeTimeline(await Deno.readFile(file), { file });
  } catch {
    return new Timeline();
  }
}

/** What a prepared run trains, in the terms of a checkpoint. */
function resumeTarget(prepared: Prepared): ResumeTarget {
  const { network, config } = prepared;
  return {
    network: {
      input: network.input,
      layers: network.layers.map((l) => ({ units: l.units, activation: l.activation.name })),
      dropout: [...network.dropout],
    },
    optimizer: config.train.optimizer,
    trainSize: prepared.train.size,
    schedule: config.train.schedule !== undefined,
  };
}

async function commandTrain(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    epochs: { type: "string" },
    seed: { type: "string" },
    set: { type: "string", multiple: true },
    out: { type: "string" },
    headless: { type: "boolean" },
    json: { type: "boolean" },
    pace: { type: "string" },
    "exit-on-end": { type: "boolean" },
    resume: { type: "string" },
  });
  if (values.help) return print(HELP.train), EXIT.ok;
  const pace = paceOption(values.pace as string | undefined);
  const resumeDir = values.resume === undefined ? undefined : await resumeFolder(values.resume as string);
  // read first: a missing or corrupt checkpoint is reported before the config and the data are loaded
  const checkpoint = resumeDir === undefined
    ? undefined
    : await readCheckpoint(`${resumeDir}/${CHECKPOINT_FILE}`);
  // with --resume and no config, the run folder's own config.yaml (its data paths work from there)
  const ownConfig = resumeDir !== undefined && positionals.length === 0
    ? `${resumeDir}/config.yaml`
    : undefined;
  if (positionals.length !== 1 && ownConfig === undefined) {
    throw new UsageError("train expects one config file (see --help)");
  }
  const configPath = ownConfig ?? positionals[0];
  const overrides = [...(values.set as string[] | undefined ?? [])];
  const epochs = integerOption(values.epochs as string | undefined, "epochs");
  const seed = integerOption(values.seed as string | undefined, "seed");
  if (epochs !== undefined) overrides.push(`train.epochs=${epochs}`);
  if (seed !== undefined) overrides.push(`seed=${seed}`);
  if (values.out !== undefined) overrides.push(`output.dir=${JSON.stringify(values.out)}`);
  if (resumeDir !== undefined) {
    if (values.out !== undefined) {
      throw new UsageError("--out cannot be combined with --resume (it writes there)");
    }
    overrides.push(`output.dir=${JSON.stringify(resumeDir)}`);
  }
  const config = await readConfig(configPath, overrides);
  const prepared = await prepare(config, configPath);
  // the run folder is checked (and a staging folder made) before training: a bad --out fails at once
  const files = await RunFiles.open(runFolder(config, configPath, overrides));
  try {
    return await trainInto(files, { config, configPath, prepared, values, pace, checkpoint });
  } finally {
    await files.close();
  }
}

/**
 * Where the run goes, by one rule: a path written in the config resolves against the config's folder, a path on
 * the command line (`--out`, `--set output.dir=…`) and the default `runs/<name>` against the user's folder.
 */
function runFolder(config: TrainConfig, configPath: string, overrides: readonly string[]): string {
  const dir = config.output.dir;
  const fromCommandLine = overrides.some((override) => /^\s*output\.dir\s*=/.test(override));
  if (!outputDirWritten(config) || fromCommandLine || isAbsolute(dir)) return dir;
  return join(dirnameOf(configPath), dir);
}

/** What `trainInto` needs from `commandTrain`. */
interface TrainRun {
  config: TrainConfig;
  configPath: string;
  prepared: Prepared;
  values: ParsedValues;
  pace: number | undefined;
  /** The checkpoint to go on from (`--resume`). */
  checkpoint: Checkpoint | undefined;
}

async function trainInto(files: RunFiles, run: TrainRun): Promise<number> {
  const { config, configPath, prepared, values, pace, checkpoint } = run;
  // The final metrics of the epochs before a resume (from metrics.jsonl), for restore_best's model file.
  const resumedFinals: Record<string, number | null>[] = [];
  if (checkpoint !== undefined) {
    const file = files.path(CHECKPOINT_FILE);
    const difference = checkpointMismatch({
      network: checkpoint.network,
      optimizer: checkpoint.optimizer,
      trainSize: checkpoint.trainSize,
      schedule: checkpoint.state.scheduler !== undefined,
    }, resumeTarget(prepared));
    if (difference !== undefined) throw new CheckpointFileError(`Cannot resume: ${difference}`, { file });
    if (checkpoint.state.epoch >= config.train.epochs) {
      throw new CheckpointFileError(
        `Cannot resume: the run already reached epoch ${checkpoint.state.epoch} of ${config.train.epochs} ` +
          `(pass --epochs N with N > ${checkpoint.state.epoch} to train on)`,
        { file },
      );
    }
    const stop = config.train.earlyStop, waited = checkpoint.state.earlyStop?.wait ?? 0;
    if (stop !== undefined && waited >= stop.patience) {
      throw new CheckpointFileError(
        `Cannot resume: the run stopped early at epoch ${checkpoint.state.epoch} (${stop.monitor} did not ` +
          `improve for ${waited} epochs; raise train.early_stop.patience above ${waited} to train on)`,
        { file },
      );
    }
    const metrics = await files.metricsUpTo(checkpoint.state.epoch);
    for (const line of metrics.records) {
      if (line.type !== "epoch" || typeof line.epoch !== "number") continue;
      const finals: Record<string, number | null> = {};
      for (const key of ["epoch", "loss", "accuracy", "test_loss", "test_accuracy"]) {
        const value = line[key];
        if (typeof value === "number" || value === null) finals[key] = value;
      }
      resumedFinals[line.epoch] = finals;
    }
    const last = resumedFinals[checkpoint.state.epoch]?.loss, target = config.train.targetLoss;
    if (target !== undefined && typeof last === "number" && last <= target) {
      throw new CheckpointFileError(
        `Cannot resume: the run reached the target loss ${target} at epoch ${checkpoint.state.epoch} ` +
          `(lower train.target_loss to train on)`,
        { file },
      );
    }
    await files.continueMetrics(metrics.lines);
  }
  // The state after the last completed epoch, encoded when a save needs it (a resumed run starts with the
  // checkpoint's, so a save before its first epoch ends keeps it).
  let trainState: TrainState | undefined = checkpoint?.state;
  const checkpointBytes = () =>
    trainState === undefined ? undefined : encodeCheckpoint({
      network: resumeTarget(prepared).network,
      optimizer: config.train.optimizer,
      trainSize: prepared.train.size,
      state: trainState,
    });
  const savedConfig = relocateDataPaths(config, dirnameOf(configPath), files.dir);
  const controller = new TrainController();
  const useDashboard = !values.headless && !values.json && Deno.stdout.isTerminal() &&
    Deno.stdin.isTerminal();
  const stay = useDashboard && !values["exit-on-end"];
  const events = train(prepared.network, prepared.train, {
    name: config.name,
    epochs: config.train.epochs,
    batchSize: config.train.batchSize ?? prepared.train.size,
    learningRate: config.train.learningRate,
    optimizer: config.train.optimizer,
    momentum: config.train.momentum,
    nesterov: config.train.nesterov,
    l2: config.train.l2,
    loss: prepared.loss as never,
    shuffle: config.train.shuffle,
    seed: config.seed,
    test: prepared.test,
    earlyStop: config.train.earlyStop,
    targetLoss: config.train.targetLoss,
    schedule: config.train.schedule,
    clipNorm: config.train.clipNorm,
    // fresh statistics for the timeline's snapshots (at most TIMELINE_CAPACITY of them in the whole run)
    statsEvery: timelineSpacing(config.train.epochs),
    controller,
    pace,
    restartable: stay,
    yieldToEventLoop: turnOfTheEventLoop,
    resume: checkpoint?.state,
    // train.checkpoint_every: training waits while the run folder is written, so the saved event comes in order
    onState: (state) => {
      trainState = state;
      const every = config.train.checkpointEvery;
      if (every === undefined || state.epoch % every !== 0) return;
      const epoch = state.epoch;
      return save().then(
        (path) => controller.report({ type: "saved", path, epoch }),
        (error) =>
          controller.report({
            type: "save_failed",
            message: error instanceof RunSaveError
              ? error.message
              : `Cannot save the checkpoint: ${(error as Error).message}`,
          }),
      );
    },
  });

  let lastEpoch: EpochEvent | undefined;
  // The metrics of the epoch whose weights were restored at the end (early stopping's restore_best).
  let restoredFinals: Record<string, number | null> | undefined;
  // Snapshots of what the dashboard shows, kept whatever the sink, for rewinding and for `replay`; a resumed run
  // goes on with the run folder's timeline (or starts a new one when that is missing or unreadable).
  const timeline = checkpoint === undefined
    ? new Timeline()
    : await resumedTimeline(files.path(TIMELINE_FILE));
  // model, config, checkpoint, metrics and timeline together, flushed to disk, one save after another (a
  // checkpoint every N epochs may meet an s or the final save); the first save swaps them into the run folder
  const save = (): Promise<string> =>
    files.save({
      // taken now, before training goes on: the model as it is and the state of the last completed epoch
      model: modelFile({ ...prepared, config: savedConfig }, restoredFinals ?? finalMetrics(lastEpoch)),
      config: stringifyConfig(savedConfig),
      timeline,
      checkpoint: checkpointBytes(),
    });
  const send = (command: Parameters<TrainController["send"]>[0]) => {
    if (command.type === "save") {
      const epoch = lastEpoch?.epoch ?? 0;
      save().then(
        (path) => controller.report({ type: "saved", path, epoch }),
        (error) =>
          controller.report({
            type: "save_failed",
            message: error instanceof RunSaveError
              ? error.message
              : `Cannot save the checkpoint: ${(error as Error).message}`,
          }),
      );
    } else {
      controller.send(command);
    }
  };

  // Record every event's metrics, whatever shows them: called with each event before the sink takes it.
  let endReason = "done", endMessage = "";
  // Lines are written in the background (RunFiles.addMetrics): training never waits for the disk.
  let pausedAt: { epoch: number; batch: number; batches: number } | undefined;
  const record = (event: TrainEvent): void => {
    timeline.record(event);
    if (event.type === "start") {
      lastEpoch = undefined, restoredFinals = undefined;
      if (event.resumedFrom === undefined) {
        trainState = undefined; // a restart: no state until its first epoch ends
        files.clearMetrics();
        const settings = runSettingsMetrics(event);
        if (settings !== undefined) files.addMetrics(settings);
      } else {
        files.addMetrics({ type: "resumed", epoch: event.resumedFrom, epochs: event.epochs });
      }
    }
    if (event.type === "epoch") {
      lastEpoch = event;
      files.addMetrics(epochMetrics(event));
    }
    if (event.type === "learning_rate_changed") files.addMetrics(event);
    if (event.type === "end") {
      endReason = event.reason, endMessage = event.message;
      if (event.restored !== undefined) {
        // the restored epoch's metrics come with the event: no listener keeps every epoch's (a million epochs)
        const { metrics, ...restored } = event.restored;
        // (an epoch before a resume: from the metrics.jsonl the resumed run goes on with)
        restoredFinals = metrics === undefined ? resumedFinals[restored.epoch] : finalMetrics(metrics);
        files.addMetrics({ type: "restored", ...restored });
      }
    }
    // where a pause in the middle of an epoch stopped, for the explain view's label
    if (event.type === "epoch" || event.type === "start") pausedAt = undefined;
    if (event.type === "state") {
      const { paused, epoch, batch, batches } = event;
      pausedAt = paused && epoch !== undefined && batch !== undefined && batches !== undefined
        ? { epoch, batch, batches }
        : undefined;
    }
  };

  // Ctrl-C asks the trainer to stop; the listener stays until the last save is done, so a second Ctrl-C during
  // the save cannot end the process before the model is on disk
  const onInterrupt = () => controller.send({ type: "quit", interrupted: true });
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await finishTraining();
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }

  async function finishTraining(): Promise<number> {
    let savedTo: string | undefined;
    // A diverged run is saved only where the run folder has no model yet; else the earlier run stays whole (this
    // run's staging folder is removed) unless this run already saved a checkpoint there.
    const endDiverged = async () => {
      if (!await exists(files.path("model.json"))) savedTo = await save();
      else if (files.saved) await files.flushMetrics(), await files.writeTimeline(timeline);
    };
    {
      if (useDashboard) {
        await runDashboard({
          events,
          onEvent: record,
          send,
          explain: (sample) =>
            explainTrainingSample(prepared.network, {
              data: prepared.train,
              sample,
              loss: prepared.loss as LossName,
              epoch: lastEpoch?.epoch ?? 0,
              pausedAt,
            }),
          timeline,
          // saved before the dashboard waits for q; after a divergence only where no earlier model exists
          onEnd: async () => {
            if (endReason === "diverged") await endDiverged();
            else savedTo = await save();
            return savedTo;
          },
        }, { holdOnEnd: stay });
      } else {
        const printer = new PlainPrinter({ json: values.json as boolean | undefined });
        for await (const event of events) {
          record(event);
          for (const line of printer.lines(event)) print(line);
        }
      }
    }

    if (endReason === "diverged") {
      if (!useDashboard) await endDiverged();
      // one line: what happened and where the model is
      printError(
        savedTo
          ? `${endMessage}, saved to ${savedTo}`
          : `${endMessage}; not saved: the earlier run in ${files.dir} was kept`,
      );
      prepared.backend.dispose();
      return EXIT.failure;
    }
    if (!useDashboard) {
      savedTo = await save();
      if (values.json) {
        const epoch = lastEpoch?.epoch ?? 0;
        print(JSON.stringify({ type: "saved", path: savedTo, epoch, metrics: files.path("metrics.jsonl") }));
      } else {
        for (const line of showPredictions(prepared)) print(line);
        print(`saved ${savedTo}, ${files.path("metrics.jsonl")}, ${files.path("config.yaml")}`);
      }
    }
    prepared.backend.dispose();
    // Ctrl-C ends with 130, also when it closes the dashboard after the end
    const interrupted = endReason === "interrupted" || controller.quitRequested?.interrupted === true;
    return interrupted ? EXIT.interrupted : EXIT.ok;
  }
}

async function commandValidate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { set: { type: "string", multiple: true } });
  if (values.help) return print(HELP.validate), EXIT.ok;
  if (positionals.length === 0) {
    throw new UsageError("validate expects at least one config file (see --help)");
  }
  let failed = 0;
  for (const path of positionals) {
    try {
      const config = await readConfig(path, values.set as string[] | undefined ?? []);
      print(`${path}: ok (${config.name}: ${config.data.source} data, ${config.train.epochs} epochs)`);
    } catch (error) {
      if (!(error instanceof UserFileError || error instanceof ParseError)) throw error;
      printError(error.message);
      failed++;
    }
  }
  return failed > 0 ? EXIT.usage : EXIT.ok;
}

async function commandGradcheck(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    set: { type: "string", multiple: true },
    samples: { type: "string" },
  });
  if (values.help) return print(HELP.gradcheck), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("gradcheck expects one config file (see --help)");
  const config = await readConfig(positionals[0], values.set as string[] | undefined ?? []);
  // Central differences need float64 (h = 1e-6 is below float32's resolution), whatever train.dtype says.
  const train = { ...config.train, backend: "js" as const, dtype: "float64" as const };
  const prepared = await prepare({ ...config, train }, positionals[0]);
  const samples = Math.min(
    integerOption(values.samples as string | undefined, "samples") ?? 8,
    prepared.train.size,
  );
  const order = new Uint32Array(samples).map((_, i) => Math.floor(i * prepared.train.size / samples));
  const x = new Matrix(samples, prepared.train.inputSize), y = new Matrix(samples, prepared.train.targetSize);
  prepared.train.gather(x, y, order, 0);
  const results = gradientCheck(prepared.network, { x, y }, {
    loss: getLoss(prepared.loss),
    maxPerLayer: 2000,
  });
  print(
    `gradient check of ${config.name} (${prepared.loss}) on ${samples} samples, central differences h = 1e-6:`,
  );
  // Central differences in float64 are only as good as about 1e-10 absolute (rounding of L / h): below that
  // floor a relative error says nothing, so a layer passes on either measure.
  const passes = (r: { maxRelativeError: number; maxAbsoluteError: number }) =>
    r.maxRelativeError < 1e-6 || r.maxAbsoluteError < 1e-9;
  for (const r of results) {
    const layer = prepared.network.layers[r.layer];
    print(
      `  layer ${
        r.layer + 1
      } (${layer.inputs}→${layer.units} ${layer.activation.name}): max relative error ` +
        `${r.maxRelativeError.toExponential(2)}, max absolute ${r.maxAbsoluteError.toExponential(2)} ` +
        `over ${r.checked} parameters  ${passes(r) ? "ok" : "FAIL"}`,
    );
  }
  return results.every(passes) ? EXIT.ok : EXIT.failure;
}

async function loadModelNetwork(path: string): Promise<{ model: ModelJson; network: Network }> {
  const model = await loadModel(path);
  return { model, network: networkFromJson(model, { file: path }) };
}

async function commandInspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values.help) return print(HELP.inspect), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("inspect expects one model file (see --help)");
  const { model, network } = await loadModelNetwork(positionals[0]);
  print(`${positionals[0]}: ${model.format} version ${model.version}`);
  print(network.summary());
  if (model.labels) print(`classes: ${model.labels.map(escapeControl).join(", ")}`);
  if (model.features) print(`features: ${model.features.map(escapeControl).join(", ")}`);
  if (model.preprocessing) print(`preprocessing: ${model.preprocessing.kind}`);
  if (model.dropout) print(`dropout (training only): ${model.dropout.join(", ")}`);
  if (model.metrics && Object.keys(model.metrics).length > 0) {
    print(`metrics: ${Object.entries(model.metrics).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  return EXIT.ok;
}

function parseRow(text: string, width: number, where: string): number[] {
  const fields = text.split(",").map((field) => field.trim());
  if (fields.length !== width) {
    throw new DataError(`expected ${width} comma-separated numbers, got ${fields.length}`, { file: where });
  }
  return fields.map((field, j) => {
    const value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      throw new DataError(`column ${j + 1}: expected a number, got "${field}"`, { file: where });
    }
    return value;
  });
}

/**
 * Whether a predict input line is a header: its fields equal the model's feature names, or, when the model has
 * none, no field is a number. A row such as `5.1,,1.4,0.2` or `abc,3.5,1.4,0.2` is data with a mistake, not a
 * header.
 */
function isHeader(line: string, features: readonly string[] | undefined): boolean {
  const fields = line.split(",").map((field) => field.trim().replace(/^"(.*)"$/, "$1"));
  if (features !== undefined) {
    return fields.length === features.length && fields.every((field, j) => field === features[j].trim());
  }
  return fields.every((field) => field === "" || !Number.isFinite(Number(field))) &&
    fields.some((field) => field !== "");
}

/** Reads stdin to its end, at most the CSV limit (so `predict < /dev/zero` stops with an error). */
async function readStdin(): Promise<string> {
  try {
    return new TextDecoder().decode(await readAllCapped(Deno.stdin, MAX_CSV_BYTES));
  } catch (error) {
    if (!(error instanceof TooLargeError)) throw error;
    throw new DataError(`Cannot read the input: ${error.message}, the limit for CSV input`, {
      file: "stdin",
    });
  }
}

async function commandPredict(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { input: { type: "string", multiple: true } });
  if (values.help) return print(HELP.predict), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("predict expects one model file (see --help)");
  const { model, network } = await loadModelNetwork(positionals[0]);
  const inputs = values.input as string[] | undefined;
  let rows: number[][];
  try {
    if (inputs !== undefined) {
      rows = inputs.map((text, i) => parseRow(text, network.input, `--input #${i + 1}`));
    } else {
      // CSV rows of numbers. The first row is a header only when it names the model's features (or, for a model
      // without feature names, when none of its fields is a number); any other malformed row is an error.
      const lines = (await readStdin()).split(/\r?\n/).map((line, i) => ({ line, number: i + 1 }));
      const filled = lines.filter(({ line }) => line.trim() !== "");
      if (filled.length > 0 && isHeader(filled[0].line, model.features)) filled.shift();
      rows = filled.map(({ line, number }) => parseRow(line, network.input, `stdin:${number}`));
    }
    if (rows.length === 0) {
      throw new DataError("Cannot predict: no input rows (give CSV rows on stdin or --input)", {
        file: "stdin",
      });
    }
  } catch (error) {
    throw error instanceof DataError ? badInput(error) : error;
  }
  const x = Matrix.from(rows);
  // validateModelJson checked that shift and factor have one number per input
  if (model.preprocessing) applyPreprocessing(x, model.preprocessing as Preprocessing);
  const out = network.predict(x);
  for (let i = 0; i < out.rows; i++) {
    const row = Array.from(out.row(i));
    if (model.labels) {
      const [index, probability] = row.length === 1
        ? (row[0] >= 0.5 ? [1, row[0]] : [0, 1 - row[0]])
        : row.reduce((best, p, j) => p > best[1] ? [j, p] : best, [0, -Infinity]);
      print(`${escapeControl(model.labels[index])} ${probability.toFixed(4)}`);
    } else {
      print(row.map((v) => String(v)).join(","));
    }
  }
  return EXIT.ok;
}

/** The comma-separated numbers of a --input or --target option, exactly `width` of them. */
function parseNumbers(text: string, width: number, option: string): number[] {
  const fields = text.split(",").map((field) => field.trim());
  if (fields.length !== width) {
    throw new UsageError(
      `${option} expects ${width} comma-separated numbers, got ${fields.length} ("${text}")`,
    );
  }
  return fields.map((field) => {
    const value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      throw new UsageError(`${option} expects numbers, got "${field}" in "${text}"`);
    }
    return value;
  });
}

/** The loss the model was trained on: its config's train.loss, else what training would have inferred. */
function modelLoss(model: ModelJson, network: Network): LossName {
  const stated = (model.config as { train?: { loss?: unknown } } | undefined)?.train?.loss;
  if (typeof stated === "string" && (LOSS_NAMES as readonly string[]).includes(stated)) {
    return stated as LossName;
  }
  const output = network.layers[network.layers.length - 1].activation.name;
  if (output === "softmax") return "cross_entropy";
  // a termnet run trains a sigmoid output with binary cross-entropy only on class labels (see resolve.ts)
  if (output === "sigmoid" && (model.labels !== undefined || model.config === undefined)) {
    return "binary_cross_entropy";
  }
  return "mse";
}

/** A --target: a class name or index for classifiers (encoded like the training targets), else the outputs. */
function parseTarget(text: string, model: ModelJson, network: Network): number[] {
  const labels = model.labels;
  if (labels === undefined) return parseNumbers(text, network.output, "--target");
  const name = text.trim();
  let index = labels.indexOf(name);
  if (index < 0 && /^\d+$/.test(name) && Number(name) < labels.length) index = Number(name);
  if (index < 0) {
    throw new UsageError(
      `--target expects a class name (${labels.map((l) => `"${l}"`).join(", ")}) or an index 0–${
        labels.length - 1
      }, got "${text}"`,
    );
  }
  return network.output === 1 ? [index] : labels.map((_, k) => k === index ? 1 : 0);
}

async function commandExplain(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    input: { type: "string" },
    target: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return print(HELP.explain), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("explain expects one model file (see --help)");
  if (values.input === undefined) throw new UsageError(`explain needs --input "x1,x2,…" (see --help)`);
  const { model, network } = await loadModelNetwork(positionals[0]);
  const raw = parseNumbers(values.input as string, network.input, "--input");
  const target = values.target === undefined
    ? undefined
    : parseTarget(values.target as string, model, network);
  const x = Matrix.from([raw]);
  // validateModelJson checked that shift and factor have one number per input
  if (model.preprocessing) applyPreprocessing(x, model.preprocessing as Preprocessing);
  const input = Array.from(x.data);
  const loss = modelLoss(model, network);
  if (values.json) {
    print(JSON.stringify(explainSample(network, input, { target, loss })));
    return EXIT.ok;
  }
  const event = explainEvent(network, input, {
    target,
    loss,
    rawInput: raw,
    classNames: model.labels,
    maxListedWeights: Infinity,
  });
  const shape = [network.input, ...network.layers.map((layer) => layer.units)].join(" → ");
  const activations = [...new Set(network.layers.map((layer) => layer.activation.name))].join("/");
  print(`${positionals[0]}: ${shape} (${activations})${target ? `, loss ${loss}` : ""}`);
  for (const line of explainText(event, { width: 100 })) print(line);
  if (target === undefined) print("(add --target to see the loss and the backward pass)");
  return EXIT.ok;
}

async function commandEvaluate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: "string" } });
  if (values.help) return print(HELP.evaluate), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("evaluate expects one model file (see --help)");
  const { model, network } = await loadModelNetwork(positionals[0]);
  let config: TrainConfig;
  let configPath: string;
  if (values.config !== undefined) {
    configPath = values.config as string;
    config = await readConfig(configPath, []);
  } else {
    if (model.config === undefined) {
      throw new ModelFileError("config: the model holds no config; pass --config FILE", {
        file: positionals[0],
      });
    }
    configPath = `${dirnameOf(positionals[0])}/config.yaml`;
    config = await readConfig(configPath, []).catch(() => {
      throw new ModelFileError("config: cannot recreate the data; pass --config FILE", {
        file: positionals[0],
      });
    });
  }
  const prepared = await prepare(config, configPath);
  const data = prepared.test ?? prepared.train;
  const which = prepared.test ? "test split" : "training set (the config has no test split)";
  if (data.inputSize !== network.input || data.targetSize !== network.output) {
    throw new ModelFileError(
      `the model takes ${network.input} inputs and gives ${network.output} outputs; the data has ` +
        `${data.inputSize} and ${data.targetSize}`,
      { file: positionals[0] },
    );
  }
  const classification = data.task === "classification";
  const result = evaluate(network, data, { loss: getLoss(prepared.loss), classification, confusion: true });
  print(`${positionals[0]} on the ${which} of ${configPath} (${result.samples} samples):`);
  print(`  loss ${result.loss.toPrecision(5)} (${prepared.loss})`);
  if (result.accuracy !== undefined) print(`  accuracy ${result.accuracy.toFixed(4)}`);
  if (result.confusion) {
    const names = (model.labels ?? data.classNames ?? result.confusion.map((_, i) => String(i))).map(
      escapeControl,
    );
    const width = Math.max(
      6,
      ...names.map((n) => n.length),
      ...result.confusion.flat().map((v) => String(v).length),
    );
    print("  confusion (rows: actual, columns: predicted):");
    print("  " + "".padEnd(width) + " " + names.map((n) => n.slice(0, width).padStart(width)).join(" "));
    result.confusion.forEach((row, i) => {
      print("  " + names[i].padEnd(width) + " " + row.map((v) => String(v).padStart(width)).join(" "));
    });
  }
  prepared.backend.dispose();
  return EXIT.ok;
}

/** Largest timeline file read, in bytes (a 784-256-128-10 run's is about 5 MB). */
const MAX_TIMELINE_BYTES = 256 * 2 ** 20;

/** Reads a run's timeline: `path` is the run folder or the timeline file itself. */
async function readTimeline(path: string): Promise<{ timeline: Timeline; file: string }> {
  const info = await Deno.stat(path).catch(() => undefined);
  const file = info?.isDirectory ? `${path.replace(/\/+$/, "")}/${TIMELINE_FILE}` : path;
  let bytes: Uint8Array;
  try {
    bytes = await readFileCapped(file, MAX_TIMELINE_BYTES);
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound
      ? "the file does not exist (runs record it since this version; train the run again)"
      : (error as Error).message;
    throw new TimelineFileError(`Cannot read the timeline: ${detail}`, { file });
  }
  return { timeline: decodeTimeline(bytes, { file }), file };
}

async function commandReplay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { headless: { type: "boolean" } });
  if (values.help) return print(HELP.replay), EXIT.ok;
  if (positionals.length !== 1) {
    throw new UsageError("replay expects one run folder or timeline file (see --help)");
  }
  const { timeline, file } = await readTimeline(positionals[0]);
  const useDashboard = !values.headless && Deno.stdout.isTerminal() && Deno.stdin.isTerminal();
  if (!useDashboard) {
    for (let i = 0; i < timeline.length; i++) print(formatEpochLine(timeline.eventAt(i)));
    return EXIT.ok;
  }
  const start = timeline.start!;
  const last = timeline.length > 0 ? timeline.epochAt(timeline.length - 1) : 0;
  const end: TrainEvent = timeline.end ?? {
    type: "end",
    reason: "quit",
    epoch: last,
    message: `Replay of ${file}: saved at epoch ${last}, while training was still running`,
  };
  async function* events(): AsyncGenerator<TrainEvent> {
    yield start;
    for (let i = 0; i < timeline.length; i++) yield timeline.eventAt(i);
    yield end;
  }
  await runDashboard({ events: events(), send: () => {}, timeline, restartable: false }, {
    holdOnEnd: true,
    summary: false,
    replay: true,
  });
  const first = timeline.length > 0 ? timeline.epochAt(0) : 0;
  print(`replayed ${file}: ${timeline.length} snapshots of epochs ${first}–${last} (${end.message})`);
  return EXIT.ok;
}

/** Writes an exported file atomically; a folder that is missing or not writable is one line naming the file. */
async function writeExport(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "its folder does not exist"
      : (error as Error).message;
    throw new UserFileError(`Cannot write the export: ${reason}`, { file: path });
  }
}

async function commandExport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    onnx: { type: "string" },
    ts: { type: "string" },
    float64: { type: "boolean" },
  });
  if (values.help) return print(HELP.export), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("export expects one model file (see --help)");
  const onnxPath = values.onnx as string | undefined;
  const tsPath = values.ts as string | undefined;
  if (onnxPath === undefined && tsPath === undefined) {
    throw new UsageError("export needs --onnx FILE or --ts FILE (see --help)");
  }
  if (values.float64 && onnxPath === undefined) {
    throw new UsageError("--float64 applies to --onnx only (the TypeScript module computes in float64)");
  }
  const model = await loadModel(positionals[0]);
  if (onnxPath !== undefined) {
    const bytes = modelToOnnx(model, { dtype: values.float64 ? "float64" : "float32" });
    await writeExport(onnxPath, bytes);
    print(
      `${onnxPath}: ONNX opset ${ONNX_OPSET}, input "${ONNX_INPUT_NAME}" [N, ${model.input}], ${bytes.length} bytes`,
    );
  }
  if (tsPath !== undefined) {
    const text = modelToTypeScript(model, { source: basename(positionals[0]) });
    await writeExport(tsPath, new TextEncoder().encode(text));
    print(
      `${tsPath}: TypeScript module, predict(input) on ${model.input} raw features, ${text.length} characters`,
    );
  }
  return EXIT.ok;
}

async function commandFetch(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { mirror: { type: "string" }, dir: { type: "string" } });
  if (values.help) return print(HELP.fetch), EXIT.ok;
  const expected = NAMED_DATASET_NAMES.join(" or ");
  if (positionals.length !== 1) {
    throw new UsageError(`fetch expects one dataset name, ${expected} (see --help)`);
  }
  const name = positionals[0];
  if (!(NAMED_DATASET_NAMES as readonly string[]).includes(name)) {
    const near = suggest(name, NAMED_DATASET_NAMES);
    throw new UsageError(
      `unknown dataset "${name}" (expected ${expected}${
        near !== undefined ? `; did you mean "${near}"?` : ""
      })`,
    );
  }
  const dataset = NAMED_DATASETS[name as NamedDatasetName];
  const mirror = values.mirror as string | undefined;
  if (mirror !== undefined && !/^https?:\/\/[^/]/.test(mirror)) {
    throw new UsageError(`--mirror expects an http:// or https:// URL, got "${mirror}"`);
  }
  const dir = values.dir as string | undefined ?? datasetCacheDir(dataset.name);
  if (dir === undefined) {
    throw new UsageError("cannot find the cache folder: HOME is not set; pass --dir DIR");
  }

  // a terminal gets one redrawn progress line per file; a log gets one line per file and per retry
  const tty = Deno.stdout.isTerminal();
  // a terminal that does not report its size (0 columns) is taken as 80 wide
  const columns = (tty ? Deno.consoleSize().columns : 0) || 80;
  const encoder = new TextEncoder();
  let drawn = false, lastDraw = 0;
  const draw = (line: string) => {
    Deno.stdout.writeSync(encoder.encode(`\r${CLEAR_LINE}${escapeControl(line)}`));
    drawn = line !== "";
  };
  const onEvent = (event: FetchEvent) => {
    if (event.type === "progress" && tty) {
      const now = Date.now();
      if (now - lastDraw < 100 && event.received !== event.total) return;
      lastDraw = now;
      draw(fetchProgressLine(event.file, event.received, event.total, { columns }));
    } else if (event.type === "retry") {
      if (drawn) draw("");
      print(
        `${event.file}: ${event.reason}; attempt ${event.attempt} of ${event.attempts} from byte ${event.resumeFrom}`,
      );
    } else if (event.type === "done") {
      if (drawn) draw("");
      const how = event.reused ? "already there" : "downloaded";
      print(`${event.path}  ${formatBytes(event.bytes)}  SHA-256 ok (${how})`);
    }
  };
  try {
    await fetchDataset(dataset.name, { dir, baseUrl: mirror, onEvent });
  } finally {
    if (drawn) draw("");
  }
  print(`${dataset.title} is in ${dir}; configs with "source: ${dataset.name}" find it there`);
  return EXIT.ok;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  train: commandTrain,
  evaluate: commandEvaluate,
  predict: commandPredict,
  validate: commandValidate,
  gradcheck: commandGradcheck,
  inspect: commandInspect,
  explain: commandExplain,
  replay: commandReplay,
  export: commandExport,
  fetch: commandFetch,
};

/**
 * A `TERMNET_BACKEND` that names no backend is a usage error (exit 2) before any work, whatever the config
 * says; unset, or not granted to the task, it is ignored.
 */
function checkBackendEnvironment(): void {
  const granted =
    Deno.permissions.querySync({ name: "env", variable: BACKEND_ENV_VARIABLE }).state === "granted";
  const value = granted ? Deno.env.get(BACKEND_ENV_VARIABLE) : undefined;
  if (value === undefined || value === "" || ["auto", "js", "wasm"].includes(value)) return;
  throw new UsageError(
    `${BACKEND_ENV_VARIABLE}: expected "auto", "js" or "wasm", got ${quoteValue(value)}`,
  );
}

/**
 * Moves into the folder the user ran the command from: `deno task` runs every task in the repository's folder
 * and passes the user's folder as INIT_CWD, so `cd configs && deno task train xor.yaml` finds xor.yaml. Paths on
 * the command line then resolve against the user's folder, as in any other program.
 */
function enterUserFolder(): void {
  // a task without the permission stays where deno started it
  if (Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state !== "granted") return;
  const folder = Deno.env.get("INIT_CWD");
  if (folder === undefined || folder === "" || folder === Deno.cwd()) return;
  try {
    Deno.chdir(folder);
  } catch {
    // a folder that went away: paths resolve against deno's folder, and the error names the path as given
  }
}

/**
 * Runs the CLI with `args` and returns the exit code; prints errors as one line on stderr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 *
 * // what `deno task validate configs/xor.yaml` runs; the exit code is returned, not taken
 * assert.equal(await main(["validate", "configs/xor.yaml"]), 0);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const debug = args.includes("--debug");
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      print(HELP.main);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    checkBackendEnvironment();
    const run = COMMANDS[command];
    if (run === undefined) {
      throw new UsageError(
        `unknown command "${command}" (expected one of ${Object.keys(COMMANDS).join(", ")})`,
      );
    }
    return await run(rest);
  } catch (error) {
    if (debug) console.error(error);
    if (error instanceof UsageError) {
      printError(error.message);
      return EXIT.usage;
    }
    // a named dataset that is not on this machine is a setup problem, like a bad config: the message says the fix
    if (error instanceof DatasetNotFoundError) {
      printError(error.message);
      return EXIT.usage;
    }
    if (
      error instanceof ConfigError || error instanceof ParseError || error instanceof TimelineFileError ||
      error instanceof CheckpointFileError || error instanceof RunFolderError
    ) {
      printError(error.message);
      return EXIT.usage;
    }
    // a missing or malformed data file is bad input, like a bad config: exit 2
    if (error instanceof DataError && BAD_INPUT.has(error)) {
      printError(error.message);
      return EXIT.usage;
    }
    // a corrupt or missing model file is bad input too: exit 2 (never 1 for what the user handed in)
    if (error instanceof ModelFileError) {
      printError(error.message);
      return EXIT.usage;
    }
    if (error instanceof UserFileError) {
      printError(error.message);
      return EXIT.failure;
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      printError((error as Error).message);
      return EXIT.failure;
    }
    printError(`${(error as Error)?.message ?? error}${debug ? "" : " (run with --debug for details)"}`);
    return EXIT.failure;
  }
}

if (import.meta.main) {
  // the program, not main(): a library caller's working directory is its own
  enterUserFolder();
  Deno.exit(await main(Deno.args));
}
