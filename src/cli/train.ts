// The train command: reads its options, the config or the run to resume, and starts the run.

import { isAbsolute, join } from "node:path";
import { dirnameOf } from "../config/load_config.ts";
import { outputDirWritten } from "../config/parse_config.ts";
import type { TrainConfig } from "../config/schema.ts";
import { CheckpointFileError } from "../errors.ts";
import { type Checkpoint, CHECKPOINT_FILE, decodeCheckpoint } from "../train/checkpoint_file.ts";
import { RunFiles } from "../train/run_files.ts";
import { integerOption, parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { readConfig } from "./_load.ts";
import { print } from "./_print.ts";
import { trainInto } from "./_train_run.ts";
import { prepare } from "./prepare.ts";

function paceOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !(parsed > 0) || !Number.isFinite(parsed)) {
    throw new UsageError(`--pace expects a positive number of epochs per second, got "${value}"`);
  }
  return parsed;
}

/** The run folder named by `--resume`: the folder itself, or the folder of a checkpoint.bin given as a path. */
async function resumeFolder(path: string): Promise<string> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info?.isFile) return dirnameOf(path);
  return path.replace(/\/+$/, "") || ".";
}

/** Reads and decodes a checkpoint; a missing or unreadable file is a one-line CheckpointFileError. */
async function readCheckpoint(file: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "the file does not exist (a run writes it when it ends, on s and every train.checkpoint_every epochs)"
      : (error as Error).message;
    throw new CheckpointFileError(`Cannot read the checkpoint: ${reason}`, { file });
  }
  return decodeCheckpoint(bytes, file);
}

/** Runs `train`: trains a config (or resumes a run) and returns the exit code. */
export async function commandTrain(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    epochs: { type: "string" },
    seed: { type: "string" },
    set: { type: "string", multiple: true },
    out: { type: "string" },
    headless: { type: "boolean" },
    json: { type: "boolean" },
    pace: { type: "string" },
    "exit-on-end": { type: "boolean" },
    resume: { type: "string" },
  });
  if (values.help) return print(HELP.train), EXIT.ok;
  const pace = paceOption(values.pace as string | undefined);
  const resumeDir = values.resume === undefined ? undefined : await resumeFolder(values.resume as string);
  // read first: a missing or corrupt checkpoint is reported before the config and the data are loaded
  const checkpoint = resumeDir === undefined
    ? undefined
    : await readCheckpoint(`${resumeDir}/${CHECKPOINT_FILE}`);
  // with --resume and no config, the run folder's own config.yaml (its data paths work from there)
  const ownConfig = resumeDir !== undefined && positionals.length === 0
    ? `${resumeDir}/config.yaml`
    : undefined;
  if (positionals.length !== 1 && ownConfig === undefined) {
    throw new UsageError("train expects one config file (see --help)");
  }
  const configPath = ownConfig ?? positionals[0];
  const overrides = [...(values.set as string[] | undefined ?? [])];
  const epochs = integerOption(values.epochs as string | undefined, "epochs");
  if (epochs !== undefined && epochs < 1) {
    throw new UsageError(`--epochs expects a positive integer, got "${values.epochs}"`);
  }
  const seed = integerOption(values.seed as string | undefined, "seed");
  if (epochs !== undefined) overrides.push(`train.epochs=${epochs}`);
  if (seed !== undefined) overrides.push(`seed=${seed}`);
  if (values.out !== undefined) overrides.push(`output.dir=${JSON.stringify(values.out)}`);
  if (resumeDir !== undefined) {
    if (values.out !== undefined) {
      throw new UsageError("--out cannot be combined with --resume (it writes there)");
    }
    overrides.push(`output.dir=${JSON.stringify(resumeDir)}`);
  }
  const config = await readConfig(configPath, overrides);
  const prepared = await prepare(config, configPath);
  // the run folder is checked (and a staging folder made) before training: a bad --out fails at once
  const files = await RunFiles.open(runFolder(config, configPath, overrides));
  try {
    return await trainInto(files, { config, configPath, prepared, values, pace, checkpoint });
  } finally {
    await files.close();
  }
}

/**
 * Where the run goes, by one rule: a path written in the config resolves against the config's folder, a path on
 * the command line (`--out`, `--set output.dir=…`) and the default `runs/<name>` against the user's folder.
 */
function runFolder(config: TrainConfig, configPath: string, overrides: readonly string[]): string {
  const dir = config.output.dir;
  const fromCommandLine = overrides.some((override) => /^\s*output\.dir\s*=/.test(override));
  if (!outputDirWritten(config) || fromCommandLine || isAbsolute(dir)) return dir;
  return join(dirnameOf(configPath), dir);
}
