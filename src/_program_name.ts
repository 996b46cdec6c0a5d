// How the user started the CLI, for its usage lines: `termnet train …` when compiled or installed, `deno task
// train …` in the repository.

/** What the running process knows about how it was started (`Deno.build.standalone`, `Deno.mainModule`, …). */
export interface Invocation {
  /** True in a binary made by `deno compile`. */
  readonly standalone: boolean;
  /** The URL of the main module: a file: URL in a checkout, https: (or jsr:) when run or installed by URL. */
  readonly mainModule: string;
  /** The running executable: `deno`, or the compiled binary. */
  readonly execPath: string;
}

/**
 * The words that start a command as the user types it. A compiled binary is called by its own file name
 * (`termnet`); the CLI from a local checkout is run through the repository's tasks (`deno task`), which is how
 * `deno task train` reaches it; from a URL it is the installed command (`deno install -g -n termnet …`), named
 * `termnet` as the README installs it. The shell script `deno install` writes passes neither its name nor an
 * environment variable, so a `deno run <url>` without installing is shown as `termnet` too.
 */
export function programName(invocation: Invocation): string {
  if (invocation.standalone) {
    const file = invocation.execPath.split(/[\\/]/).at(-1) ?? "termnet";
    return file.replace(/\.exe$/i, "") || "termnet";
  }
  if (invocation.mainModule.startsWith("file:")) return "deno task";
  return "termnet";
}

/** The program name of this process. */
export function currentProgramName(): string {
  return programName({
    standalone: Deno.build.standalone ?? false,
    mainModule: Deno.mainModule,
    execPath: Deno.execPath(),
  });
}
