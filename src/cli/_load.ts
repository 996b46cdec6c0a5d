// Reading the user's config and model files for the commands.

import { loadConfig } from "../config/load_config.ts";
import type { TrainConfig } from "../config/schema.ts";
import type { Network } from "../nn/network.ts";
import { loadModel, type ModelJson, networkFromJson } from "../nn/serialize.ts";

/** Loads a config file with `--set` overrides applied. */
export async function readConfig(path: string, overrides: string[]): Promise<TrainConfig> {
  return (await loadConfig(path, { overrides })).config;
}

/**
 * The model file a command was given: the path itself, or `<path>/model.json` when it is a run folder (as
 * `replay` takes the folder of its timeline).
 */
export async function modelPath(path: string): Promise<string> {
  const isFolder = await Deno.stat(path).then((info) => info.isDirectory, () => false);
  return isFolder ? `${path.replace(/\/+$/, "")}/model.json` : path;
}

/** Loads a model file and builds its network. */
export async function loadModelNetwork(path: string): Promise<{ model: ModelJson; network: Network }> {
  const model = await loadModel(path);
  return { model, network: networkFromJson(model, { file: path }) };
}
