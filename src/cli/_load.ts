// Reading the user's config and model files for the commands.

import { loadConfig } from "../config/load_config.ts";
import type { TrainConfig } from "../config/schema.ts";
import type { Network } from "../nn/network.ts";
import { loadModel, type ModelJson, networkFromJson } from "../nn/serialize.ts";

/** Loads a config file with `--set` overrides applied. */
export async function readConfig(path: string, overrides: string[]): Promise<TrainConfig> {
  return (await loadConfig(path, { overrides })).config;
}

/** Loads a model file and builds its network. */
export async function loadModelNetwork(path: string): Promise<{ model: ModelJson; network: Network }> {
  const model = await loadModel(path);
  return { model, network: networkFromJson(model, { file: path }) };
}
