// The tasks of deno.json as command lines: a task is written either as its command or as
// `{ "description", "command" }` (the form `deno task` lists with a description); the tests read the commands.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

type TaskEntry = string | { command: string; description?: string };

const entries: Record<string, TaskEntry> = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).tasks;

/** Every task of deno.json by name, as the command line it runs. */
export const TASKS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(entries).map(([name, task]) => [name, typeof task === "string" ? task : task.command]),
);

/** Every task's description (empty when a task has none). */
export const TASK_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(entries).map((
    [name, task],
  ) => [name, typeof task === "string" ? "" : task.description ?? ""]),
);
