// The validate command: checks config files and prints one line per file.

import { ParseError, UserFileError } from "../errors.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { readConfig } from "./_load.ts";
import { print, printError } from "./_print.ts";

/** Runs `validate`: checks each config file and returns the exit code. */
export async function commandValidate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { set: { type: "string", multiple: true } });
  if (values.help) return print(HELP.validate), EXIT.ok;
  if (positionals.length === 0) {
    throw new UsageError("validate expects at least one config file (see --help)");
  }
  let failed = 0;
  for (const path of positionals) {
    try {
      const config = await readConfig(path, values.set as string[] | undefined ?? []);
      print(
        `${path}: ok (${config.name}: ${config.data.source} data, ${config.train.epochs} epoch${
          config.train.epochs === 1 ? "" : "s"
        })`,
      );
    } catch (error) {
      if (!(error instanceof UserFileError || error instanceof ParseError)) throw error;
      printError(error.message);
      failed++;
    }
  }
  return failed > 0 ? EXIT.usage : EXIT.ok;
}
