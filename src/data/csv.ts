// CSV: an RFC 4180 parser (header row, quoted fields, CRLF) and the conversion of a table into a Dataset.

import { DataError } from "../errors.ts";
import { Dataset, type Task } from "./dataset.ts";

/** A parsed CSV file: the header, the records, and the 1-based line where each record starts. */
export interface CsvTable {
  /** Column names from the first row. */
  header: string[];
  /** Records, each with `header.length` fields. */
  rows: string[][];
  /** `lines[i]` is the line in the file where `rows[i]` starts (for messages). */
  lines: number[];
}

/** Options for {@linkcode parseCsv}. */
export interface ParseCsvOptions {
  /** The file name for messages, as the user wrote it. */
  file?: string;
}

/**
 * Parses CSV text: the first record is the header; fields may be quoted (`"a, b"`, `"say ""hi"""`, newlines
 * inside quotes); CRLF and LF both end records; blank lines and a trailing newline are skipped. A record with
 * the wrong number of fields, a broken quote or two columns of the same name throws a `DataError` naming
 * `file:line`.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * const table = parseCsv('a,b\n1,"x, y"\n');
 * console.assert(table.rows[0][1] === "x, y");
 * ```
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const file = options.file;
  const records: string[][] = [], starts: number[] = [];
  let line = 1, i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte order mark
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = "";
    let ended = false, quoted = false;
    while (!ended) {
      if (i < n && text[i] === '"') {
        // A quoted field: runs to the closing quote; "" is an escaped quote.
        quoted = true;
        i++;
        for (;;) {
          if (i >= n) {
            throw new DataError("Cannot parse CSV: unterminated quoted field", { file, line: start });
          }
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          field += ch;
          i++;
        }
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new DataError("Cannot parse CSV: unexpected text after a closing quote", { file, line });
        }
      } else {
        const from = i;
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"') {
            throw new DataError("Cannot parse CSV: a quote inside an unquoted field", { file, line });
          }
          i++;
        }
        field = text.slice(from, i);
      }
      fields.push(field);
      field = "";
      if (i < n && text[i] === ",") {
        i++;
      } else {
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        line++;
        ended = true;
      }
    }
    if (fields.length === 1 && fields[0].trim() === "" && !quoted) continue; // a blank line
    records.push(fields);
    starts.push(start);
  }
  if (records.length === 0) throw new DataError("Cannot parse CSV: the file is empty", { file });
  const header = records[0].map((name) => name.trim());
  const columns = new Map<string, number>();
  header.forEach((name, j) => {
    const earlier = columns.get(name);
    if (earlier !== undefined) {
      throw new DataError(
        `Cannot parse CSV: columns ${earlier + 1} and ${
          j + 1
        } are both named "${name}" (column names must differ)`,
        { file, line: starts[0] },
      );
    }
    columns.set(name, j);
  });
  const rows = records.slice(1), lines = starts.slice(1);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r].length !== header.length) {
      throw new DataError(`expected ${header.length} fields, got ${rows[r].length}`, {
        file,
        line: lines[r],
      });
    }
  }
  return { header, rows, lines };
}

/** Options for {@linkcode csvToDataset}. */
export interface CsvDatasetOptions {
  /** The target column. */
  target: string;
  /** Feature columns, in this order; default all columns but the target. */
  features?: readonly string[];
  /** Force the task; default: regression when every target value is a number, classification otherwise. */
  task?: Task;
  /** Class names in index order; default the distinct target values sorted alphabetically. */
  classNames?: readonly string[];
  /** Keep only the first `limit` rows. */
  limit?: number;
  /** The file name for messages. */
  file?: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a field is written as a plain decimal number (which may still be too large for a double). */
function isNumberText(text: string): boolean {
  return NUMBER.test(text.trim());
}

/** Reads a field as a finite number, or returns NaN when it is not a plain decimal number or overflows (1e999). */
function toNumber(text: string): number {
  const trimmed = text.trim();
  const value = NUMBER.test(trimmed) ? Number(trimmed) : NaN;
  return Number.isFinite(value) ? value : NaN;
}

/** What is wrong with a field that `toNumber` refused. */
function notANumber(text: string): string {
  return isNumberText(text)
    ? `expected a finite number, got "${text}" (beyond the largest double, about 1.8e308)`
    : `expected a number, got "${text}"`;
}

function columnIndex(table: CsvTable, name: string, what: string, file: string | undefined): number {
  const index = table.header.indexOf(name);
  if (index < 0) {
    const known = table.header.map((column) => `"${column}"`).join(", ");
    // one column whose name holds another separator: a file of semicolon- or tab-separated values
    const separator = table.header.length === 1
      ? [";", "\t"].find((c) => table.header[0].includes(c))
      : undefined;
    const hint = separator === undefined
      ? ""
      : ` (the file seems to separate its values with ${separator === ";" ? "semicolons" : "tabs"}; ` +
        "termnet reads comma-separated values)";
    throw new DataError(`Cannot find ${what} column "${name}": the columns are ${known}${hint}`, { file });
  }
  return index;
}

/**
 * Builds a dataset from a CSV table. Features must be numbers. A target column whose values are all numbers
 * is a regression target; otherwise its distinct strings are classes, indexed in ALPHABETICAL order (so the
 * order does not depend on how the rows are shuffled) unless `classNames` gives the order.
 *
 * @example
 * ```ts
 * import { csvToDataset, parseCsv } from "./csv.ts";
 * const data = csvToDataset(parseCsv("x,kind\n1,b\n2,a\n"), { target: "kind" });
 * console.assert(data.classNames?.join() === "a,b" && data.labels?.[0] === 1);
 * ```
 */
export function csvToDataset(table: CsvTable, options: CsvDatasetOptions): Dataset {
  const file = options.file;
  const targetIndex = columnIndex(table, options.target, "target", file);
  const featureNames = options.features !== undefined
    ? [...options.features]
    : table.header.filter((_, j) => j !== targetIndex);
  const featureIndex = featureNames.map((name) => columnIndex(table, name, "feature", file));
  if (featureIndex.includes(targetIndex)) {
    throw new DataError(`Cannot use column "${options.target}" as both a feature and the target`, { file });
  }
  if (featureNames.length === 0) {
    throw new DataError("Cannot build dataset: no feature columns besides the target", { file });
  }
  const count = options.limit === undefined ? table.rows.length : Math.min(options.limit, table.rows.length);
  if (count === 0) throw new DataError("Cannot build dataset: the file has no data rows", { file });
  const d = featureNames.length;
  const features = new Float64Array(count * d);
  for (let r = 0; r < count; r++) {
    const row = table.rows[r];
    for (let j = 0; j < d; j++) {
      const text = row[featureIndex[j]];
      const value = toNumber(text);
      if (Number.isNaN(value)) {
        throw new DataError(`column "${featureNames[j]}": ${notANumber(text)}`, {
          file,
          line: table.lines[r],
        });
      }
      features[r * d + j] = value;
    }
  }
  const targetTexts = table.rows.slice(0, count).map((row) => row[targetIndex]);
  const numeric = targetTexts.every(isNumberText);
  const task = options.task ??
    (numeric && options.classNames === undefined ? "regression" : "classification");
  if (task === "regression") {
    const targets = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      targets[r] = toNumber(targetTexts[r]);
      if (Number.isNaN(targets[r])) {
        throw new DataError(`column "${options.target}": ${notANumber(targetTexts[r])}`, {
          file,
          line: table.lines[r],
        });
      }
    }
    return new Dataset({ inputSize: d, features, task, targets, targetSize: 1, featureNames });
  }
  const trimmed = targetTexts.map((text) => text.trim());
  const classNames = options.classNames !== undefined
    ? [...options.classNames]
    : [...new Set(trimmed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classNames.length < 2) {
    throw new DataError(
      `column "${options.target}": a classification target needs at least 2 classes, got ${classNames.length}`,
      { file },
    );
  }
  const indexOf = new Map(classNames.map((name, c) => [name, c]));
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const c = indexOf.get(trimmed[r]);
    if (c === undefined) {
      const known = classNames.map((name) => `"${name}"`).join(", ");
      throw new DataError(
        `column "${options.target}": unknown class "${trimmed[r]}", expected one of ${known}`,
        {
          file,
          line: table.lines[r],
        },
      );
    }
    labels[r] = c;
  }
  return new Dataset({ inputSize: d, features, task, labels, classNames, featureNames });
}
