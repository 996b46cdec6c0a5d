// numpy peer: runs numpy_mlp.py as a python3 subprocess on the shared files and reads its JSON lines.

import type { PeerResult, SharedFiles, Workload } from "./workload.ts";

/** The committed numpy script, next to this file. */
export const NUMPY_SCRIPT: string = new URL("./numpy_mlp.py", import.meta.url).pathname;

/** Samples of the one-sample-at-a-time (tutorial) run: it is slow, so it trains on a shorter slice, once. */
export const PER_SAMPLE_SAMPLES = 2_048;

/** Environment that pins OpenBLAS (and other BLAS/OpenMP builds) to one thread in the child process. */
const ONE_BLAS_THREAD = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

function unavailable(note: string): PeerResult[] {
  return [{ peer: "numpy", dtype: "float64", trials: [], note: `unavailable: ${note}` }];
}

async function runScript(
  files: SharedFiles,
  workload: Workload,
  variant: { suffix?: string; env?: Record<string, string> },
): Promise<PeerResult[]> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: [
        NUMPY_SCRIPT,
        files.meta,
        String(workload.samples),
        String(workload.warmup),
        String(workload.batchSize),
        String(workload.learningRate),
        String(workload.trials),
        String(workload.budgetSeconds),
        String(PER_SAMPLE_SAMPLES),
        ...(variant.suffix === undefined ? [] : [variant.suffix]),
      ],
      env: variant.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    return unavailable(`cannot run python3 (${error instanceof Error ? error.message : String(error)})`);
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    if (/No module named .?numpy/.test(stderr)) return unavailable("python3 has no numpy");
    return unavailable(`numpy_mlp.py exited with code ${output.code}: ${stderr.split("\n").at(-1)}`);
  }
  const results: PeerResult[] = [];
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed = JSON.parse(line) as PeerResult;
    results.push({
      peer: parsed.peer,
      dtype: parsed.dtype,
      trials: parsed.trials,
      loss: parsed.loss,
      samples: parsed.samples,
    });
  }
  return results.length > 0 ? results : unavailable("numpy_mlp.py printed no results");
}

/**
 * Runs the numpy peers: vectorised float64 and float32 and the per-sample float64 loop with the BLAS's default
 * thread count, then vectorised float64 again pinned to one BLAS thread. Unavailable without python3 or numpy.
 */
export async function runNumpy(files: SharedFiles, workload: Workload): Promise<PeerResult[]> {
  const results = await runScript(files, workload, {});
  if (results.every((r) => r.trials.length === 0)) return results;
  return [...results, ...await runScript(files, workload, { suffix: " 1 thread", env: ONE_BLAS_THREAD })];
}

/** The numpy version python3 reports, or undefined without python3 or numpy. */
export async function numpyVersion(): Promise<string | undefined> {
  try {
    const output = await new Deno.Command("python3", {
      args: ["-c", "import numpy; print(numpy.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}
