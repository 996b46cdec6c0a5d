// Error classes shared by config, data and model files, so the CLI can print one clear line for each.

/** Where in a user's file a problem was found. */
export interface FileLocation {
  /** The file's path as the user gave it. */
  file?: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** The key path inside the document, e.g. `train.learning_rate` or `layers[1].weights`. */
  path?: string;
}

/** Formats a location as `file:line:col: path: ` (each part only when known). */
export function formatLocation(location: FileLocation): string {
  let prefix = "";
  if (location.file !== undefined) {
    prefix += location.file;
    if (location.line !== undefined) {
      prefix += `:${location.line}`;
      if (location.column !== undefined) prefix += `:${location.column}`;
    }
    prefix += ": ";
  }
  if (location.path !== undefined && location.path !== "") prefix += `${location.path}: `;
  return prefix;
}

/**
 * Base class for errors in a user's file: the message starts with the file, place and key path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UserFileError } from "./errors.ts";
 *
 * const error = new UserFileError("expected a number", { file: "x.yaml", line: 3, column: 7, path: "train.epochs" });
 * assert.equal(error.message, "x.yaml:3:7: train.epochs: expected a number");
 * assert.equal(error.detail, "expected a number");
 * ```
 */
export class UserFileError extends Error {
  /** The file, when known. */
  readonly file?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** Key path inside the document, when known. */
  readonly path?: string;
  /** The message without the location prefix. */
  readonly detail: string;

  /** Creates the error; `message` is the detail, the location is prepended. */
  constructor(detail: string, location: FileLocation = {}) {
    super(formatLocation(location) + detail);
    this.name = new.target.name;
    this.detail = detail;
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.path = location.path;
  }
}

/**
 * A training configuration is invalid (unknown key, wrong type, value out of range, impossible combination).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseConfig } from "../mod.ts";
 *
 * assert.throws(() => parseConfig({ data: { source: "xor" }, train: { epochs: "many" } }), ConfigError);
 * ```
 */
export class ConfigError extends UserFileError {}

/**
 * A dataset file is missing, unreadable or malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataError, parseCsv } from "../mod.ts";
 *
 * assert.throws(() => parseCsv("x,y\n1,2\n3\n", { file: "bad.csv" }), DataError);
 * ```
 */
export class DataError extends UserFileError {}

/**
 * A model file is missing, corrupt, of an unknown version or does not match the network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelFileError, parseModel } from "../mod.ts";
 *
 * assert.throws(() => parseModel("{}", { file: "model.json" }), ModelFileError);
 * ```
 */
export class ModelFileError extends UserFileError {}

/** A timeline file (timeline.bin in a run folder) is missing, corrupt or of an unknown version. */
export class TimelineFileError extends UserFileError {}

/**
 * A checkpoint file (checkpoint.bin) is missing, corrupt or does not fit the config it is resumed with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CheckpointFileError, UserFileError } from "./errors.ts";
 *
 * const error = new CheckpointFileError("Cannot resume: the file is truncated", { file: "runs/x/checkpoint.bin" });
 * assert.ok(error instanceof UserFileError);
 * assert.equal(error.message, "runs/x/checkpoint.bin: Cannot resume: the file is truncated");
 * ```
 */
export class CheckpointFileError extends UserFileError {}

/**
 * A YAML (or other text) file cannot be parsed; carries `file`, `line` and `column` like std's YamlSyntaxError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParseError, parseConfigYaml } from "../mod.ts";
 *
 * assert.throws(() => parseConfigYaml("a: [1\n", { file: "x.yaml" }), (error) => error instanceof ParseError && error.line === 2);
 * ```
 */
export class ParseError extends SyntaxError {
  /** The file, when known. */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
  /** The message without the location prefix. */
  readonly detail: string;

  /** Creates the error; the location is prepended to the message. */
  constructor(detail: string, location: FileLocation = {}) {
    super(formatLocation(location) + detail);
    this.name = "ParseError";
    this.detail = detail;
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}

/**
 * A named dataset (`source: fashion-mnist`) is in none of the folders looked in; the message names them and the
 * command that gets it. The CLI treats it like a config error (exit 2): the machine needs setting up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataError, DatasetNotFoundError } from "./errors.ts";
 *
 * const error = new DatasetNotFoundError("Cannot find fashion-mnist", { file: "configs/fashion-mnist.yaml" });
 * assert.ok(error instanceof DataError); // the CLI exits 2, as for other data errors
 * ```
 */
export class DatasetNotFoundError extends DataError {}

/**
 * Training through `net.fit` stopped because the loss (or a weight) became NaN or infinite; the network holds the
 * weights of the last epoch that stayed finite (or its initial weights when the first epoch diverged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TrainingDivergedError } from "./errors.ts";
 *
 * const error = new TrainingDivergedError({ epoch: 3, loss: NaN, learningRate: 10 });
 * assert.equal(error.epoch, 3);
 * assert.match(error.message, /^Training diverged at epoch 3: the loss became NaN/);
 * ```
 */
export class TrainingDivergedError extends Error {
  /** The 1-based epoch whose loss (or weights) were not finite. */
  readonly epoch: number;
  /** The loss (NaN or ±Infinity; the epoch's finite loss when a weight became non-finite first). */
  readonly loss: number;
  /** The learning rate of that epoch. */
  readonly learningRate: number;
  /** The first parameter that became non-finite while the loss stayed finite, as `layers[0].weights`. */
  readonly parameter?: string;

  /** Creates the error for `epoch`, whose `loss` (or `parameter`) was not finite at `learningRate`. */
  constructor(info: { epoch: number; loss: number; learningRate: number; parameter?: string }) {
    const became = info.parameter === undefined
      ? `the loss became ${info.loss}`
      : `${info.parameter} became non-finite (the loss was ${info.loss})`;
    super(
      `Training diverged at epoch ${info.epoch}: ${became}; the weights of epoch ${
        info.epoch - 1
      } were restored (try a learning rate below ${info.learningRate})`,
    );
    this.name = "TrainingDivergedError";
    this.epoch = info.epoch;
    this.loss = info.loss;
    this.learningRate = info.learningRate;
    if (info.parameter !== undefined) this.parameter = info.parameter;
  }
}

/** The longest value a message quotes whole; a longer one is cut to this many characters ending in "…". */
export const MAX_QUOTED_LENGTH = 60;

function shorten(text: string): string {
  return text.length <= MAX_QUOTED_LENGTH ? text : `${text.slice(0, MAX_QUOTED_LENGTH - 1)}…`;
}

/**
 * Quotes a value from a user's file or command line for a message: in double quotes, cut to
 * {@linkcode MAX_QUOTED_LENGTH} characters with "…", so a 100 KB value does not fill the terminal.
 *
 * @example
 * ```ts
 * import { quoteValue } from "./errors.ts";
 * console.assert(quoteValue("fast") === '"fast"');
 * console.assert(quoteValue("x".repeat(1000)).length === 62);
 * ```
 */
export function quoteValue(text: string): string {
  return `"${shorten(text)}"`;
}

/**
 * Cuts every quoted value in a message (`"…"` or `'…'`) that is longer than {@linkcode MAX_QUOTED_LENGTH}
 * characters, for messages built from values of any length; the CLI applies it to every error line.
 *
 * @example
 * ```ts
 * import { shortenQuotedValues } from "./errors.ts";
 * const message = shortenQuotedValues(`unknown key '${"k".repeat(100)}' at the top level`);
 * console.assert(message === `unknown key '${"k".repeat(59)}…' at the top level`);
 * const prose = `Option '--epochs' is ambiguous. ${"Long prose. ".repeat(9)}Use '--epochs=-3'.`;
 * console.assert(shortenQuotedValues(prose) === prose);
 * ```
 */
export function shortenQuotedValues(message: string): string {
  // Quotes pair left to right; an opening quote follows a space, a bracket or the start, and a closing one is
  // followed by a space, punctuation or the end, so prose between two short quoted values is never taken for one.
  return message.replace(
    /(^|[\s(\[=:,])(["'])((?:(?!\2).)*)\2(?=$|[\s)\],.;:!?…])/g,
    (_, before: string, quote: string, inner: string) => `${before}${quote}${shorten(inner)}${quote}`,
  );
}

/**
 * A download (`deno task fetch`) failed: the server refused or kept breaking the connection, or the file's SHA-256
 * is not the published one. Its `file` is the URL. The CLI exits 1: a runtime failure, not bad input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DownloadError } from "./errors.ts";
 *
 * const error = new DownloadError("Cannot download: the server refused the connection", { file: "https://example.com/x.gz" });
 * assert.match(error.message, /^https:\/\/example\.com\/x\.gz: Cannot download/);
 * ```
 */
export class DownloadError extends UserFileError {}
