import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { applyEdits, textEdits } from "../_text_edits.ts";
import { csvToDataset, parseCsv } from "../../src/data/csv.ts";
import { DataError } from "../../src/errors.ts";

function errorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("parseCsv() handles RFC 4180 quoting, CRLF, blank lines and a trailing newline", () => {
  const text = 'name,note,value\r\n"Smith, J","said ""hi""\r\nthen left",1\r\n\r\nplain,,2\r\n';
  const table = parseCsv(text);
  assert.deepEqual(table.header, ["name", "note", "value"]);
  assert.deepEqual(table.rows, [["Smith, J", 'said "hi"\r\nthen left', "1"], ["plain", "", "2"]]);
  assert.deepEqual(table.lines, [2, 5]);
});

Deno.test("parseCsv() accepts a file without a trailing newline and quoted empty fields", () => {
  const table = parseCsv('a,b\n"",2');
  assert.deepEqual(table.rows, [["", "2"]]);
});

Deno.test("parseCsv() names the file and line of a bad row", () => {
  const error = errorOf(() => parseCsv("a,b,c,d,e\n1,2,3,4,5\n\n1,2,3,4\n", { file: "data/x.csv" }));
  assert.equal(error.message, "data/x.csv:4: expected 5 fields, got 4");
  assert.equal(error.line, 4);
});

Deno.test("parseCsv() rejects an unterminated quote at the line where the field starts", () => {
  const error = errorOf(() => parseCsv('a,b\n1,"open\n2,3\n', { file: "q.csv" }));
  assert.equal(error.message, "q.csv:2: Cannot parse CSV: unterminated quoted field");
});

Deno.test("parseCsv() rejects an empty file", () => {
  assert.equal(
    errorOf(() => parseCsv("\n\n", { file: "e.csv" })).message,
    "e.csv: Cannot parse CSV: the file is empty",
  );
});

Deno.test("csvToDataset() names the file, line and column of a non-numeric feature", async () => {
  const file = "tests/fixtures/bad_row.csv";
  const table = parseCsv(await Deno.readTextFile(file), { file });
  const error = errorOf(() => csvToDataset(table, { target: "species", file }));
  assert.equal(error.message, `${file}:7: column "sepal_width": expected a number, got "abc"`);
});

Deno.test("csvToDataset() with a limit stops before the bad row and parses quoted numbers", async () => {
  const file = "tests/fixtures/bad_row.csv";
  const data = csvToDataset(parseCsv(await Deno.readTextFile(file), { file }), {
    target: "species",
    limit: 4,
  });
  assert.equal(data.size, 4);
  assert.deepEqual(data.classNames, ["setosa", "versicolor"]);
  assert.equal(data.rawFeatureData[12], 6.4);
});

Deno.test("csvToDataset() names an unknown column and lists the columns", () => {
  const table = parseCsv("a,b,kind\n1,2,x\n");
  assert.equal(
    errorOf(() => csvToDataset(table, { target: "knd", file: "t.csv" })).message,
    't.csv: Cannot find target column "knd": the columns are "a", "b", "kind"',
  );
  assert.equal(
    errorOf(() => csvToDataset(table, { target: "kind", features: ["a", "c"], file: "t.csv" })).message,
    't.csv: Cannot find feature column "c": the columns are "a", "b", "kind"',
  );
});

Deno.test("csvToDataset() says when a file seems to use semicolons or tabs instead of commas", () => {
  for (const [separator, word] of [[";", "semicolons"], ["\t", "tabs"]]) {
    const table = parseCsv(`a${separator}kind\n1${separator}x\n`);
    assert.equal(
      errorOf(() => csvToDataset(table, { target: "kind", file: "t.csv" })).message,
      `t.csv: Cannot find target column "kind": the columns are "a${separator}kind" (the file seems to separate ` +
        `its values with ${word}; termnet reads comma-separated values)`,
    );
  }
});

Deno.test("csvToDataset() turns strings into alphabetically ordered classes and numbers into regression", () => {
  const table = parseCsv("x,y,kind\n1,10,b\n2,20,c\n3,30,a\n");
  const classes = csvToDataset(table, { target: "kind" });
  assert.equal(classes.task, "classification");
  assert.deepEqual(classes.classNames, ["a", "b", "c"]);
  assert.deepEqual([...classes.labels!], [1, 2, 0]);
  assert.equal(classes.targetSize, 3);
  assert.deepEqual(classes.featureNames, ["x", "y"]);

  const regression = csvToDataset(table, { target: "y", features: ["x"] });
  assert.equal(regression.task, "regression");
  assert.deepEqual(regression.targets().toArray(), [[10], [20], [30]]);
  assert.deepEqual(regression.features().toArray(), [[1], [2], [3]]);
});

Deno.test("csvToDataset() reads the shipped iris file", async () => {
  const data = csvToDataset(parseCsv(await Deno.readTextFile("data/iris.csv")), { target: "species" });
  assert.equal(data.size, 150);
  assert.equal(data.inputSize, 4);
  assert.deepEqual(data.classNames, ["setosa", "versicolor", "virginica"]);
});

Deno.test("parseCsv(): duplicate column names are an error, not the first column read twice", () => {
  const error = errorOf(() => parseCsv("\n\na,a,b,c,species\n1,2,3,4,x\n", { file: "data/dup.csv" }));
  assert.equal(
    error.message,
    'data/dup.csv:3: Cannot parse CSV: columns 1 and 2 are both named "a" (column names must differ)',
  );
  assert.equal(error.line, 3);
  // names are compared after trimming, as they are matched
  assert.throws(() => parseCsv("a, b,b \n1,2,3\n"), /columns 2 and 3 are both named "b"/);
});

Deno.test("csvToDataset(): a value 1e999 is an error naming file:line, not Infinity", async (t) => {
  await t.step("a feature", () => {
    const error = errorOf(() =>
      csvToDataset(parseCsv("x,y\n1,a\n1e999,b\n", { file: "f.csv" }), { target: "y", file: "f.csv" })
    );
    assert.equal(
      error.message,
      'f.csv:3: column "x": expected a finite number, got "1e999" (beyond the largest double, about 1.8e308)',
    );
  });
  await t.step("a regression target stays regression and names the value", () => {
    const error = errorOf(() =>
      csvToDataset(parseCsv("x,y\n1,2\n2,-1e999\n", { file: "f.csv" }), { target: "y", file: "f.csv" })
    );
    assert.equal(
      error.message,
      'f.csv:3: column "y": expected a finite number, got "-1e999" (beyond the largest double, about 1.8e308)',
    );
  });
  await t.step("1e-999 is a number (zero)", () => {
    const data = csvToDataset(parseCsv("x,y\n1e-999,2\n1,3\n"), { target: "y" });
    assert.equal(data.rawFeatureData[0], 0);
  });
});

Deno.test("parseCsv() and csvToDataset() on mutated CSV: a DataError naming the file (and a real line), or finite data", () => {
  const valid = "a,b,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n7.0,3.2,versicolor\n6.4,3.2,versicolor\n";
  const pieces = [
    ",",
    '"',
    "\n",
    "\r\n",
    "",
    " ",
    "1e999",
    "-",
    ".",
    "e",
    "NaN",
    "abc",
    "\ufeff",
    "\x00",
    "a",
    "9",
  ];
  fc.assert(
    fc.property(
      textEdits(pieces, { maxEdits: 4, maxRemove: 3 }),
      (edits) => {
        const text = applyEdits(valid, edits);
        const lineCount = text.split("\n").length;
        try {
          const data = csvToDataset(parseCsv(text, { file: "m.csv" }), { target: "species", file: "m.csv" });
          assert.ok(Array.from(data.rawFeatureData).every(Number.isFinite), text);
        } catch (error) {
          assert.ok(
            error instanceof DataError,
            `expected a DataError, got ${error} for ${JSON.stringify(text)}`,
          );
          assert.equal(error.file, "m.csv");
          assert.ok(error.message.startsWith("m.csv"), error.message);
          if (error.line !== undefined) assert.ok(error.line >= 1 && error.line <= lineCount, error.message);
        }
      },
    ),
    { numRuns: 3000, seed: 5 },
  );
});
