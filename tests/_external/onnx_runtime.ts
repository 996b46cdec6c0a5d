// Runs ONNX models in ONNX Runtime for the export tests, in a child process started with --no-lock, so that this
// test-only native package (113 MB) stays out of deno.lock and no user of the library or the CLI downloads it.
// Reads one JSON request on stdin: { model: path, runs: [{ dtype, rows, columns, data }] }; prints one JSON
// answer: { inputNames, outputNames, outputs: [{ type, dims, data }] }.

// deno-lint-ignore no-import-prefix
import * as ort from "npm:onnxruntime-node@1.30.0";

interface Run {
  dtype: "float32" | "float64";
  rows: number;
  columns: number;
  data: number[];
}

const request = JSON.parse(await new Response(Deno.stdin.readable).text()) as { model: string; runs: Run[] };
const session = await ort.InferenceSession.create(request.model);
try {
  const outputs = [];
  for (const run of request.runs) {
    const data = run.dtype === "float32" ? Float32Array.from(run.data) : Float64Array.from(run.data);
    const result = await session.run({
      [session.inputNames[0]]: new ort.Tensor(run.dtype, data, [run.rows, run.columns]),
    });
    const output = result[session.outputNames[0]];
    outputs.push({ type: output.type, dims: output.dims, data: Array.from(output.data as Float64Array) });
  }
  console.log(JSON.stringify({ inputNames: session.inputNames, outputNames: session.outputNames, outputs }));
} finally {
  await session.release();
}
