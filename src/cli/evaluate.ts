// The evaluate command: a model's loss, accuracy and confusion matrix on its config's data.

import { dirnameOf } from "../config/load_config.ts";
import type { TrainConfig } from "../config/schema.ts";
import { ModelFileError } from "../errors.ts";
import { getLoss } from "../math/losses.ts";
import { evaluate } from "../train/evaluate.ts";
import { escapeControl } from "../ui/ansi.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { loadModelNetwork, modelPath, readConfig } from "./_load.ts";
import { print } from "./_print.ts";
import { prepare } from "./prepare.ts";

/** Runs `evaluate`: prints a model's metrics on its data and returns the exit code. */
export async function commandEvaluate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: "string" } });
  if (values.help) return print(HELP.evaluate), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("evaluate expects one model file (see --help)");
  const file = await modelPath(positionals[0]);
  const { model, network } = await loadModelNetwork(file);
  let config: TrainConfig;
  let configPath: string;
  if (values.config !== undefined) {
    configPath = values.config as string;
    config = await readConfig(configPath, []);
  } else {
    if (model.config === undefined) {
      throw new ModelFileError("config: the model holds no config; pass --config FILE", {
        file: file,
      });
    }
    configPath = `${dirnameOf(file)}/config.yaml`;
    config = await readConfig(configPath, []).catch(() => {
      throw new ModelFileError("config: cannot recreate the data; pass --config FILE", {
        file: file,
      });
    });
  }
  const prepared = await prepare(config, configPath);
  const data = prepared.test ?? prepared.train;
  const which = prepared.test ? "test split" : "training set (the config has no test split)";
  if (data.inputSize !== network.input || data.targetSize !== network.output) {
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    throw new ModelFileError(
      `Cannot evaluate on the data of ${configPath}: the model takes ${count(network.input, "input")} and ` +
        `gives ${count(network.output, "output")}, the data has ${count(data.inputSize, "input")} and ` +
        `${count(data.targetSize, "target")} (pass the config the model was trained with)`,
      { file: file },
    );
  }
  const classification = data.task === "classification";
  const result = evaluate(network, data, { loss: getLoss(prepared.loss), classification, confusion: true });
  print(`${file} on the ${which} of ${configPath} (${result.samples} samples):`);
  print(`  loss ${result.loss.toPrecision(5)} (${prepared.loss})`);
  if (result.accuracy !== undefined) print(`  accuracy ${result.accuracy.toFixed(4)}`);
  if (result.confusion) {
    const names = (model.labels ?? data.classNames ?? result.confusion.map((_, i) => String(i))).map(
      escapeControl,
    );
    const width = Math.max(
      6,
      ...names.map((n) => n.length),
      ...result.confusion.flat().map((v) => String(v).length),
    );
    print("  confusion (rows: actual, columns: predicted):");
    print("  " + "".padEnd(width) + " " + names.map((n) => n.slice(0, width).padStart(width)).join(" "));
    result.confusion.forEach((row, i) => {
      print("  " + names[i].padEnd(width) + " " + row.map((v) => String(v).padStart(width)).join(" "));
    });
  }
  prepared.backend.dispose();
  return EXIT.ok;
}
