// `deno task bench:peers`: one Fashion-MNIST MLP workload run by termnet and its peers, side by side.
//
// Workload (issue "Speed"): 784-128-64-10, ReLU hidden layers, softmax + cross-entropy, batch 64, plain SGD with
// learning rate 0.1, the same He-normal initial weights for every peer (drawn once by termnet's seeded Rng and
// written to a temp file the subprocess peers read), batches in file order (no shuffling). Each peer first trains
// untimed on the first 2,048 samples (JIT and caches), then runs 3 timed passes over the first 20,000 training
// samples, each from the initial weights; the median samples/s is reported. Data loading and the 1/255 scaling
// happen before timing. termnet and numpy compute in float64 and float32 (each float32 row gets its data
// converted to float32 before timing); TensorFlow.js has no float64 and runs float32.
//
// A slow peer stops after fewer trials once its timed trials took 20 s (the table shows each trial), which keeps
// the whole run near two minutes even on a loaded machine.
//
// Flags: --samples N (timed samples, up to 60000 for a full epoch), --warmup N, --trials N, --budget SECONDS,
//        --skip name,name (termnet-js, termnet-wasm, termnet-float32, termnet-defaults, numpy, tfjs-cpu,
//        tfjs-wasm).

import { parseArgs } from "node:util";
import { fmaCeiling, trainingFlopsPerSample } from "./_fma_ceiling.ts";
import { numpyVersion, runNumpy } from "./peers/numpy_peer.ts";
import { runTermnet, TERMNET_VARIANTS } from "./peers/termnet_peer.ts";
import {
  DEFAULT_WORKLOAD,
  type InitialWeights,
  initialWeights,
  LAYER_SIZES,
  loadSlice,
  median,
  oneHot,
  type PeerResult,
  type RawSlice,
  scaleImages,
  WEIGHT_SEED,
  type Workload,
  writeSharedFiles,
} from "./peers/workload.ts";

/** What bench/peers/tfjs_peer.ts exports (declared here: importing its types would put TensorFlow.js in the lock). */
interface TfjsPeerModule {
  TFJS_BACKENDS: readonly { peer: string; backend: "cpu" | "wasm" }[];
  runTfjs(
    which: { peer: string; backend: "cpu" | "wasm" },
    options: { workload: Workload; weights: InitialWeights; slice: RawSlice; samples?: number },
  ): Promise<PeerResult>;
}

const SKIP_NAMES = [
  "termnet-js",
  "termnet-wasm",
  "termnet-float32",
  "termnet-defaults",
  "numpy",
  "tfjs-cpu",
  "tfjs-wasm",
];

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Invalid --${flag}: expected a positive integer, got "${value}"`);
  }
  return n;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function renderTable(results: readonly PeerResult[], oursBest: number | undefined): string {
  const header = [
    "peer",
    "dtype",
    "samples/s (median)",
    "trials (samples/s)",
    "epoch loss",
    "ours-best/peer",
  ];
  const rows = results.map((r) => {
    if (r.trials.length === 0) return [r.peer, r.dtype, r.note ?? "unavailable", "", "", ""];
    const rate = median(r.trials);
    return [
      r.peer,
      r.dtype,
      formatRate(rate),
      r.trials.map(formatRate).join(" / ") + (r.samples !== undefined ? ` (n=${r.samples})` : ""),
      r.loss === undefined ? "" : r.loss.toFixed(6),
      oursBest === undefined ? "" : `${(oursBest / rate).toFixed(2)}×`,
    ];
  });
  const widths = header.map((title, c) =>
    Math.max(title.length, ...rows.filter((row) => row[3] !== "" || c < 2).map((row) => row[c].length))
  );
  const format = (row: string[]) =>
    row[3] === "" && row !== header
      ? `${row[0].padEnd(widths[0])}   ${row[1].padEnd(widths[1])}   ${row[2]}`
      : row.map((cell, c) => c >= 2 && c !== 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join(
        "   ",
      )
        .trimEnd();
  const rule = "─".repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [rule, format(header), rule, ...rows.map(format), rule].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      samples: { type: "string" },
      warmup: { type: "string" },
      trials: { type: "string" },
      budget: { type: "string" },
      skip: { type: "string", default: "" },
    },
  });
  const workload: Workload = {
    ...DEFAULT_WORKLOAD,
    samples: positiveInteger(values.samples, DEFAULT_WORKLOAD.samples, "samples"),
    warmup: positiveInteger(values.warmup, DEFAULT_WORKLOAD.warmup, "warmup"),
    trials: positiveInteger(values.trials, DEFAULT_WORKLOAD.trials, "trials"),
    budgetSeconds: positiveInteger(values.budget, DEFAULT_WORKLOAD.budgetSeconds, "budget"),
  };
  const skip = new Set(values.skip.split(",").filter((s) => s !== ""));
  for (const name of skip) {
    if (!SKIP_NAMES.includes(name)) {
      throw new RangeError(`Invalid --skip: unknown peer "${name}": expected ${SKIP_NAMES.join(", ")}`);
    }
  }

  const loadStarted = performance.now();
  const slice = await loadSlice(Math.max(workload.samples, workload.warmup));
  const weights = initialWeights(WEIGHT_SEED);
  const data = { x: scaleImages(slice.images), y: oneHot(slice.labels, LAYER_SIZES[LAYER_SIZES.length - 1]) };
  const tempDir = await Deno.makeTempDir({ prefix: "termnet_peers_" });
  const progress = (text: string) => console.error(`… ${text}`);
  progress(
    `loaded ${slice.count} samples and drew the initial weights in ${
      ((performance.now() - loadStarted) / 1000).toFixed(1)
    } s`,
  );

  const results: PeerResult[] = [];
  try {
    const files = await writeSharedFiles(tempDir, { weights, slice });
    for (const variant of TERMNET_VARIANTS) {
      const name = variant.kind === "js"
        ? "termnet-js"
        : variant.dtype === "float32"
        ? "termnet-float32"
        : `termnet-${variant.kind}`;
      if (skip.has(name)) continue;
      progress(variant.peer);
      results.push(await runTermnet(variant, { workload, weights, data }));
    }
    if (!skip.has("numpy")) {
      progress("numpy (python3 numpy_mlp.py)");
      results.push(...await runNumpy(files, workload));
    }
    const tfjsWanted = !skip.has("tfjs-cpu") || !skip.has("tfjs-wasm");
    if (tfjsWanted) {
      // Imported by a computed URL so the module graph of `deno check` (and so deno.lock) never holds
      // TensorFlow.js: bench:peers runs with --no-lock and fetches it when it is wanted.
      const tfjsPeer = new URL("./peers/tfjs_peer.ts", import.meta.url).href;
      const { runTfjs, TFJS_BACKENDS } = await import(tfjsPeer) as TfjsPeerModule;
      for (const which of TFJS_BACKENDS) {
        if (skip.has(which.peer)) continue;
        progress(which.peer);
        results.push(await runTfjs(which, { workload, weights, slice }));
      }
    }
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }

  const ours = results.filter((r) => r.peer.startsWith("termnet") && r.trials.length > 0);
  const oursBestResult = ours.length > 0
    ? ours.reduce((best, r) => median(r.trials) > median(best.trials) ? r : best)
    : undefined;
  const oursBest = oursBestResult === undefined ? undefined : median(oursBestResult.trials);
  const version = await numpyVersion();
  let load = "";
  try {
    load = `; load average ${
      Deno.loadavg().map((v) => v.toFixed(2)).join(" ")
    } on ${navigator.hardwareConcurrency} CPUs`;
  } catch {
    // Without --allow-sys=loadavg the header just omits it.
  }

  console.log(
    `Fashion-MNIST ${
      LAYER_SIZES.join("-")
    } MLP (ReLU, softmax + cross-entropy), batch ${workload.batchSize}, ` +
      `SGD lr ${workload.learningRate}; first ${
        workload.samples.toLocaleString("en-US")
      } training samples in ` +
      `file order after a ${
        workload.warmup.toLocaleString("en-US")
      }-sample warm-up; median of up to ${workload.trials} trials; ` +
      `same He-normal initial weights (seed ${WEIGHT_SEED}); training only (data scaled by 1/255 beforehand)${load}`,
  );
  console.log(renderTable(results, oursBest));
  const notes = [
    oursBestResult === undefined ? "ours-best: no termnet peer ran" : `ours-best = ${oursBestResult.peer}`,
    ...results.filter((r) => r.trials.length > 0 && r.note !== undefined).map((r) => `${r.peer}: ${r.note}`),
    "termnet, numpy: float64 but the float32 rows; tfjs: float32 (TensorFlow.js has no float64)",
    `numpy ${
      version ?? "(absent)"
    }: BLAS default threads (OpenBLAS: one per CPU) except the "1 thread" row ` +
    "(OPENBLAS_NUM_THREADS=1); per-sample = the tutorial's one-sample-at-a-time backprop, shorter slice, 1 trial",
    "epoch loss: mean cross-entropy of the timed pass's batches, each measured before its update",
  ];
  for (const note of notes) console.log(`  ${note}`);
  printCeiling(results);

  // Correctness cross-check: same weights, same batches in file order, float64 → the same first-epoch loss
  // (only summation order differs). Every termnet backend that ran is compared with numpy's vectorised float64,
  // the float32 rows within 1e-3 relative.
  const numpy64 = results.find((r) => r.peer === "numpy vectorised" && r.dtype === "float64");
  const crossChecked = results.filter((r) => r.peer.startsWith("termnet") && r.loss !== undefined);
  if (numpy64?.loss === undefined) {
    console.log("Loss cross-check: skipped (no numpy float64 result)");
  }
  for (const ours of numpy64?.loss === undefined ? [] : crossChecked) {
    const difference = Math.abs(ours.loss! - numpy64!.loss!);
    const relative = difference / Math.abs(numpy64!.loss!);
    // float32 rounds every product and sum; once a rounding puts some z on the other side of a ReLU's kink
    // (measured: z = −2.8e-7 against +9.7e-8 after 125 batches), the runs part by ~1e-4 of the loss. float64
    // differs only in summation order.
    const tolerance = ours.dtype === "float32" ? 1e-3 : 1e-9;
    console.log(
      `Loss cross-check (${ours.dtype}, ${workload.samples} samples): ${ours.peer} ${
        ours.loss!.toPrecision(12)
      }, ` +
        `numpy ${numpy64!.loss!.toPrecision(12)}, |Δ| ${difference.toExponential(2)} (relative ` +
        `${relative.toExponential(2)}) ${relative < tolerance ? "OK" : "MISMATCH"}`,
    );
  }

  const json = {
    benchmark: "peers",
    workload: { ...workload, layers: LAYER_SIZES, seed: WEIGHT_SEED, dataset: "fashion-mnist train" },
    oursBest: oursBestResult?.peer,
    results: results.map((r) => ({
      peer: r.peer,
      dtype: r.dtype,
      samplesPerSecond: r.trials.length > 0 ? Math.round(median(r.trials)) : null,
      trials: r.trials.map(Math.round),
      samples: r.samples,
      loss: r.loss,
      ratio: oursBest !== undefined && r.trials.length > 0
        ? Number((oursBest / median(r.trials)).toFixed(3))
        : null,
      note: r.note,
    })),
  };
  console.log(JSON.stringify(json));
}

await main();

/**
 * What each rate means in arithmetic (GFLOP/s of the three products, 454,144 flop per sample for this network)
 * beside the most a loop of nothing but WebAssembly fused multiply-adds does on this machine's cores, so a peer
 * rate beyond WebAssembly's reach shows as such.
 */
function printCeiling(results: readonly PeerResult[]): void {
  const ceiling = { float32: fmaCeiling("float32"), float64: fmaCeiling("float64") };
  if (ceiling.float32 === undefined || ceiling.float64 === undefined) return;
  const flops = trainingFlopsPerSample(LAYER_SIZES);
  const cores = navigator.hardwareConcurrency;
  console.log(
    `Arithmetic: ${
      flops.toLocaleString("en-US")
    } flop per sample in the products; WebAssembly's ceiling here ` +
      `(relaxed fused multiply-adds in registers only, nothing else): f32x4 ${ceiling.float32.toFixed(1)}, ` +
      `f64x2 ${ceiling.float64.toFixed(1)} GFLOP/s per core`,
  );
  for (const r of results) {
    if (r.trials.length === 0 || !/numpy vectorised|termnet (wasm|float32)/.test(r.peer)) continue;
    const gflops = median(r.trials) * flops / 1e9;
    const threads = /1 thread|×1/.test(r.peer) ? 1 : cores;
    const share = (dtype: "float32" | "float64") => (gflops / (threads * ceiling[dtype]!) * 100).toFixed(0);
    console.log(
      `  ${r.peer} ${r.dtype}: ${gflops.toFixed(1)} GFLOP/s = ${share("float32")}% of the f32x4 ceiling of ` +
        `${threads} core${threads > 1 ? "s" : ""}, ${share("float64")}% of the f64x2 one`,
    );
  }
}
