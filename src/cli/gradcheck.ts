// The gradcheck command: compares a config's network gradients with central finite differences.

import { getLoss } from "../math/losses.ts";
import { Matrix } from "../math/matrix.ts";
import { gradientCheck } from "../nn/gradcheck.ts";
import { integerOption, parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { readConfig } from "./_load.ts";
import { print } from "./_print.ts";
import { prepare } from "./prepare.ts";

/** Runs `gradcheck`: checks a config's network gradients and returns the exit code. */
export async function commandGradcheck(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    set: { type: "string", multiple: true },
    samples: { type: "string" },
  });
  if (values.help) return print(HELP.gradcheck), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("gradcheck expects one config file (see --help)");
  const config = await readConfig(positionals[0], values.set as string[] | undefined ?? []);
  // Central differences need float64 (h = 1e-6 is below float32's resolution), whatever train.dtype says.
  const train = { ...config.train, backend: "js" as const, dtype: "float64" as const };
  const prepared = await prepare({ ...config, train }, positionals[0]);
  const samples = Math.min(
    integerOption(values.samples as string | undefined, "samples") ?? 8,
    prepared.train.size,
  );
  const order = new Uint32Array(samples).map((_, i) => Math.floor(i * prepared.train.size / samples));
  const x = new Matrix(samples, prepared.train.inputSize), y = new Matrix(samples, prepared.train.targetSize);
  prepared.train.gather(x, y, order, 0);
  const results = gradientCheck(prepared.network, { x, y }, {
    loss: getLoss(prepared.loss),
    maxPerLayer: 2000,
  });
  print(
    `gradient check of ${config.name} (${prepared.loss}) on ${samples} samples, central differences h = 1e-6:`,
  );
  // Central differences in float64 are only as good as about 1e-10 absolute (rounding of L / h): below that
  // floor a relative error says nothing, so a layer passes on either measure.
  const passes = (r: { maxRelativeError: number; maxAbsoluteError: number }) =>
    r.maxRelativeError < 1e-6 || r.maxAbsoluteError < 1e-9;
  for (const r of results) {
    const layer = prepared.network.layers[r.layer];
    print(
      `  layer ${
        r.layer + 1
      } (${layer.inputs}→${layer.units} ${layer.activation.name}): max relative error ` +
        `${r.maxRelativeError.toExponential(2)}, max absolute ${r.maxAbsoluteError.toExponential(2)} ` +
        `over ${r.checked} parameters  ${passes(r) ? "ok" : "FAIL"}`,
    );
  }
  return results.every(passes) ? EXIT.ok : EXIT.failure;
}
