// Tests of programName: the usage lines name the command as the user typed it.

import assert from "node:assert/strict";
import { programName } from "../src/_program_name.ts";

Deno.test("programName() names the command as it was invoked", async (t) => {
  await t.step("a compiled binary by its file name", () => {
    assert.equal(
      programName({ standalone: true, mainModule: "file:///x/src/cli.ts", execPath: "/usr/bin/termnet" }),
      "termnet",
    );
    assert.equal(
      programName({ standalone: true, mainModule: "file:///x/src/cli.ts", execPath: "C:\\bin\\tn.exe" }),
      "tn",
    );
  });
  await t.step("a checkout through its tasks", () => {
    assert.equal(
      programName({
        standalone: false,
        mainModule: "file:///work/termnet/src/cli.ts",
        execPath: "/usr/bin/deno",
      }),
      "deno task",
    );
  });
  await t.step("by URL as the installed termnet", () => {
    const mainModule = "https://raw.githubusercontent.com/termnet/termnet/v0.2.0/src/cli.ts";
    assert.equal(programName({ standalone: false, mainModule, execPath: "/usr/bin/deno" }), "termnet");
  });
});
