// npm:yaml without its debug switches: its parser reads LOG_TOKENS and LOG_STREAM on every token, which would ask
// every library user for --allow-env; here those reads see an empty environment unless access is already granted.

import process from "node:process";

/** The variables npm:yaml 2.x reads while parsing (dist/parse/parser.js and dist/compose/composer.js). */
const YAML_DEBUG_VARIABLES = ["LOG_TOKENS", "LOG_STREAM"] as const;

function granted(variable: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Runs `parse` (a synchronous npm:yaml call) so that its reads of `process.env` need no env permission: when any
 * of LOG_TOKENS and LOG_STREAM is not granted, `process.env` is a plain object holding only the granted ones for
 * the duration of the call (nothing else runs meanwhile: the call is synchronous), and is restored after.
 */
export function withoutYamlEnvReads<T>(parse: () => T): T {
  if (YAML_DEBUG_VARIABLES.every(granted)) return parse();
  const env = process.env;
  const visible: Record<string, string> = {};
  for (const variable of YAML_DEBUG_VARIABLES) {
    const value = granted(variable) ? env[variable] : undefined;
    if (value !== undefined) visible[variable] = value;
  }
  process.env = visible;
  try {
    return parse();
  } finally {
    process.env = env;
  }
}
