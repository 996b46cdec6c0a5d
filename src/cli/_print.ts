// Printing for the commands: text to stdout and one-line errors to stderr, control characters escaped.

import { shortenQuotedValues } from "../errors.ts";
import { escapeControl } from "../ui/ansi.ts";

// The rule for text from files: every line the CLI writes passes through escapeControl (src/ui/ansi.ts), which
// turns control characters into visible escapes; strings from files that are printed inside a line (class names,
// feature names) are escaped one by one first, so a newline in them cannot start a new line either.

/** Text as `print` writes it: each line with its control characters escaped, the newlines kept. */
export function printable(text: string): string {
  return text.split("\n").map(escapeControl).join("\n");
}

/** Prints text to stdout, each line with its control characters escaped. */
export function print(text: string): void {
  console.log(printable(text));
}

/**
 * Prints one error line to stderr: control characters in the message (a newline from a file) are escaped and
 * quoted values longer than 60 characters are cut with "…".
 */
export function printError(message: string): void {
  console.error(`error: ${shortenQuotedValues(escapeControl(message))}`);
}
