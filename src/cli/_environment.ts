// The environment checked and entered before a command runs: TERMNET_BACKEND and the user's folder.

import { quoteValue } from "../errors.ts";
import { BACKEND_ENV_VARIABLE } from "../math/wasm/backend_wasm.ts";
import { UsageError } from "./_args.ts";

/**
 * A `TERMNET_BACKEND` that names no backend is a usage error (exit 2) before any work, whatever the config
 * says; unset, or not granted to the task, it is ignored.
 */
export function checkBackendEnvironment(): void {
  const granted =
    Deno.permissions.querySync({ name: "env", variable: BACKEND_ENV_VARIABLE }).state === "granted";
  const value = granted ? Deno.env.get(BACKEND_ENV_VARIABLE) : undefined;
  if (value === undefined || value === "" || ["auto", "js", "wasm"].includes(value)) return;
  throw new UsageError(
    `${BACKEND_ENV_VARIABLE}: expected "auto", "js" or "wasm", got ${quoteValue(value)}`,
  );
}

/**
 * Moves into the folder the user ran the command from: `deno task` runs every task in the repository's folder
 * and passes the user's folder as INIT_CWD, so `cd configs && deno task train xor.yaml` finds xor.yaml. Paths on
 * the command line then resolve against the user's folder, as in any other program.
 */
export function enterUserFolder(): void {
  // a task without the permission stays where deno started it
  if (Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state !== "granted") return;
  const folder = Deno.env.get("INIT_CWD");
  if (folder === undefined || folder === "" || folder === Deno.cwd()) return;
  try {
    Deno.chdir(folder);
  } catch {
    // a folder that went away: paths resolve against deno's folder, and the error names the path as given
  }
}
