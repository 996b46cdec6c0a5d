// Tests of the WebAssembly arena: freed blocks are reused (merged, zero-filled), and the blocks of networks
// that are garbage-collected go back to the process-wide default backend's memory.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Arena } from "../../src/math/wasm/_arena.ts";

Deno.test("Arena reuses freed blocks, zero-filled, merging neighbours and lowering the top", () => {
  const arena = new Arena(1, 16);
  const a = arena.allocate(100), b = arena.allocate(64), c = arena.allocate(640);
  assert.deepEqual([a, b, c], [64, 192, 256]);
  assert.equal(arena.used, 896);
  arena.heap.fill(7, b / 8, (b + 64) / 8);
  arena.free(b);
  // the lowest free block that fits, zero-filled again
  assert.equal(arena.allocate(10), b);
  assert.ok(arena.heap.subarray(b / 8, (b + 64) / 8).every((value) => value === 0));
  arena.free(a);
  arena.free(b);
  // a (128 bytes) and b (64) merged into one block of 192
  assert.equal(arena.allocate(192), a);
  assert.equal(arena.inUse, 192 + 640);
  arena.free(c);
  arena.free(c); // unknown addresses are ignored
  // the block at the top was given back to the bump pointer
  assert.equal(arena.used, 256);
  arena.free(a);
  assert.equal(arena.used, 64);
  assert.equal(arena.inUse, 0);
});

/** Runs tests/fixtures/exit/many_networks.ts with `args`; returns the memory size it printed. */
async function manyNetworks(args: string[]): Promise<number> {
  const script = fileURLToPath(new URL("../fixtures/exit/many_networks.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--v8-flags=--expose-gc", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const { networks, memoryBytes, backend } = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(networks, Number(args[0]));
  assert.equal(backend, "wasm-simd");
  return memoryBytes;
}

// Each Fashion-MNIST-sized network holds about 3.4 MB in the arena (weights, gradients, batch buffers,
// optimizer state): without reuse, 60 of them took 206 MB and 150 took 510 MB.
const MiB = 2 ** 20;

Deno.test("Arena blocks of garbage-collected networks are reused by the next ones", async (t) => {
  await t.step("collecting after each of 60 networks: the memory stays at about two networks", async () => {
    const bytes = await manyNetworks(["60", "--gc"]);
    assert.ok(bytes <= 32 * MiB, `memory grew to ${bytes / MiB} MiB`);
  });
  await t.step("150 networks left to the garbage collector's own schedule: bounded", async () => {
    const bytes = await manyNetworks(["150"]);
    assert.ok(bytes <= 160 * MiB, `memory grew to ${bytes / MiB} MiB`);
  });
});
