// Tests of bounded reads: regular files, devices, pipes and FIFOs stop at the limit.

import assert from "node:assert/strict";
import { formatBytes, readAllCapped, readFileCapped, TooLargeError } from "../src/_read_capped.ts";

Deno.test("readFileCapped(): unbounded reads stop at the limit, whatever the kind of file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_read_capped_" });
  try {
    await t.step("a regular file over the limit is refused from its size", async () => {
      await Deno.writeFile(`${dir}/big`, new Uint8Array(1001));
      await assert.rejects(readFileCapped(`${dir}/big`, 1000), (error: unknown) => {
        assert.ok(error instanceof TooLargeError);
        assert.equal(error.message, "it is larger than 1000 bytes (1001 bytes)");
        assert.equal(error.size, 1001);
        return true;
      });
    });
    await t.step("a file of exactly the limit is read whole", async () => {
      await Deno.writeFile(`${dir}/exact`, new Uint8Array(100_000).fill(3));
      const bytes = await readFileCapped(`${dir}/exact`, 100_000);
      assert.equal(bytes.length, 100_000);
      assert.ok(bytes.every((b) => b === 3));
    });
    await t.step("/dev/zero stops one byte past the limit", async () => {
      await assert.rejects(readFileCapped("/dev/zero", 2 ** 20), (error: unknown) => {
        assert.ok(error instanceof TooLargeError);
        assert.equal(error.message, "it is larger than 1 MiB (read stopped there)");
        return true;
      });
    });
    await t.step("a FIFO with an endless writer (like <(yes)) stops at the limit", async () => {
      const fifo = `${dir}/fifo`;
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.ok(made.success);
      const writer = new Deno.Command("sh", { args: ["-c", `yes "# c" > ${fifo}`], stderr: "null" }).spawn();
      try {
        await assert.rejects(readFileCapped(fifo, 64 * 1024), TooLargeError);
      } finally {
        writer.kill("SIGKILL");
        await writer.status;
      }
    });
    await t.step("a directory and a missing file fail as Deno errors", async () => {
      await assert.rejects(readFileCapped(dir, 10), Deno.errors.IsADirectory);
      await assert.rejects(readFileCapped(`${dir}/missing`, 10), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readAllCapped() reads a stream in chunks up to the limit", async () => {
  let served = 0;
  const endless = {
    read(buffer: Uint8Array): Promise<number> {
      const n = Math.min(buffer.length, 777);
      buffer.fill(1, 0, n);
      served += n;
      return Promise.resolve(n);
    },
  };
  await assert.rejects(readAllCapped(endless, 10_000), TooLargeError);
  assert.ok(served <= 10_001 + 777, `read ${served} bytes for a 10,000-byte limit`);
  assert.equal(formatBytes(256 * 2 ** 20), "256 MiB");
  assert.equal(formatBytes(2 ** 30), "1 GiB");
});
