// The inspect command: prints a model file's layers, classes, preprocessing and metrics.

import { escapeControl } from "../ui/ansi.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { loadModelNetwork, modelPath } from "./_load.ts";
import { print } from "./_print.ts";

/** Runs `inspect`: prints a model file's summary and returns the exit code. */
export async function commandInspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values.help) return print(HELP.inspect), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("inspect expects one model file (see --help)");
  const file = await modelPath(positionals[0]);
  const { model, network } = await loadModelNetwork(file);
  print(`${file}: ${model.format} version ${model.version}`);
  print(network.summary());
  if (model.labels) print(`classes: ${model.labels.map(escapeControl).join(", ")}`);
  if (model.features) print(`features: ${model.features.map(escapeControl).join(", ")}`);
  if (model.preprocessing) print(`preprocessing: ${model.preprocessing.kind}`);
  if (model.dropout) print(`dropout (training only): ${model.dropout.join(", ")}`);
  if (model.metrics && Object.keys(model.metrics).length > 0) {
    // five significant digits, as evaluate prints them (the file keeps every digit)
    const shown = (v: number | null) =>
      v === null || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
    print(`metrics: ${Object.entries(model.metrics).map(([k, v]) => `${k} ${shown(v)}`).join(", ")}`);
  }
  return EXIT.ok;
}
