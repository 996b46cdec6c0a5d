// The fetch command: downloads a named dataset into the cache with progress lines.

import { suggest } from "../config/parse_config.ts";
import { fetchDataset, type FetchEvent } from "../data/fetch.ts";
import {
  datasetCacheDir,
  NAMED_DATASET_NAMES,
  NAMED_DATASETS,
  type NamedDatasetName,
} from "../data/named.ts";
import { CLEAR_LINE, escapeControl } from "../ui/ansi.ts";
import { fetchProgressLine, formatBytes } from "../ui/fetch_progress.ts";
import { parse, UsageError } from "./_args.ts";
import { EXIT } from "./_exit.ts";
import { HELP } from "./_help.ts";
import { print } from "./_print.ts";

/** Runs `fetch`: downloads a named dataset and returns the exit code. */
export async function commandFetch(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { mirror: { type: "string" }, dir: { type: "string" } });
  if (values.help) return print(HELP.fetch), EXIT.ok;
  const expected = NAMED_DATASET_NAMES.join(" or ");
  if (positionals.length !== 1) {
    throw new UsageError(`fetch expects one dataset name, ${expected} (see --help)`);
  }
  const name = positionals[0];
  if (!(NAMED_DATASET_NAMES as readonly string[]).includes(name)) {
    const near = suggest(name, NAMED_DATASET_NAMES);
    throw new UsageError(
      `unknown dataset "${name}" (expected ${expected}${
        near !== undefined ? `; did you mean "${near}"?` : ""
      })`,
    );
  }
  const dataset = NAMED_DATASETS[name as NamedDatasetName];
  const mirror = values.mirror as string | undefined;
  if (mirror !== undefined && !/^https?:\/\/[^/]/.test(mirror)) {
    throw new UsageError(`--mirror expects an http:// or https:// URL, got "${mirror}"`);
  }
  const dir = values.dir as string | undefined ?? datasetCacheDir(dataset.name);
  if (dir === undefined) {
    throw new UsageError("cannot find the cache folder: HOME is not set; pass --dir DIR");
  }

  // a terminal gets one redrawn progress line per file; a log gets one line per file and per retry
  const tty = Deno.stdout.isTerminal();
  // a terminal that does not report its size (0 columns) is taken as 80 wide
  const columns = (tty ? Deno.consoleSize().columns : 0) || 80;
  const encoder = new TextEncoder();
  let drawn = false, lastDraw = 0;
  const draw = (line: string) => {
    Deno.stdout.writeSync(encoder.encode(`\r${CLEAR_LINE}${escapeControl(line)}`));
    drawn = line !== "";
  };
  const onEvent = (event: FetchEvent) => {
    if (event.type === "progress" && tty) {
      const now = Date.now();
      if (now - lastDraw < 100 && event.received !== event.total) return;
      lastDraw = now;
      draw(fetchProgressLine(event.file, event.received, event.total, { columns }));
    } else if (event.type === "retry") {
      if (drawn) draw("");
      print(
        `${event.file}: ${event.reason}; attempt ${event.attempt} of ${event.attempts} from byte ${event.resumeFrom}`,
      );
    } else if (event.type === "done") {
      if (drawn) draw("");
      const how = event.reused ? "already there" : "downloaded";
      print(`${event.path}  ${formatBytes(event.bytes)}  SHA-256 ok (${how})`);
    }
  };
  try {
    await fetchDataset(dataset.name, { dir, baseUrl: mirror, onEvent });
  } finally {
    if (drawn) draw("");
  }
  print(`${dataset.title} is in ${dir}; configs with "source: ${dataset.name}" find it there`);
  return EXIT.ok;
}
