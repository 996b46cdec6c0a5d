// The dashboard's cost: wall time of `deno task train` with the dashboard (in a real terminal) over `--headless`.
//
// Run: deno task bench:dashboard
//   (deno run --no-prompt --allow-read --allow-write --allow-run=tmux bench/dashboard_overhead.ts)
//
// Each workload runs RUNS times in each mode, alternating, and the medians are compared. Both modes run the CLI
// exactly as the train task does (its flags from deno.json, cwd the repository root) in a fresh tmux pane of
// 100×30; the shell in the pane takes a timestamp before starting the process and after it exits, so the time is
// the whole process (Deno start, data loading, training, saving). The dashboard run ends by itself at the last
// epoch; the headless run writes its one line per epoch to a file, as when piped. Workloads:
//   xor            configs/xor.yaml as it is (stops at its target loss)
//   fashion-mnist  configs/fashion-mnist.yaml with --epochs 2 (60 000 training images, 10 000 test), to stay short
// Target: a ratio of at most 1.10.
//
// Measured on a loaded 2-core machine (NO_COLOR, 100×30): fashion-mnist 1.02 (8.15 s / 8.01 s); xor 1.11
// (0.19 s / 0.17 s, was 1.26-1.49). XOR's 3914 epochs take about 12 µs each and the whole run about 70 ms, so the
// dashboard's fixed costs show: four frames drawn while V8 has not optimized the drawing code yet (about 3, 6, 2
// and 2 ms), about 8 ms of reduceDashboard over all epoch events (about 2 µs each while cold), and about 3 ms of
// writes to the terminal. On epochs of milliseconds (fashion-mnist) none of it shows.

import { shellQuote, TmuxSession, trainCommand } from "../tests/ui/_tmux.ts";

const RUNS = 3;
const TARGET = 1.10;

interface Workload {
  name: string;
  args: string[];
}

const WORKLOADS: Workload[] = [
  { name: "xor", args: ["configs/xor.yaml"] },
  { name: "fashion-mnist", args: ["configs/fashion-mnist.yaml", "--epochs", "2"] },
];

/** Runs one training in a fresh tmux pane and returns its wall time in seconds. */
async function timeRun(workload: Workload, headless: boolean): Promise<number> {
  await using tmux = await TmuxSession.start((dir) => {
    const command = trainCommand([
      ...workload.args,
      "--out",
      `${dir}/run`,
      ...(headless ? ["--headless"] : []),
    ]);
    return [
      "start=$(date +%s%N)",
      headless ? `${command} > ${shellQuote(`${dir}/log`)} 2>&1` : command,
      "rc=$?",
      "end=$(date +%s%N)",
      `echo "$rc $start $end" > ${shellQuote(`${dir}/time`)}`,
      "exec sleep 600",
    ].join("\n");
  });
  const [code, start, end] =
    (await tmux.waitForFile(`${tmux.dir}/time`, { timeoutMs: 600_000, intervalMs: 20 }))
      .trim().split(" ");
  if (code !== "0") {
    throw new Error(
      `${workload.name} (${headless ? "headless" : "dashboard"}) exited with ${code}:\n` +
        (headless ? await Deno.readTextFile(`${tmux.dir}/log`) : await tmux.capture()),
    );
  }
  await Deno.stat(`${tmux.dir}/run/model.json`);
  return Number(BigInt(end) - BigInt(start)) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

if (import.meta.main) {
  console.log(`dashboard overhead: wall time with the dashboard / --headless, median of ${RUNS} runs each`);
  let worst = 0;
  for (const workload of WORKLOADS) {
    const times = { headless: [] as number[], dashboard: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.headless.push(await timeRun(workload, true));
      times.dashboard.push(await timeRun(workload, false));
    }
    const ratio = median(times.dashboard) / median(times.headless);
    worst = Math.max(worst, ratio);
    const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(" ");
    console.log(
      `${workload.name.padEnd(14)} headless ${median(times.headless).toFixed(2)}s (${
        list(times.headless)
      })  ` +
        `dashboard ${median(times.dashboard).toFixed(2)}s (${list(times.dashboard)})  ratio ${
          ratio.toFixed(3)
        }`,
    );
  }
  console.log(
    worst <= TARGET ? `ok: every ratio ≤ ${TARGET}` : `over the target: a ratio is above ${TARGET}`,
  );
}
