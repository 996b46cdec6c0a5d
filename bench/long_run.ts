// A million XOR epochs headless, the way a user runs them: wall time, peak memory and the files (issue 12, item 7).
//
//   deno task bench:long          (limits: 30 s and 300 MB; exit 1 when a limit is passed)
//
// The child runs under /usr/bin/time -v (GNU time) for its peak resident set size; without it only the time is
// measured.

import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EPOCHS = 1_000_000;
const LIMIT_SECONDS = 30;
const LIMIT_MB = 300;

const out = await Deno.makeTempDir({ prefix: "termnet_long_run_" });
const trainArgs = [
  "run",
  "--no-prompt",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "src/cli.ts",
  "train",
  "configs/xor.yaml",
  "--headless",
  "--epochs",
  String(EPOCHS),
  "--set",
  "train.target_loss=1e-300",
  "--out",
  `${out}/run`,
];
const gnuTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);
const started = performance.now();
const result = await new Deno.Command(gnuTime ? "/usr/bin/time" : Deno.execPath(), {
  args: gnuTime ? ["-v", Deno.execPath(), ...trainArgs] : trainArgs,
  cwd: ROOT,
  stdout: "null",
  stderr: "piped",
}).output();
const seconds = (performance.now() - started) / 1000;
const stderr = new TextDecoder().decode(result.stderr);
const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
const peakMb = peakKb / 1024;
const metrics = await Deno.stat(`${out}/run/metrics.jsonl`).catch(() => undefined);
const lines = metrics === undefined
  ? 0
  : (await Deno.readTextFile(`${out}/run/metrics.jsonl`)).split("\n").filter((line) => line !== "").length;
await Deno.remove(out, { recursive: true });

console.log(
  `${EPOCHS.toLocaleString("en")} XOR epochs headless: ${seconds.toFixed(1)} s, peak ${
    Number.isNaN(peakMb) ? "unknown (no /usr/bin/time)" : `${peakMb.toFixed(0)} MB`
  }, metrics.jsonl ${((metrics?.size ?? 0) / 1e6).toFixed(0)} MB with ${lines.toLocaleString("en")} lines`,
);
const ok = result.code === 0 && seconds <= LIMIT_SECONDS && !(peakMb > LIMIT_MB) && lines >= EPOCHS;
if (!ok) {
  console.error(
    `error: Long run outside its limits (exit ${result.code}, at most ${LIMIT_SECONDS} s and ${LIMIT_MB} MB, ` +
      `${EPOCHS} metrics lines)`,
  );
  Deno.exit(1);
}
