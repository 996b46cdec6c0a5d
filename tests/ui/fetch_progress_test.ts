import assert from "node:assert/strict";
import { fetchProgressLine, formatBytes } from "../../src/ui/fetch_progress.ts";
import { visibleWidth } from "../../src/ui/ansi.ts";

const FILE = "train-images-idx3-ubyte.gz";

Deno.test("formatBytes() uses decimal units", () => {
  assert.deepEqual([812, 5125, 4_422_102, 26_421_880, 2_500_000_000].map(formatBytes), [
    "812 B",
    "5.1 kB",
    "4.4 MB",
    "26.4 MB",
    "2.50 GB",
  ]);
});

Deno.test("fetchProgressLine() draws the file, a bar, the percentage and the bytes", async (t) => {
  await t.step("at 80 columns", () => {
    assert.equal(
      fetchProgressLine(FILE, 12_700_000, 26_421_880, { columns: 80 }),
      "train-images-idx3-ubyte.gz ███████▊░░░░░░░░   48%  12.7 MB / 26.4 MB",
    );
    assert.equal(
      fetchProgressLine(FILE, 26_421_880, 26_421_880, { columns: 80 }),
      "train-images-idx3-ubyte.gz ████████████████  100%  26.4 MB / 26.4 MB",
    );
  });
  await t.step("without a total, only the bytes", () => {
    assert.equal(fetchProgressLine(FILE, 12_700_000, undefined, { columns: 80 }), `${FILE}  12.7 MB`);
  });
  await t.step("never wider than the terminal: the bar goes first", () => {
    for (const columns of [20, 40, 50, 60, 70]) {
      const line = fetchProgressLine(FILE, 12_700_000, 26_421_880, { columns });
      assert.ok(visibleWidth(line) <= columns, `${columns}: ${line}`);
    }
    assert.equal(
      fetchProgressLine(FILE, 12_700_000, 26_421_880, { columns: 50 }),
      `${FILE}   48%  12.7 MB / 26.4 …`,
    );
  });
});
