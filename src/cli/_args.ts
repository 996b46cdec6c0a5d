// Command-line option parsing shared by the commands: the usage error and the option readers.

import { parseArgs } from "node:util";

/** A mistake on the command line: printed as one line, exit 2. */
export class UsageError extends Error {}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
/** The option values parseArgs returns. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses a command's arguments (with --help and --debug added); a mistake is a UsageError. */
export function parse(args: string[], options: OptionSpec): { values: ParsedValues; positionals: string[] } {
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

/** An integer option's value, or undefined when not given; anything else is a UsageError. */
export function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new UsageError(`--${name} expects an integer, got "${value}"`);
  return parsed;
}
