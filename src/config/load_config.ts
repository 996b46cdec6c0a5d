// loadConfig: read a YAML config file, apply --set overrides and parse it into a TrainConfig.

import { readFileCapped, TooLargeError } from "../_read_capped.ts";
import { ConfigError } from "../errors.ts";
import { applyOverrides, MAX_CONFIG_SIZE, parseConfig, parseConfigYaml } from "./parse_config.ts";
import type { TrainConfig } from "./schema.ts";

/** Options for {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** `--set key=value` overrides, applied in order before validation. */
  overrides?: readonly string[];
}

/** A loaded config and where it came from. */
export interface LoadedConfig {
  /** The resolved config. */
  config: TrainConfig;
  /** The file as given. */
  file: string;
  /** The folder of the file: relative data paths resolve against it. */
  baseDir: string;
}

/** The folder part of a path (`"."` for a bare file name). */
export function dirnameOf(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (slash < 0) return ".";
  return slash === 0 ? path.slice(0, 1) : path.slice(0, slash);
}

/** A short reason for a failed file read: `not found`, `permission denied`, …. */
export function readFailure(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof TooLargeError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A config file the user probably meant by a path that does not exist: `xor` → `xor.yaml`, → `configs/xor.yaml`. */
async function nearbyConfig(file: string): Promise<string | undefined> {
  const candidates = [`${file}.yaml`, `${file}.yml`];
  if (!/^([A-Za-z]:)?[\\/]/.test(file) && !file.startsWith("configs/")) {
    candidates.push(`configs/${file}`, `configs/${file}.yaml`);
  }
  for (const candidate of candidates) {
    if (await Deno.stat(candidate).then((info) => info.isFile, () => false)) return candidate;
  }
  return undefined;
}

/**
 * Reads, overrides and checks a YAML config file. A missing file throws `ConfigError`
 * (`configs/x.yaml: Cannot read the file: not found`); YAML syntax errors throw `ParseError`; invalid values
 * throw `ConfigError` with line and column.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "./load_config.ts";
 * const { config, baseDir } = await loadConfig("configs/xor.yaml", { overrides: ["train.epochs=10"] });
 * ```
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let bytes: Uint8Array;
  try {
    // Any kind of file: /dev/zero, a pipe (`<(yes)`) or a FIFO is read in chunks and stops at the cap. (A FIFO
    // that nobody writes to waits for a writer, as `cat` does.)
    bytes = await readFileCapped(file, MAX_CONFIG_SIZE);
  } catch (error) {
    const near = error instanceof Deno.errors.NotFound ? await nearbyConfig(file) : undefined;
    throw new ConfigError(
      `Cannot read the file: ${readFailure(error)}${near !== undefined ? ` (did you mean "${near}"?)` : ""}`,
      { file },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError("Cannot read the file: it is not UTF-8 text", { file });
  }
  const document = applyOverrides(parseConfigYaml(text, { file }), options.overrides ?? []);
  return { config: parseConfig(document, { file }), file, baseDir: dirnameOf(file) };
}
