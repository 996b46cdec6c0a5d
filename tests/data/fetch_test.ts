import assert from "node:assert/strict";
import { fetchDataset, type FetchEvent } from "../../src/data/fetch.ts";
import { NAMED_DATASETS } from "../../src/data/named.ts";
import { DownloadError } from "../../src/errors.ts";
import { type Fault, serveFiles, sha256Hex } from "./_loopback.ts";

const SAMPLE = "data/fashion-mnist-sample";
const NAMES = Object.values(NAMED_DATASETS["fashion-mnist"].files);

// The sample's four files and their checksums: the table fetchDataset is given instead of the full files'.
const FILES = new Map<string, Uint8Array>();
const SHA256: Record<string, string[]> = {};
for (const name of NAMES) {
  FILES.set(name, await Deno.readFile(`${SAMPLE}/${name}`));
  SHA256[name] = [await sha256Hex(FILES.get(name)!)];
}

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "termnet_fetch_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function fetchFrom(url: string, dir: string, events: FetchEvent[] = []) {
  return fetchDataset("fashion-mnist", {
    dir,
    baseUrl: url,
    sha256: SHA256,
    retryDelayMs: 0,
    onEvent: (event) => events.push(event),
  });
}

async function rejection(promise: Promise<unknown>): Promise<DownloadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("fetchDataset() downloads the four files, checks their SHA-256 and keeps verified copies", async (t) => {
  await using server = serveFiles(FILES);
  await using tmp = await tempDir();
  const dir = `${tmp.path}/cache/fashion-mnist`;
  const events: FetchEvent[] = [];
  const fetched = await fetchFrom(server.url, dir, events);

  await t.step("every file arrives whole under its own name, and no .part is left", async () => {
    assert.deepEqual(await listing(dir), [...NAMES].sort());
    for (const name of NAMES) {
      assert.deepEqual(await Deno.readFile(`${dir}/${name}`), FILES.get(name));
    }
    assert.deepEqual(
      fetched.map((f) => [f.file, f.sha256, f.reused]),
      NAMES.map((n) => [n, SHA256[n][0], false]),
    );
  });
  await t.step("progress events count up to each file's size", () => {
    const progress = events.filter((e) => e.type === "progress" && e.file === NAMES[0]);
    const last = progress.at(-1) as Extract<FetchEvent, { type: "progress" }>;
    assert.equal(last.received, FILES.get(NAMES[0])!.length);
    assert.equal(last.total, FILES.get(NAMES[0])!.length);
    assert.deepEqual(events.filter((e) => e.type === "start").map((e) => e.type === "start" && e.url), [
      ...NAMES.map((n) => `${server.url}${n}`),
    ]);
  });
  await t.step("a second fetch keeps the verified files and downloads nothing", async () => {
    const before = server.requests.length;
    const again = await fetchFrom(server.url, dir);
    assert.equal(server.requests.length, before);
    assert.ok(again.every((f) => f.reused));
  });
  await t.step("a damaged file in the folder is downloaded again", async () => {
    await Deno.writeFile(`${dir}/${NAMES[1]}`, new Uint8Array([1, 2, 3]));
    const again = await fetchFrom(server.url, dir);
    assert.deepEqual(again.map((f) => f.reused), [true, false, true, true]);
    assert.deepEqual(await Deno.readFile(`${dir}/${NAMES[1]}`), FILES.get(NAMES[1]));
  });
});

Deno.test("fetchDataset() rejects a corrupted file with the checksum error and leaves no file under its name", async () => {
  const bad = "t10k-images-idx3-ubyte.gz";
  await using server = serveFiles(FILES, { [bad]: { corrupt: true } });
  await using tmp = await tempDir();
  const error = await rejection(fetchFrom(server.url, tmp.path));
  const corrupted = FILES.get(bad)!.slice();
  corrupted[corrupted.length >> 1] ^= 0xff;
  assert.equal(
    error.message,
    `${server.url}${bad}: Cannot use the download: its SHA-256 is ${await sha256Hex(corrupted)}, ` +
      `expected ${SHA256[bad][0]}`,
  );
  // the two files before it are in place; neither the bad file nor its .part is
  assert.deepEqual(await listing(tmp.path), ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]);
});

Deno.test("fetchDataset() resumes a broken transfer with an HTTP Range request", async () => {
  const name = "train-images-idx3-ubyte.gz";
  const size = FILES.get(name)!.length;
  await using server = serveFiles(FILES, { [name]: { drops: 2 } });
  await using tmp = await tempDir();
  const events: FetchEvent[] = [];
  await fetchFrom(server.url, tmp.path, events);
  assert.deepEqual(await Deno.readFile(`${tmp.path}/${name}`), FILES.get(name));
  // three requests: the whole file (broken at half), the rest (broken at half of it), the rest again
  const seen = server.requests.filter((r) => r.path === `/${name}`).map((r) => r.range);
  const first = size >> 1, second = first + ((size - first) >> 1);
  assert.deepEqual(seen, [null, `bytes=${first}-`, `bytes=${second}-`]);
  const retries = events.filter((e) => e.type === "retry");
  assert.deepEqual(retries.map((e) => e.type === "retry" && [e.attempt, e.resumeFrom]), [[2, first], [
    3,
    second,
  ]]);
  assert.deepEqual(await listing(tmp.path), [...NAMES].sort());
});

Deno.test("fetchDataset() starts again when the server ignores Range, and retries server errors", async (t) => {
  await t.step("a 200 answer to a Range request replaces the partial file", async () => {
    const name = "t10k-images-idx3-ubyte.gz";
    await using server = serveFiles(FILES, { [name]: { drops: 1, ignoreRange: true } });
    await using tmp = await tempDir();
    await fetchFrom(server.url, tmp.path);
    assert.deepEqual(await Deno.readFile(`${tmp.path}/${name}`), FILES.get(name));
  });
  await t.step("503 twice, then the file", async () => {
    const faults: Record<string, Fault> = { "train-labels-idx1-ubyte.gz": { status: 503, fails: 2 } };
    await using server = serveFiles(FILES, faults);
    await using tmp = await tempDir();
    await fetchFrom(server.url, tmp.path);
    assert.equal(server.requests.filter((r) => r.path === "/train-labels-idx1-ubyte.gz").length, 3);
  });
  await t.step(
    "a transfer that keeps breaking gives up after the attempts, keeping the .part to resume",
    async () => {
      const name = "train-images-idx3-ubyte.gz";
      await using server = serveFiles(FILES, { [name]: { drops: 99 } });
      await using tmp = await tempDir();
      const error = await rejection(
        fetchDataset("fashion-mnist", {
          dir: tmp.path,
          baseUrl: server.url,
          sha256: SHA256,
          retryDelayMs: 0,
          attempts: 3,
        }),
      );
      assert.match(
        error.message,
        new RegExp(
          `^${server.url}${name}: Cannot download the file: the connection broke after \\d+ bytes .* \\(3 attempts\\)$`,
        ),
      );
      assert.deepEqual(await listing(tmp.path), [`${name}.part`]);
    },
  );
  await t.step("no server at the address: the network's reason, after the attempts", async () => {
    const closed = serveFiles(FILES);
    const url = closed.url;
    await closed[Symbol.asyncDispose]();
    await using tmp = await tempDir();
    const error = await rejection(
      fetchDataset("fashion-mnist", {
        dir: tmp.path,
        baseUrl: url,
        sha256: SHA256,
        retryDelayMs: 0,
        attempts: 2,
      }),
    );
    const expected = `^${url}train-images-idx3-ubyte.gz: Cannot download the file: .+ \\(2 attempts\\)$`;
    assert.match(error.message, new RegExp(expected));
    assert.doesNotMatch(error.message, /fetch failed/);
    assert.deepEqual(await listing(tmp.path), []);
  });
  await t.step("404 is not retried", async () => {
    await using server = serveFiles(new Map());
    await using tmp = await tempDir();
    const error = await rejection(fetchFrom(server.url, tmp.path));
    assert.equal(
      error.message,
      `${server.url}train-images-idx3-ubyte.gz: Cannot download the file: the server answered 404 Not Found`,
    );
    assert.equal(server.requests.length, 1);
    assert.deepEqual(await listing(tmp.path), []);
  });
});

Deno.test("fetchDataset() finishes a download whose .part is already complete", async () => {
  await using server = serveFiles(FILES);
  await using tmp = await tempDir();
  for (const name of NAMES) await Deno.writeFile(`${tmp.path}/${name}.part`, FILES.get(name)!);
  await fetchFrom(server.url, tmp.path);
  // each request asked for the bytes after the end and got 416: nothing more was needed
  assert.ok(server.requests.every((r) => r.range !== null));
  assert.deepEqual(await listing(tmp.path), [...NAMES].sort());
});
