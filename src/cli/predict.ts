// The predict command: runs a model on CSV rows from stdin or --input and prints its outputs.

import { readAllCapped, TooLargeError } from "../_read_capped.ts";
import { applyPreprocessing, type Preprocessing } from "../data/dataset.ts";
import { MAX_CSV_BYTES } from "../data/load.ts";
import { DataError } from "../errors.ts";
import { Matrix } from "../math/matrix.ts";
import { escapeControl } from "../ui/ansi.ts";
import { parse, UsageError } from "./_args.ts";
import { badInput, EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { loadModelNetwork, modelPath } from "./_load.ts";
import { print } from "./_print.ts";

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

function headerFields(line: string): string[] {
  return line.split(",").map((field) => field.trim().replace(/^"(.*)"$/, "$1"));
}

/**
 * Whether a predict input line is a header: its fields equal the model's feature names, or, when the model has
 * none, no field is a number. A row such as `5.1,,1.4,0.2` or `abc,3.5,1.4,0.2` is data with a mistake, not a
 * header.
 */
function isHeader(line: string, features: readonly string[] | undefined): boolean {
  const fields = headerFields(line);
  if (features !== undefined) {
    return fields.length === features.length && fields.every((field, j) => field === features[j].trim());
  }
  return fields.every((field) => field === "" || !Number.isFinite(Number(field))) &&
    fields.some((field) => field !== "");
}

/**
 * For a header that names every feature of the model once among other columns or in another order (the training
 * CSV itself, with its target column): the column of each feature, in the model's order. Otherwise undefined.
 */
function featureColumns(line: string, features: readonly string[] | undefined): number[] | undefined {
  if (features === undefined) return undefined;
  const fields = headerFields(line);
  const columns = features.map((name) => fields.indexOf(name.trim()));
  const once = features.every((name, j) => columns[j] >= 0 && fields.lastIndexOf(name.trim()) === columns[j]);
  return once ? columns : undefined;
}

/** A data row under such a header: the features' fields, by name, as numbers. */
function parseNamedRow(text: string, header: string[], columns: number[], where: string): number[] {
  const fields = text.split(",").map((field) => field.trim());
  if (fields.length !== header.length) {
    throw new DataError(
      `expected ${header.length} comma-separated fields as in the header, got ${fields.length}`,
      {
        file: where,
      },
    );
  }
  return columns.map((j) => {
    const field = fields[j], value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      throw new DataError(`column "${header[j]}": expected a number, got "${field}"`, { file: where });
    }
    return value;
  });
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

/** Runs `predict`: prints a model's outputs for input rows and returns the exit code. */
export async function commandPredict(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { input: { type: "string", multiple: true } });
  if (values.help) return print(HELP.predict), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("predict expects one model file (see --help)");
  const file = await modelPath(positionals[0]);
  const { model, network } = await loadModelNetwork(file);
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
      const columns = filled.length > 0 && !isHeader(filled[0].line, model.features)
        ? featureColumns(filled[0].line, model.features)
        : undefined;
      if (columns !== undefined) {
        // a header naming the features among other columns: each row's features picked by name
        const header = headerFields(filled.shift()!.line).map(escapeControl);
        rows = filled.map(({ line, number }) => parseNamedRow(line, header, columns, `stdin:${number}`));
      } else {
        if (filled.length > 0 && isHeader(filled[0].line, model.features)) filled.shift();
        rows = filled.map(({ line, number }) => parseRow(line, network.input, `stdin:${number}`));
      }
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
