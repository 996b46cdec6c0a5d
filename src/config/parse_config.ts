// parseConfig: YAML text or a plain value -> a checked, readonly TrainConfig whose errors name key path and line:col.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringifyYaml,
  type YamlNode,
} from "../deps.ts";
import { ConfigError, type FileLocation, ParseError } from "../errors.ts";
import { withoutYamlEnvReads } from "./_yaml_env.ts";
import { type Schedule, SCHEDULE_NAMES } from "../nn/schedules.ts";
import {
  BACKEND_NAMES,
  DATA_SOURCES,
  type DataConfig,
  type DataSourceName,
  DEFAULT_EPOCHS,
  DEFAULT_HIDDEN,
  DEFAULT_PATIENCE,
  DEFAULT_SEED,
  defaultLearningRate,
  DTYPE_NAMES,
  type EarlyStopConfig,
  GENERATED_SOURCES,
  HIDDEN_ACTIVATIONS,
  type HiddenActivationName,
  INIT_NAMES,
  KNOWN_KEYS,
  type LayerConfig,
  LOSS_NAMES,
  MAX_SIZE,
  MONITOR_NAMES,
  NAMED_SOURCES,
  type NetworkConfig,
  NORMALIZE_NAMES,
  OPTIMIZER_NAMES,
  OUTPUT_ACTIVATIONS,
  type OutputConfig,
  SCHEDULE_KEYS,
  TASK_NAMES,
  type TestSourceConfig,
  type TrainConfig,
  type TrainSection,
} from "./schema.ts";

/** Largest config file accepted, in UTF-16 code units (about bytes for ASCII): 1 MiB. */
export const MAX_CONFIG_SIZE = 1024 * 1024;
/** Largest number of alias expansions accepted (guards against alias bombs). */
export const MAX_ALIAS_COUNT = 100;

/** One step of a key path: a mapping key or a list index (`["network", "hidden", 0]`). */
export type PathSegment = string | number;

/** Formats key path segments: `["network", "hidden", 1, "units"]` → `network.hidden[1].units`. */
export function formatKeyPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

function parseKeyPath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  for (const part of path.split(".")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return undefined;
    segments.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

interface Override {
  segments: PathSegment[];
  raw: string;
}

/**
 * A parsed YAML config that keeps node positions, so errors can name line and column. Syntax errors (and texts
 * over 1 MiB) throw a `ParseError` with file, line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigDocument } from "./parse_config.ts";
 *
 * const doc = new ConfigDocument("data:\n  source: xor\n", { file: "xor.yaml" });
 * assert.deepEqual(doc.locate(["data", "source"]), { file: "xor.yaml", line: 2, column: 11, path: "data.source" });
 * assert.deepEqual(doc.toPlain(), { data: { source: "xor" } });
 * ```
 */
export class ConfigDocument {
  /** The file name for messages, as the user gave it. */
  readonly file?: string;
  // the YAML document (with node ranges) and the map from offsets to line and column
  #document: Document;
  #lineCounter: LineCounter;
  #overrides: readonly Override[];

  /** Parses YAML text; {@linkcode parseConfigYaml} does the same as a function. */
  constructor(text: string, options: ParseConfigYamlOptions = {}) {
    const file = options.file;
    this.file = file;
    this.#overrides = [];
    if (text.length > MAX_CONFIG_SIZE) {
      throw new ParseError(`Cannot parse the config: it is larger than 1 MiB (${text.length} characters)`, {
        file,
      });
    }
    const lineCounter = new LineCounter();
    // npm:yaml's own uniqueKeys check compares each key with every earlier one (50,000 keys took 24 s), so
    // duplicates are found here instead, in one pass with a Set per map.
    const document = withoutYamlEnvReads(() =>
      parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
    );
    const error = document.errors[0];
    if (error !== undefined) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new ParseError(`Cannot parse YAML: ${message}`, { file, line, column: col });
    }
    const duplicate = firstDuplicateKey(document.contents);
    if (duplicate !== undefined) {
      const { line, col } = lineCounter.linePos(duplicate);
      throw new ParseError("Cannot parse YAML: Map keys must be unique", { file, line, column: col });
    }
    this.#document = document;
    this.#lineCounter = lineCounter;
  }

  /**
   * The document as plain data (aliases expanded, at most 100 expansions); a `ParseError` past that limit.
   */
  toPlain(): unknown {
    try {
      return this.#document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.includes("Excessive alias count")) {
        throw new ParseError(
          `Cannot expand YAML aliases: more than ${MAX_ALIAS_COUNT} expansions (is it an alias bomb?)`,
          { file: this.file },
        );
      }
      throw new ParseError(`Cannot read YAML: ${message}`, { file: this.file });
    }
  }

  /** A copy of this document with `value` set at `segments`, remembered as the `--set` text `raw`. */
  withOverride(segments: readonly PathSegment[], value: unknown, raw: string): ConfigDocument {
    const document = this.#document.clone();
    const copy = new ConfigDocument("", { file: this.file });
    copy.#document = document;
    copy.#lineCounter = this.#lineCounter;
    copy.#overrides = [...this.#overrides, { segments: [...segments], raw }];
    if (document.contents === null || document.contents === undefined || isScalar(document.contents)) {
      if (isScalar(document.contents) && document.contents.value !== null) {
        throw new ConfigError("Cannot apply the override: the config is not a mapping", {
          file: `--set ${raw}`,
        });
      }
      document.contents = document.createNode({});
    }
    // An empty section (`train:` with nothing under it) is null: give it an empty mapping (or list) first, so
    // `--epochs 2` on such a file sets train.epochs instead of failing.
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i);
      const node = document.getIn(prefix, true);
      if (isScalar(node) && (node.value === null || node.value === undefined)) {
        document.setIn(prefix, document.createNode(typeof segments[i] === "number" ? [] : {}));
      }
      // An index past the end of a list would leave empty entries in between, blamed on the file's line.
      const index = segments[i];
      if (typeof index === "number") {
        const list = document.getIn(prefix, true);
        const length = isSeq(list) ? list.items.length : 0;
        if (index > length) {
          const listPath = formatKeyPath(prefix);
          throw new ConfigError(
            `Cannot apply the override: ${listPath} has ${length} entries, so [${index}] would leave a gap ` +
              `(use an index up to ${length})`,
            { file: `--set ${raw}` },
          );
        }
      }
    }
    document.setIn(segments, document.createNode(value));
    return copy;
  }

  /** Where the key (or, with `key: true`, the key itself rather than its value) at `segments` is written. */
  locate(segments: readonly PathSegment[], options: { key?: boolean } = {}): FileLocation {
    const path = formatKeyPath(segments);
    for (let k = this.#overrides.length - 1; k >= 0; k--) {
      const override = this.#overrides[k];
      if (override.segments.every((segment, i) => segments[i] === segment)) {
        return { file: `--set ${override.raw}`, path };
      }
    }
    let node: unknown = this.#document.contents;
    let found: unknown = node;
    for (let i = 0; i < segments.length && node !== undefined && node !== null; i++) {
      if (isAlias(node)) node = node.resolve(this.#document);
      const segment = segments[i];
      let next: unknown = undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
        if (pair !== undefined) {
          next = options.key && i === segments.length - 1 ? pair.key : pair.value ?? pair.key;
        }
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      node = next;
      if (next !== undefined && next !== null) found = next;
    }
    const range = (found as YamlNode | null | undefined)?.range;
    if (range === undefined || range === null) return { file: this.file, path };
    const { line, col } = this.#lineCounter.linePos(range[0]);
    return { file: this.file, line, column: col, path };
  }
}

/** Options for {@linkcode parseConfigYaml}. */
export interface ParseConfigYamlOptions {
  /** The file name for messages. */
  file?: string;
}

/**
 * Parses YAML text into a {@linkcode ConfigDocument}; syntax errors (and files over 1 MiB) throw a
 * `ParseError` with file, line and column.
 *
 * @example
 * ```ts
 * import { parseConfig, parseConfigYaml } from "./parse_config.ts";
 * const config = parseConfig(parseConfigYaml("data: { source: xor }\n", { file: "xor.yaml" }));
 * console.assert(config.name === "xor" && config.data.source === "xor");
 * ```
 */
export function parseConfigYaml(text: string, options: ParseConfigYamlOptions = {}): ConfigDocument {
  return new ConfigDocument(text, options);
}

/**
 * The offset of the first key that repeats an earlier scalar key of the same map (compared by value, as npm:yaml's
 * `uniqueKeys` does), or `undefined`. Linear in the number of nodes; walks with an explicit stack, so deep
 * nesting cannot overflow the call stack; aliases are not followed.
 */
function firstDuplicateKey(root: unknown): number | undefined {
  const stack: unknown[] = [root];
  let first: number | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          if (seen.has(key.value)) {
            const offset = key.range?.[0] ?? 0;
            if (first === undefined || offset < first) first = offset;
          }
          seen.add(key.value);
        } else {
          stack.push(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return first;
}

/** Options for {@linkcode parseConfig}. */
export interface ParseConfigOptions {
  /** The file name for messages and the default run name (overrides the document's). */
  file?: string;
}

// Configs whose output.dir was written (in the file or by an override) rather than defaulted.
const DIR_WRITTEN = new WeakSet<object>();

/**
 * Whether `config`'s output.dir was written (in the config file or by a `--set`) rather than the default
 * `runs/<name>`: a written one resolves against the config's folder, the default against the user's folder.
 */
export function outputDirWritten(config: TrainConfig): boolean {
  return DIR_WRITTEN.has(config);
}

// Locations of parsed configs and their sections, for errors found later (e.g. against the data).
const LOCATORS = new WeakMap<object, (segments: readonly PathSegment[]) => FileLocation>();

/**
 * Where a key of a parsed config was written, for errors found after parsing (e.g. when the data disagrees).
 * `part` is the config or one of its sections; `path` is the full key path, e.g. `"network.input"`.
 */
export function configLocation(part: object, path: string): FileLocation {
  const locator = LOCATORS.get(part);
  const segments = parseKeyPath(path);
  if (locator === undefined || segments === undefined) return { path };
  return locator(segments);
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** A positive size in bytes from a number or a text such as `8GiB`, `512 MiB` or `2GB`, or undefined. */
function parseByteSize(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match === null ? undefined : BYTE_UNITS[match[2].toLowerCase()];
  if (match === null || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    return value.trim() !== "" && !Number.isNaN(Number(value)) ? `the string "${value}"` : `"${value}"`;
  }
  return `"${String(value)}"`;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** The closest known word within a small edit distance, if any. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined, bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Names other libraries use for a key, which no edit distance finds (`lr` is closer to `l2`). */
const KEY_ALIASES: Record<string, string> = {
  lr: "learning_rate",
  units: "hidden",
  layers: "hidden",
  model: "network",
  dataset: "data",
  training: "train",
};

/** The unknown-key message, e.g. `unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)`. */
export function unknownKeyMessage(key: string, section: string): string {
  const known = KNOWN_KEYS[section.replace(/\[\d+\]/g, "[]")] ?? [];
  const alias = KEY_ALIASES[key.toLowerCase()];
  const near = alias !== undefined && known.includes(alias) ? alias : suggest(key, known);
  const where = section === "" ? "at the top level" : `in ${section}`;
  return `unknown key '${key}' ${where}${near !== undefined ? ` (did you mean '${near}'?)` : ""}`;
}

type Json = Record<string, unknown>;

// Reads and checks values out of the plain value, throwing located ConfigErrors.
class Checker {
  #locate: (segments: readonly PathSegment[], options?: { key?: boolean }) => FileLocation;

  constructor(locate: (segments: readonly PathSegment[], options?: { key?: boolean }) => FileLocation) {
    this.#locate = locate;
  }

  fail(segments: readonly PathSegment[], detail: string): never {
    throw new ConfigError(detail, this.#locate(segments));
  }

  // A mapping (or undefined when absent and optional), with unknown keys rejected.
  mapping(value: unknown, segments: readonly PathSegment[], section: string): Json | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.fail(segments, `must be a mapping, got ${describe(value)}`);
    }
    const known = KNOWN_KEYS[section] ?? [];
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const location = this.#locate([...segments, key], { key: true });
        throw new ConfigError(unknownKeyMessage(key, formatKeyPath(segments)), {
          ...location,
          path: undefined,
        });
      }
    }
    return value as Json;
  }

  oneOf<T extends string>(value: unknown, segments: readonly PathSegment[], choices: readonly T[]): T {
    if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
    const near = typeof value === "string" ? suggest(value, choices) : undefined;
    this.fail(
      segments,
      `must be one of ${choices.join(", ")}, got ${describe(value)}${
        near !== undefined ? ` (did you mean "${near}"?)` : ""
      }`,
    );
  }

  number(
    value: unknown,
    segments: readonly PathSegment[],
    kind: "positive" | "non-negative" | "fraction",
  ): number {
    const ok = typeof value === "number" && Number.isFinite(value) &&
      (kind === "positive" ? value > 0 : kind === "non-negative" ? value >= 0 : value >= 0 && value < 1);
    if (!ok) {
      const what = kind === "fraction" ? "a number from 0 up to (not including) 1" : `a ${kind} number`;
      this.fail(segments, `must be ${what}, got ${describe(value)}`);
    }
    return value as number;
  }

  integer(value: unknown, segments: readonly PathSegment[], kind: "positive" | "non-negative"): number {
    const ok = typeof value === "number" && Number.isSafeInteger(value) &&
      (kind === "positive" ? value > 0 : value >= 0);
    if (!ok) this.fail(segments, `must be a ${kind} integer, got ${describe(value)}`);
    if ((value as number) > MAX_SIZE) {
      this.fail(segments, `must be at most ${MAX_SIZE}, got ${describe(value)}`);
    }
    return value as number;
  }

  boolean(value: unknown, segments: readonly PathSegment[]): boolean {
    if (typeof value !== "boolean") this.fail(segments, `must be true or false, got ${describe(value)}`);
    return value;
  }

  string(value: unknown, segments: readonly PathSegment[]): string {
    if (typeof value !== "string" || value.trim() === "") {
      this.fail(segments, `must be a non-empty string, got ${describe(value)}`);
    }
    return value;
  }

  strings(value: unknown, segments: readonly PathSegment[], minimum: number): string[] {
    if (!Array.isArray(value)) this.fail(segments, `must be a list of names, got ${describe(value)}`);
    const out = value.map((item, i) =>
      this.string(typeof item === "number" ? String(item) : item, [...segments, i])
    );
    if (out.length < minimum) this.fail(segments, `must list at least ${minimum} names, got ${out.length}`);
    const seen = new Set<string>();
    out.forEach((name, i) => {
      if (seen.has(name)) this.fail([...segments, i], `lists "${name}" twice`);
      seen.add(name);
    });
    return out;
  }
}

function nameFromFile(file: string | undefined): string {
  if (file === undefined || file.startsWith("--set")) return "run";
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return stem === "" ? "run" : stem;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The document's plain data; its errors name `file` (the caller's name for it) instead of the document's. */
function plainOf(input: ConfigDocument, file: string | undefined): unknown {
  try {
    return input.toPlain();
  } catch (error) {
    if (error instanceof ParseError && file !== input.file) throw new ParseError(error.detail, { file });
    throw error;
  }
}

/**
 * Checks a config (a {@linkcode ConfigDocument} from YAML, or an already plain value) and fills the defaults.
 * Errors are `ConfigError`s with `file`, `line`, `column` and `path`, e.g.
 * `xor.yaml:7:18: train.learning_rate: must be a positive number, got "fast"`.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./parse_config.ts";
 * const config = parseConfig({ data: { source: "xor" }, network: { hidden: [3, 3] } }, { file: "xor.yaml" });
 * console.assert(config.network.hidden[1].units === 3 && config.seed === 42);
 * ```
 */
export function parseConfig(input: ConfigDocument | unknown, options: ParseConfigOptions = {}): TrainConfig {
  const isDocument = input instanceof ConfigDocument;
  const file = options.file ?? (isDocument ? input.file : undefined);
  const plain = isDocument ? plainOf(input, file) : input;
  const locate = isDocument
    ? (segments: readonly PathSegment[], opts?: { key?: boolean }) => {
      const location = input.locate(segments, opts);
      return location.file === input.file ? { ...location, file } : location;
    }
    : (segments: readonly PathSegment[]) => ({ file, path: formatKeyPath(segments) });
  const check = new Checker(locate);
  if (plain === null || plain === undefined) {
    throw new ConfigError("Cannot read the config: the file is empty", { file });
  }
  const root = check.mapping(plain, [], "")!;

  const name = root.name === undefined ? nameFromFile(file) : check.string(root.name, ["name"]);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    check.fail(["name"], `must use only letters, digits, ".", "_" and "-", got ${describe(name)}`);
  }
  // a name is a plain folder name: "..", "." or a hidden name would put the run elsewhere (or among temporaries)
  if (name.startsWith(".")) {
    check.fail(["name"], `must be a plain name not starting with ".", got ${describe(name)}`);
  }
  const seed = root.seed === undefined ? DEFAULT_SEED : check.integer(root.seed, ["seed"], "non-negative");
  const data = parseData(check, root.data);
  const network = parseNetwork(check, root.network);
  const train = parseTrain(check, root.train, data);
  const outputJson = check.mapping(root.output, ["output"], "output") ?? {};
  const output: OutputConfig = {
    dir: outputJson.dir === undefined ? `runs/${name}` : check.string(outputJson.dir, ["output", "dir"]),
  };
  crossCheck(check, network, train);

  const config: TrainConfig = deepFreeze({ name, seed, data, network, train, output });
  if (outputJson.dir !== undefined) DIR_WRITTEN.add(config);
  for (const part of [config, config.data, config.network, config.train, config.output]) {
    LOCATORS.set(part, locate);
  }
  return config;
}

function parseData(check: Checker, value: unknown): DataConfig {
  const at = (key: string) => ["data", key];
  if (value === undefined || value === null) check.fail(["data"], `is required (a mapping with a source)`);
  const json = check.mapping(value, ["data"], "data")!;
  if (json.source === undefined) check.fail(at("source"), `is required (one of ${DATA_SOURCES.join(", ")})`);
  const source = check.oneOf(json.source, at("source"), DATA_SOURCES);
  const generated = GENERATED_SOURCES.includes(source);
  const onlyFor = (key: string, sources: readonly DataSourceName[], what: string) => {
    if (json[key] !== undefined && !sources.includes(source)) {
      check.fail(at(key), `only used with ${what}, not with source "${source}"`);
    }
  };
  const generatedWhat = `generated sources (${GENERATED_SOURCES.join(", ")})`;
  onlyFor("samples", GENERATED_SOURCES, generatedWhat);
  onlyFor("noise", GENERATED_SOURCES, generatedWhat);
  for (const key of ["path", "target", "features", "task"]) onlyFor(key, ["csv"], `source "csv"`);
  if (json.image !== undefined && source !== "csv") {
    const why = source === "idx" ? " (IDX files carry their image size)" : "";
    check.fail(at("image"), `only used with source "csv", not with source "${source}"${why}`);
  }
  for (const key of ["images", "labels"]) onlyFor(key, ["idx"], `source "idx"`);
  onlyFor("class_names", ["csv", "idx"], `source "csv" or "idx"`);
  onlyFor("dir", NAMED_SOURCES, `named sources (${NAMED_SOURCES.join(", ")})`);

  const required = (key: string) => {
    if (json[key] === undefined) check.fail(at(key), `is required with source "${source}"`);
    return check.string(json[key], at(key));
  };
  const out: Record<string, unknown> = { source };
  if (generated) {
    if (json.samples !== undefined) out.samples = check.integer(json.samples, at("samples"), "positive");
    if (json.noise !== undefined) out.noise = check.number(json.noise, at("noise"), "non-negative");
  } else if (source === "csv") {
    out.path = required("path");
    out.target = required("target");
    if (json.features !== undefined) out.features = check.strings(json.features, at("features"), 1);
    if (json.task !== undefined) out.task = check.oneOf(json.task, at("task"), TASK_NAMES);
    if (json.image !== undefined) out.image = parseImageSize(check, json.image);
  } else if (NAMED_SOURCES.includes(source)) {
    if (json.dir !== undefined) out.dir = check.string(json.dir, at("dir"));
  } else {
    out.images = required("images");
    out.labels = required("labels");
  }
  if (json.class_names !== undefined) out.classNames = check.strings(json.class_names, at("class_names"), 2);
  if (json.limit !== undefined) out.limit = check.integer(json.limit, at("limit"), "positive");
  out.testSplit = json.test_split === undefined
    ? 0
    : check.number(json.test_split, at("test_split"), "fraction");
  if (json.test !== undefined) {
    if (json.test_split !== undefined && json.test_split !== 0) {
      check.fail(at("test_split"), "cannot be combined with data.test (give one or the other)");
    }
    out.test = parseTestSource(check, json.test, source);
  }
  out.normalize = json.normalize === undefined
    ? "none"
    : check.oneOf(json.normalize, at("normalize"), NORMALIZE_NAMES);
  if (json.scale !== undefined && out.normalize !== "scale") {
    check.fail(at("scale"), `only used with normalize: scale, not with normalize: ${out.normalize}`);
  }
  if (out.normalize === "scale") {
    out.scale = json.scale === undefined ? 255 : check.number(json.scale, at("scale"), "positive");
  }
  return out as unknown as DataConfig;
}

// data.image: [height, width], two positive integers (the feature count is checked against the data on load).
function parseImageSize(check: Checker, value: unknown): [number, number] {
  const at = ["data", "image"];
  if (!Array.isArray(value) || value.length !== 2) {
    const got = Array.isArray(value) ? `a list of ${value.length}` : describe(value);
    check.fail(at, `must be a list [height, width] of two positive integers, got ${got}`);
  }
  const height = check.integer(value[0], [...at, 0], "positive");
  const width = check.integer(value[1], [...at, 1], "positive");
  return [height, width];
}

function parseTestSource(check: Checker, value: unknown, source: DataSourceName): TestSourceConfig {
  const base = ["data", "test"];
  const at = (key: string) => [...base, key];
  const json = check.mapping(value, base, "data.test");
  if (json === undefined) check.fail(base, `must be a mapping, got ${describe(value)}`);
  const allowed: readonly string[] = source === "csv"
    ? ["path", "limit"]
    : source === "idx"
    ? ["images", "labels", "limit"]
    : NAMED_SOURCES.includes(source)
    ? ["limit"]
    : ["samples", "noise", "limit"];
  for (const key of Object.keys(json)) {
    if (!allowed.includes(key)) {
      check.fail(at(key), `not used with source "${source}" (use ${allowed.join(", ")})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of ["path", "images", "labels"]) {
    if (allowed.includes(key)) {
      if (json[key] === undefined) check.fail(at(key), `is required with source "${source}"`);
      out[key] = check.string(json[key], at(key));
    }
  }
  if (json.samples !== undefined) out.samples = check.integer(json.samples, at("samples"), "positive");
  if (json.noise !== undefined) out.noise = check.number(json.noise, at("noise"), "non-negative");
  if (json.limit !== undefined) out.limit = check.integer(json.limit, at("limit"), "positive");
  return out as TestSourceConfig;
}

function parseNetwork(check: Checker, value: unknown): NetworkConfig {
  const at = (key: string) => ["network", key];
  const json = check.mapping(value, ["network"], "network") ?? {};
  const activation: HiddenActivationName = json.activation === undefined
    ? "relu"
    : check.oneOf(json.activation, at("activation"), HIDDEN_ACTIVATIONS);
  const hiddenValue = json.hidden === undefined ? DEFAULT_HIDDEN : json.hidden;
  if (!Array.isArray(hiddenValue)) {
    check.fail(
      at("hidden"),
      `must be a list of layer sizes or { units, activation }, got ${describe(hiddenValue)}`,
    );
  }
  const hidden: LayerConfig[] = hiddenValue.map((layer: unknown, i: number) => {
    const layerPath = ["network", "hidden", i];
    if (layer !== null && typeof layer === "object" && !Array.isArray(layer)) {
      const spec = check.mapping(layer, layerPath, "network.hidden[]")!;
      if (spec.units === undefined) check.fail([...layerPath, "units"], "is required");
      return {
        units: check.integer(spec.units, [...layerPath, "units"], "positive"),
        activation: spec.activation === undefined
          ? activation
          : check.oneOf(spec.activation, [...layerPath, "activation"], HIDDEN_ACTIVATIONS),
      };
    }
    return { units: check.integer(layer, layerPath, "positive"), activation };
  });
  const out: Record<string, unknown> = { hidden, activation };
  if (json.input !== undefined) out.input = check.integer(json.input, at("input"), "positive");
  if (json.output !== undefined) out.output = check.integer(json.output, at("output"), "positive");
  if (json.output_activation !== undefined) {
    out.outputActivation = check.oneOf(json.output_activation, at("output_activation"), OUTPUT_ACTIVATIONS);
  }
  out.init = json.init === undefined
    ? (activation === "relu" || activation === "leaky_relu" ? "he" : "xavier")
    : check.oneOf(json.init, at("init"), INIT_NAMES);
  if (json.dropout !== undefined) {
    const dropout = parseDropout(check, json.dropout, hidden.length);
    if (dropout.some((rate) => rate > 0)) out.dropout = dropout;
  }
  return out as unknown as NetworkConfig;
}

// network.dropout: one rate for every hidden layer, or a list with one rate per hidden layer.
function parseDropout(check: Checker, value: unknown, hidden: number): number[] {
  const at = ["network", "dropout"];
  if (hidden === 0) check.fail(at, "has no hidden layer to apply to (network.hidden is empty)");
  if (Array.isArray(value)) {
    if (value.length !== hidden) {
      check.fail(at, `must list one rate per hidden layer (${hidden}), got ${value.length}`);
    }
    return value.map((rate, i) => check.number(rate, [...at, i], "fraction"));
  }
  if (typeof value !== "number") {
    check.fail(at, `must be a rate from 0 up to (not including) 1 or a list of them, got ${describe(value)}`);
  }
  return new Array(hidden).fill(check.number(value, at, "fraction"));
}

// train.schedule: a name (`cosine`, with the defaults) or a mapping with `type` and that type's keys.
function parseSchedule(
  check: Checker,
  value: unknown,
  train: { epochs: number; learningRate: number },
): Schedule {
  const base = ["train", "schedule"];
  const at = (key: string) => [...base, key];
  let json: Json;
  if (typeof value === "string") {
    json = { type: value };
  } else {
    const mapping = check.mapping(value, base, "train.schedule");
    if (mapping === undefined) {
      check.fail(base, `must be a schedule name or a mapping with a type, got ${describe(value)}`);
    }
    json = mapping;
  }
  if (json.type === undefined) check.fail(at("type"), `is required (one of ${SCHEDULE_NAMES.join(", ")})`);
  const type = check.oneOf(json.type, typeof value === "string" ? base : at("type"), SCHEDULE_NAMES);
  const keys = SCHEDULE_KEYS[type];
  for (const key of Object.keys(json)) {
    if (key !== "type" && !(key in keys)) {
      const users = SCHEDULE_NAMES.filter((name) => key in SCHEDULE_KEYS[name]).join(" or ");
      check.fail(at(key), `only used with type: ${users}, not with type: ${type}`);
    }
  }
  const read = (key: string) => json[key] ?? keys[key];
  // a factor that multiplies the rate: above 0, at most 1 (below 1 when `open`)
  const factor = (key: string, open: boolean): number => {
    const v = read(key);
    if (typeof v !== "number" || !(v > 0) || !(open ? v < 1 : v <= 1)) {
      check.fail(at(key), `must be a number above 0 and ${open ? "below" : "at most"} 1, got ${describe(v)}`);
    }
    return v;
  };
  const minimum = (): number => {
    const v = check.number(read("min_learning_rate"), at("min_learning_rate"), "non-negative");
    if (v >= train.learningRate) {
      check.fail(
        at("min_learning_rate"),
        `must be below train.learning_rate (${train.learningRate}), got ${describe(v)}`,
      );
    }
    return v;
  };
  switch (type) {
    case "step":
      return {
        type,
        every: check.integer(read("every"), at("every"), "positive"),
        factor: factor("factor", false),
      };
    case "exponential":
      return { type, gamma: factor("gamma", false) };
    case "cosine": {
      const warmupEpochs = check.integer(read("warmup_epochs"), at("warmup_epochs"), "non-negative");
      if (warmupEpochs >= train.epochs) {
        check.fail(
          at("warmup_epochs"),
          `must be fewer than train.epochs (${train.epochs}), got ${describe(warmupEpochs)}`,
        );
      }
      return { type, warmupEpochs, minLearningRate: minimum() };
    }
    case "plateau":
      return {
        type,
        patience: check.integer(read("patience"), at("patience"), "positive"),
        factor: factor("factor", true),
        minLearningRate: minimum(),
      };
  }
}

function parseTrain(check: Checker, value: unknown, data: DataConfig): TrainSection {
  const at = (key: string) => ["train", key];
  const json = check.mapping(value, ["train"], "train") ?? {};
  const optimizer = json.optimizer === undefined
    ? "sgd"
    : check.oneOf(json.optimizer, at("optimizer"), OPTIMIZER_NAMES);
  for (const key of ["momentum", "nesterov"]) {
    if (json[key] !== undefined && optimizer !== "momentum") {
      check.fail(at(key), `only used with optimizer: momentum, not with optimizer: ${optimizer}`);
    }
  }
  const out: Record<string, unknown> = {
    epochs: json.epochs === undefined ? DEFAULT_EPOCHS : check.integer(json.epochs, at("epochs"), "positive"),
    learningRate: json.learning_rate === undefined
      ? defaultLearningRate(optimizer)
      : check.number(json.learning_rate, at("learning_rate"), "positive"),
    optimizer,
    momentum: json.momentum === undefined ? 0.9 : check.number(json.momentum, at("momentum"), "fraction"),
    nesterov: json.nesterov === undefined ? false : check.boolean(json.nesterov, at("nesterov")),
    l2: json.l2 === undefined ? 0 : check.number(json.l2, at("l2"), "non-negative"),
    shuffle: json.shuffle === undefined ? true : check.boolean(json.shuffle, at("shuffle")),
    backend: json.backend === undefined ? "auto" : check.oneOf(json.backend, at("backend"), BACKEND_NAMES),
    dtype: json.dtype === undefined ? "float64" : check.oneOf(json.dtype, at("dtype"), DTYPE_NAMES),
  };
  if (json.batch_size !== undefined) {
    out.batchSize = check.integer(json.batch_size, at("batch_size"), "positive");
  }
  if (json.loss !== undefined) out.loss = check.oneOf(json.loss, at("loss"), LOSS_NAMES);
  if (json.target_loss !== undefined) {
    out.targetLoss = check.number(json.target_loss, at("target_loss"), "positive");
  }
  if (json.threads === undefined) {
    out.threads = 1;
  } else if (json.threads === 1 || json.threads === 2) {
    out.threads = json.threads;
  } else {
    check.fail(at("threads"), `must be 1 or 2, got ${describe(json.threads)}`);
  }
  if (json.schedule !== undefined) {
    out.schedule = parseSchedule(check, json.schedule, {
      epochs: out.epochs as number,
      learningRate: out.learningRate as number,
    });
  }
  if (json.clip_norm !== undefined) out.clipNorm = check.number(json.clip_norm, at("clip_norm"), "positive");
  if (json.checkpoint_every !== undefined) {
    out.checkpointEvery = check.integer(json.checkpoint_every, at("checkpoint_every"), "positive");
  }
  if (json.memory_limit !== undefined) {
    const bytes = parseByteSize(json.memory_limit);
    if (bytes === undefined) {
      check.fail(
        at("memory_limit"),
        `expected a size in bytes such as 8GiB, 512MiB or 2000000000, got ${describe(json.memory_limit)}`,
      );
    }
    out.memoryLimit = bytes;
  }
  if (out.threads === 2 && out.backend === "js") {
    check.fail(at("threads"), `2 threads need backend wasm or auto, not backend js`);
  }
  if (json.early_stop !== undefined) {
    const base = ["train", "early_stop"];
    const stop = check.mapping(json.early_stop, base, "train.early_stop");
    if (stop === undefined) check.fail(base, `must be a mapping, got ${describe(json.early_stop)}`);
    const hasTest = data.testSplit > 0 || data.test !== undefined || NAMED_SOURCES.includes(data.source);
    const monitor = stop.monitor === undefined
      ? (hasTest ? "val_loss" : "loss")
      : check.oneOf(stop.monitor, [...base, "monitor"], MONITOR_NAMES);
    if (monitor.startsWith("val_") && !hasTest) {
      check.fail([...base, "monitor"], `"${monitor}" needs a test set (data.test_split or data.test)`);
    }
    const earlyStop: EarlyStopConfig = {
      monitor,
      patience: stop.patience === undefined
        ? DEFAULT_PATIENCE
        : check.integer(stop.patience, [...base, "patience"], "positive"),
      minDelta: stop.min_delta === undefined
        ? 0
        : check.number(stop.min_delta, [...base, "min_delta"], "non-negative"),
      restoreBest: stop.restore_best === undefined
        ? true
        : check.boolean(stop.restore_best, [...base, "restore_best"]),
    };
    out.earlyStop = earlyStop;
  }
  return out as unknown as TrainSection;
}

// Combinations that are wrong whatever the data is.
function crossCheck(check: Checker, network: NetworkConfig, train: TrainSection): void {
  const outputActivation = network.outputActivation;
  if (train.loss === "cross_entropy" && outputActivation !== undefined && outputActivation !== "softmax") {
    check.fail(
      ["train", "loss"],
      `cross_entropy needs output_activation: softmax, got output_activation: ${outputActivation}`,
    );
  }
  if (
    train.loss === "binary_cross_entropy" && outputActivation !== undefined && outputActivation !== "sigmoid"
  ) {
    check.fail(
      ["train", "loss"],
      `binary_cross_entropy needs output_activation: sigmoid, got output_activation: ${outputActivation}`,
    );
  }
  const softmax = outputActivation === "softmax" ||
    (outputActivation === undefined && train.loss === "cross_entropy");
  if (softmax && network.output === 1) {
    check.fail(["network", "output"], `softmax needs at least 2 output units, got "1"`);
  }
}

/**
 * Applies `--set key=value` overrides to a config document, before validation. Each value is parsed as YAML
 * (`network.hidden=[8,8]`); paths use dots and `[i]` (`network.hidden[0].units=4`). Unknown keys and
 * unparsable values throw a `ConfigError` naming the `--set` text.
 *
 * @example
 * ```ts
 * import { applyOverrides, parseConfig, parseConfigYaml } from "./parse_config.ts";
 * const doc = applyOverrides(parseConfigYaml("data: { source: xor }\n"), ["train.learning_rate=0.1"]);
 * console.assert(parseConfig(doc).train.learningRate === 0.1);
 * ```
 */
export function applyOverrides(doc: ConfigDocument, overrides: readonly string[]): ConfigDocument {
  let current = doc;
  for (const raw of overrides) {
    const file = `--set ${raw}`;
    const equals = raw.indexOf("=");
    if (equals <= 0) throw new ConfigError("Cannot apply the override: expected key=value", { file });
    const path = raw.slice(0, equals).trim();
    const valueText = raw.slice(equals + 1);
    const segments = parseKeyPath(path);
    if (segments === undefined) {
      throw new ConfigError(
        `Cannot apply the override: "${path}" is not a key path like train.learning_rate`,
        {
          file,
        },
      );
    }
    checkOverridePath(segments, file);
    const valueDoc = withoutYamlEnvReads(() => parseDocument(valueText, { prettyErrors: false }));
    if (valueDoc.errors.length > 0) {
      const message = valueDoc.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new ConfigError(`Cannot parse the value: ${message}`, { file });
    }
    let value: unknown;
    try {
      value = valueDoc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      throw new ConfigError(`Cannot parse the value: ${error instanceof Error ? error.message : error}`, {
        file,
      });
    }
    try {
      current = current.withOverride(segments, value, raw);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(
        `Cannot apply the override: ${error instanceof Error ? error.message : String(error)}`,
        { file },
      );
    }
  }
  return current;
}

function checkOverridePath(segments: readonly PathSegment[], file: string): void {
  let section = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const parent = formatKeyPath(segments.slice(0, i));
    if (typeof segment === "number") {
      if (section !== "network.hidden") {
        throw new ConfigError(`Cannot apply the override: ${parent} is not a list`, { file });
      }
      section = "network.hidden[]";
      continue;
    }
    const known = KNOWN_KEYS[section];
    if (known === undefined) {
      throw new ConfigError(`Cannot apply the override: ${parent} has no keys`, { file });
    }
    if (!known.includes(segment)) throw new ConfigError(unknownKeyMessage(segment, parent), { file });
    section = section === "" ? segment : `${section}.${segment}`;
  }
}

function hiddenToYaml(network: NetworkConfig): unknown[] {
  const uniform = network.hidden.every((layer) => layer.activation === network.activation);
  return network.hidden.map((layer) =>
    uniform ? layer.units : { units: layer.units, activation: layer.activation }
  );
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      out[key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)] = snakeKeys(child);
    }
    return out;
  }
  return value;
}

/**
 * The resolved config as YAML (snake_case keys, every default written out), for run folders; parsing it again
 * gives an equal config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig, parseConfigYaml, stringifyConfig } from "./parse_config.ts";
 *
 * const config = parseConfig({ data: { source: "xor" }, network: { hidden: [3, 3] } });
 * const text = stringifyConfig(config);
 * assert.match(text, /learning_rate: /); // defaults written out, snake_case
 * assert.deepEqual(parseConfig(parseConfigYaml(text)), config);
 * ```
 */
export function stringifyConfig(config: TrainConfig): string {
  // momentum and nesterov are only accepted with optimizer: momentum
  const { momentum: _momentum, nesterov: _nesterov, ...others } = config.train;
  const train = config.train.optimizer === "momentum" ? config.train : others;
  const plain = snakeKeys({ ...config, train, network: { ...config.network, hidden: [] } }) as Record<
    string,
    Json
  >;
  plain.network.hidden = hiddenToYaml(config.network);
  return stringifyYaml(plain, { lineWidth: 0 });
}
