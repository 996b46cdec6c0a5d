// The explain command: shows one sample's forward and backward pass through a model.

import { applyPreprocessing, type Preprocessing } from "../data/dataset.ts";
import { LOSS_NAMES, type LossName } from "../math/losses.ts";
import { Matrix } from "../math/matrix.ts";
import { explainSample } from "../nn/explain.ts";
import type { Network } from "../nn/network.ts";
import type { ModelJson } from "../nn/serialize.ts";
import { explainEvent } from "../train/explain_event.ts";
import { explainText } from "../ui/explain_text.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { loadModelNetwork, modelPath } from "./_load.ts";
import { print } from "./_print.ts";

/** The comma-separated numbers of a --input or --target option, exactly `width` of them. */
function parseNumbers(text: string, width: number, option: string): number[] {
  const fields = text.split(",").map((field) => field.trim());
  if (fields.length !== width) {
    throw new UsageError(
      `${option} expects ${width} comma-separated numbers, got ${fields.length} ("${text}")`,
    );
  }
  return fields.map((field) => {
    const value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      throw new UsageError(`${option} expects numbers, got "${field}" in "${text}"`);
    }
    return value;
  });
}

/** The loss the model was trained on: its config's train.loss, else what training would have inferred. */
function modelLoss(model: ModelJson, network: Network): LossName {
  const stated = (model.config as { train?: { loss?: unknown } } | undefined)?.train?.loss;
  if (typeof stated === "string" && (LOSS_NAMES as readonly string[]).includes(stated)) {
    return stated as LossName;
  }
  const output = network.layers[network.layers.length - 1].activation.name;
  if (output === "softmax") return "cross_entropy";
  // a termnet run trains a sigmoid output with binary cross-entropy only on class labels (see resolve.ts)
  if (output === "sigmoid" && (model.labels !== undefined || model.config === undefined)) {
    return "binary_cross_entropy";
  }
  return "mse";
}

/** A --target: a class name or index for classifiers (encoded like the training targets), else the outputs. */
function parseTarget(text: string, model: ModelJson, network: Network): number[] {
  const labels = model.labels;
  if (labels === undefined) return parseNumbers(text, network.output, "--target");
  const name = text.trim();
  let index = labels.indexOf(name);
  if (index < 0 && /^\d+$/.test(name) && Number(name) < labels.length) index = Number(name);
  if (index < 0) {
    throw new UsageError(
      `--target expects a class name (${labels.map((l) => `"${l}"`).join(", ")}) or an index 0–${
        labels.length - 1
      }, got "${text}"`,
    );
  }
  return network.output === 1 ? [index] : labels.map((_, k) => k === index ? 1 : 0);
}

/** Runs `explain`: prints one sample's pass through a model and returns the exit code. */
export async function commandExplain(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    input: { type: "string" },
    target: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return print(HELP.explain), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("explain expects one model file (see --help)");
  if (values.input === undefined) throw new UsageError(`explain needs --input "x1,x2,…" (see --help)`);
  const file = await modelPath(positionals[0]);
  const { model, network } = await loadModelNetwork(file);
  const raw = parseNumbers(values.input as string, network.input, "--input");
  const target = values.target === undefined
    ? undefined
    : parseTarget(values.target as string, model, network);
  const x = Matrix.from([raw]);
  // validateModelJson checked that shift and factor have one number per input
  if (model.preprocessing) applyPreprocessing(x, model.preprocessing as Preprocessing);
  const input = Array.from(x.data);
  const loss = modelLoss(model, network);
  if (values.json) {
    print(JSON.stringify(explainSample(network, input, { target, loss })));
    return EXIT.ok;
  }
  const event = explainEvent(network, input, {
    target,
    loss,
    rawInput: raw,
    classNames: model.labels,
    maxListedWeights: Infinity,
  });
  const shape = [network.input, ...network.layers.map((layer) => layer.units)].join(" → ");
  const activations = [...new Set(network.layers.map((layer) => layer.activation.name))].join("/");
  print(`${file}: ${shape} (${activations})${target ? `, loss ${loss}` : ""}`);
  for (const line of explainText(event, { width: 100 })) print(line);
  if (target === undefined) print("(add --target to see the loss and the backward pass)");
  return EXIT.ok;
}
