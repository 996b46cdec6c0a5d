// Command-line option parsing shared by the commands: the usage error and the option readers.

import { parseArgs } from "node:util";
import { suggest } from "../config/parse_config.ts";

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
    throw new UsageError(usageMessage(error as Error & { code?: string }, args, Object.keys(options)));
  }
}

/**
 * parseArgs's error in our words, one line: `unknown option "--epoch" (did you mean "--epochs"?)`,
 * `--epochs expects a value`, `--pace expects a value, got "-1" (write --pace=-1 if that is the value)`.
 */
function usageMessage(error: Error & { code?: string }, args: string[], names: string[]): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (option === undefined) return error.message.replace(/\s*\n\s*/g, " ");
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = option.startsWith("--") ? suggest(option.slice(2), [...names, "help"]) : undefined;
    return `unknown option "${option}"${
      near !== undefined ? ` (did you mean "--${near}"?)` : " (see --help)"
    }`;
  }
  if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
  const next = args[args.indexOf(option) + 1];
  if (/ambiguous/.test(error.message) && next !== undefined) {
    return `${option} expects a value, got "${next}" (write ${option}=${next} if that is the value)`;
  }
  return `${option} expects a value`;
}

/** An integer option's value, or undefined when not given; anything else is a UsageError. */
export function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new UsageError(`--${name} expects an integer, got "${value}"`);
  return parsed;
}
