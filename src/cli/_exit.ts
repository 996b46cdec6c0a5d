// Exit codes, and which data errors are bad input (exit 2) rather than runtime failures (exit 1).

import type { DataError } from "../errors.ts";

/**
 * Exit codes: 0 ok, 1 runtime failure, 2 usage, config or data error (bad input), 130 interrupted (SIGINT),
 * 143 terminated (SIGTERM).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

// Data errors that are bad input (a missing or malformed data file, malformed predict rows) exit 2 like a bad
// config; other data errors (a failed download) are runtime failures, exit 1.
const BAD_INPUT = new WeakSet<DataError>();

/** Marks a data error as bad input (exit 2) and returns it. */
export function badInput(error: DataError): DataError {
  BAD_INPUT.add(error);
  return error;
}

/** Whether a data error was marked as bad input by `badInput` (exit 2). */
export function isBadInput(error: DataError): boolean {
  return BAD_INPUT.has(error);
}
