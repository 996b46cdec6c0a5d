// Runs exported ONNX files in ONNX Runtime through tests/_external/onnx_runtime.ts, a child process with --no-lock
// (so onnxruntime-node, test-only and 113 MB, is not in deno.lock and never reaches users of the CLI or library).

/** A batch to run: raw inputs, one row per sample, and the tensor type to feed. */
export interface OnnxRun {
  /** The input rows. */
  inputs: number[][];
  /** The input tensor's element type. */
  dtype: "float32" | "float64";
}

/** What ONNX Runtime answered for one batch. */
export interface OnnxOutput {
  /** The output tensor's element type, e.g. `"float32"`. */
  type: string;
  /** The output tensor's dimensions. */
  dims: number[];
  /** The output rows. */
  rows: number[][];
}

/** What ONNX Runtime saw in the model file and computed. */
export interface OnnxAnswer {
  /** The graph's input names. */
  inputNames: string[];
  /** The graph's output names. */
  outputNames: string[];
  /** One output per run, in order. */
  outputs: OnnxOutput[];
}

const RUNNER = new URL("./_external/onnx_runtime.ts", import.meta.url).pathname;

/** Loads the ONNX file at `path` (or the bytes given, via a temporary file) in ONNX Runtime and runs each batch. */
export async function runOnnx(model: string | Uint8Array, runs: readonly OnnxRun[]): Promise<OnnxAnswer> {
  let path = typeof model === "string" ? model : undefined;
  const temporary = path === undefined ? await Deno.makeTempFile({ suffix: ".onnx" }) : undefined;
  try {
    if (temporary !== undefined) await Deno.writeFile(temporary, model as Uint8Array);
    path ??= temporary!;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-lock",
        "--no-prompt",
        "--quiet",
        "--allow-read",
        "--allow-ffi",
        "--allow-env",
        RUNNER,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const request = {
      model: path,
      runs: runs.map((run) => ({
        dtype: run.dtype,
        rows: run.inputs.length,
        columns: run.inputs[0]?.length ?? 0,
        data: run.inputs.flat(),
      })),
    };
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(request)));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    if (code !== 0) {
      throw new Error(`ONNX Runtime failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
    }
    const answer = JSON.parse(new TextDecoder().decode(stdout));
    return {
      inputNames: answer.inputNames,
      outputNames: answer.outputNames,
      outputs: answer.outputs.map((output: { type: string; dims: number[]; data: number[] }) => {
        const width = output.dims[1];
        const rows = Array.from(
          { length: output.dims[0] },
          (_, r) => output.data.slice(r * width, (r + 1) * width),
        );
        return { type: output.type, dims: output.dims, rows };
      }),
    };
  } finally {
    if (temporary !== undefined) await Deno.remove(temporary);
  }
}
