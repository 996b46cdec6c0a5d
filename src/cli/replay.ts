// The replay command: plays a run's recorded timeline back in the dashboard or as log lines.

import { readFileCapped } from "../_read_capped.ts";
import { TimelineFileError } from "../errors.ts";
import type { TrainEvent } from "../train/events.ts";
import type { Timeline } from "../train/timeline.ts";
import { decodeTimeline, TIMELINE_FILE } from "../train/timeline_file.ts";
import { formatEpochLine } from "../ui/plain_log.ts";
import { runDashboard } from "../ui/run_dashboard.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { print } from "./_print.ts";

/** Largest timeline file read, in bytes (a 784-256-128-10 run's is about 5 MB). */
const MAX_TIMELINE_BYTES = 256 * 2 ** 20;

/** Reads a run's timeline: `path` is the run folder or the timeline file itself. */
async function readTimeline(path: string): Promise<{ timeline: Timeline; file: string }> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info === undefined) {
    // a run's name instead of its folder (`replay xor` for runs/xor) is the likely slip
    const folder = `runs/${path.replace(/\/+$/, "")}`;
    const isRun = !path.startsWith("/") && await Deno.stat(folder).then((i) => i.isDirectory, () => false);
    throw new TimelineFileError(
      `Cannot read the timeline: no such run folder or file${isRun ? ` (did you mean "${folder}"?)` : ""}`,
      { file: path },
    );
  }
  const file = info.isDirectory ? `${path.replace(/\/+$/, "")}/${TIMELINE_FILE}` : path;
  let bytes: Uint8Array;
  try {
    bytes = await readFileCapped(file, MAX_TIMELINE_BYTES);
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound
      ? "the file does not exist (runs record it since this version; train the run again)"
      : (error as Error).message;
    throw new TimelineFileError(`Cannot read the timeline: ${detail}`, { file });
  }
  return { timeline: decodeTimeline(bytes, { file }), file };
}

/** Runs `replay`: plays a run's timeline back and returns the exit code. */
export async function commandReplay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { headless: { type: "boolean" } });
  if (values.help) return print(HELP.replay), EXIT.ok;
  if (positionals.length !== 1) {
    throw new UsageError("replay expects one run folder or timeline file (see --help)");
  }
  const { timeline, file } = await readTimeline(positionals[0]);
  const useDashboard = !values.headless && Deno.stdout.isTerminal() && Deno.stdin.isTerminal();
  if (!useDashboard) {
    for (let i = 0; i < timeline.length; i++) print(formatEpochLine(timeline.eventAt(i)));
    return EXIT.ok;
  }
  const start = timeline.start!;
  const last = timeline.length > 0 ? timeline.epochAt(timeline.length - 1) : 0;
  const end: TrainEvent = timeline.end ?? {
    type: "end",
    reason: "quit",
    epoch: last,
    message: `Replay of ${file}: saved at epoch ${last}, while training was still running`,
  };
  async function* events(): AsyncGenerator<TrainEvent> {
    yield start;
    for (let i = 0; i < timeline.length; i++) yield timeline.eventAt(i);
    yield end;
  }
  // SIGTERM closes the dashboard as q does (the terminal restored), exit 143
  const stop = new AbortController();
  const onTerminate = () => stop.abort();
  Deno.addSignalListener("SIGTERM", onTerminate);
  try {
    await runDashboard({ events: events(), send: () => {}, timeline, restartable: false }, {
      holdOnEnd: true,
      summary: false,
      replay: true,
      stop: stop.signal,
    });
  } finally {
    Deno.removeSignalListener("SIGTERM", onTerminate);
  }
  const first = timeline.length > 0 ? timeline.epochAt(0) : 0;
  print(`replayed ${file}: ${timeline.length} snapshots of epochs ${first}–${last} (${end.message})`);
  return stop.signal.aborted ? EXIT.terminated : EXIT.ok;
}
