// Atomic file writes: write a temporary file beside the target, then rename it over the target.

/**
 * Writes `text` to `path` so that readers see either the old file or the complete new one, never a half-written
 * file: the text goes to a temporary file in the same folder, which is then renamed over `path`.
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Writes `bytes` to `path` atomically, like {@linkcode writeTextFileAtomic}. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const slash = path.lastIndexOf("/");
  const folder = slash >= 0 ? path.slice(0, slash + 1) : "";
  const name = slash >= 0 ? path.slice(slash + 1) : path;
  const temporary = `${folder}.${name}.${Deno.pid}.${Date.now()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
