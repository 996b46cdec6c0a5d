// Atomic file writes: write a temporary file beside the target, flush it to disk, then rename it over the target.

/**
 * Writes `text` to `path` so that readers see either the old file or the complete new one, never a half-written
 * file: the text goes to a temporary file in the same folder, which is flushed to disk (fsync) and then renamed
 * over `path`.
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Writes `bytes` to `path` atomically, like {@linkcode writeTextFileAtomic}. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const slash = path.lastIndexOf("/");
  const folder = slash >= 0 ? path.slice(0, slash + 1) : "";
  const name = slash >= 0 ? path.slice(slash + 1) : path;
  const temporary = `${folder}${temporaryName(name)}`;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      // the data reaches the disk before the rename makes it the file: a crash leaves the old file or the new
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  await syncFolder(folder || ".");
}

/** The name of the temporary file beside `name`: `.<name>.<pid>.<ms>.tmp` (stale ones are found by this shape). */
export function temporaryName(name: string): string {
  return `.${name}.${Deno.pid}.${Date.now()}.tmp`;
}

/** The pid in a temporary name made by {@linkcode temporaryName}, or undefined for any other name. */
export function temporaryPid(name: string): number | undefined {
  const match = /^\..+\.(\d+)\.(\d+)\.tmp$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** Flushes a folder's entries (a rename inside it) to disk where the system allows opening folders. */
export async function syncFolder(folder: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const dir = await Deno.open(folder, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  } catch {
    // some file systems refuse to sync a folder; the rename itself is still atomic
  }
}
