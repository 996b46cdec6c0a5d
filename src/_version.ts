// The package's version, written where a file records what produced it (a test keeps it equal to deno.json's).

/** The package version: deno.json's `version` and the newest CHANGELOG entry. */
export const VERSION = "0.2.0";
