// The export command: writes a model file as ONNX or as a TypeScript module.

import { basename } from "node:path";
import { writeFileAtomic } from "../_atomic_write.ts";
import { UserFileError } from "../errors.ts";
import { modelToOnnx, ONNX_INPUT_NAME, ONNX_OPSET } from "../export/onnx.ts";
import { modelToTypeScript } from "../export/typescript.ts";
import { loadModel } from "../nn/serialize.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { modelPath } from "./_load.ts";
import { print } from "./_print.ts";

/** Writes an exported file atomically; a folder that is missing or not writable is one line naming the file. */
async function writeExport(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "its folder does not exist"
      : (error as Error).message;
    throw new UserFileError(`Cannot write the export: ${reason}`, { file: path });
  }
}

/** Runs `export`: writes a model as ONNX or TypeScript and returns the exit code. */
export async function commandExport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    onnx: { type: "string" },
    ts: { type: "string" },
    float64: { type: "boolean" },
  });
  if (values.help) return print(HELP.export), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError("export expects one model file (see --help)");
  const onnxPath = values.onnx as string | undefined;
  const tsPath = values.ts as string | undefined;
  if (onnxPath === undefined && tsPath === undefined) {
    throw new UsageError("export needs --onnx FILE or --ts FILE (see --help)");
  }
  if (values.float64 && onnxPath === undefined) {
    throw new UsageError("--float64 applies to --onnx only (the TypeScript module computes in float64)");
  }
  const file = await modelPath(positionals[0]);
  const model = await loadModel(file);
  if (onnxPath !== undefined) {
    const bytes = modelToOnnx(model, { dtype: values.float64 ? "float64" : "float32" });
    await writeExport(onnxPath, bytes);
    print(
      `${onnxPath}: ONNX opset ${ONNX_OPSET}, input "${ONNX_INPUT_NAME}" [N, ${model.input}], ${bytes.length} bytes`,
    );
  }
  if (tsPath !== undefined) {
    const text = modelToTypeScript(model, { source: basename(file) });
    await writeExport(tsPath, new TextEncoder().encode(text));
    print(
      `${tsPath}: TypeScript module, predict(input) on ${model.input} raw features, ${text.length} characters`,
    );
  }
  return EXIT.ok;
}
