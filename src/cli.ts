// The command-line entry point: the command table, main() mapping errors to exit codes, the process start.

import { UsageError } from "./cli/_args.ts";
import { checkBackendEnvironment, enterUserFolder } from "./cli/_environment.ts";
import { EXIT, isBadInput } from "./cli/_exit.ts";
import { HELP } from "./cli/_help.ts";
import { print, printError } from "./cli/_print.ts";
import { commandEvaluate } from "./cli/evaluate.ts";
import { commandExplain } from "./cli/explain.ts";
import { commandExport } from "./cli/export.ts";
import { commandFetch } from "./cli/fetch.ts";
import { commandGradcheck } from "./cli/gradcheck.ts";
import { commandInspect } from "./cli/inspect.ts";
import { commandPredict } from "./cli/predict.ts";
import { commandReplay } from "./cli/replay.ts";
import { commandTrain } from "./cli/train.ts";
import { commandValidate } from "./cli/validate.ts";
import {
  CheckpointFileError,
  ConfigError,
  DataError,
  DatasetNotFoundError,
  ModelFileError,
  ParseError,
  TimelineFileError,
  UserFileError,
} from "./errors.ts";
import { RunFolderError } from "./train/run_files.ts";
import { suggest } from "./config/parse_config.ts";

// prepare() stays importable from here: the benchmarks and tests build runs exactly as train does
export { prepare, type Prepared } from "./cli/prepare.ts";

/** Every command, by the word that names it on the command line (each in its own module under src/cli/). */
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
      const near = suggest(command, Object.keys(COMMANDS));
      throw new UsageError(
        near !== undefined
          ? `unknown command "${command}" (did you mean "${near}"?)`
          : `unknown command "${command}" (expected one of ${Object.keys(COMMANDS).join(", ")})`,
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
    if (error instanceof DataError && isBadInput(error)) {
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
