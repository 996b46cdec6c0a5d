// Bounded reads: a file or stream is read in chunks up to a byte limit and no further, whatever kind it is.

/** The input is larger than the limit; `size` is its size when it is a regular file (else only "more than"). */
export class TooLargeError extends RangeError {
  /** The limit in bytes. */
  readonly limit: number;
  /** The file's size from `stat`, for regular files; `undefined` for pipes and devices, read up to the limit. */
  readonly size?: number;

  /** Creates the error; the message says the limit and, when known, the size. */
  constructor(limit: number, size?: number) {
    super(
      `it is larger than ${formatBytes(limit)} (${
        size === undefined ? "read stopped there" : `${size} bytes`
      })`,
    );
    this.name = "TooLargeError";
    this.limit = limit;
    this.size = size;
  }
}

/**
 * A byte count in binary units, whole where it is whole (`256 MiB`, `1 GiB`, limits as people write them) and
 * with one decimal otherwise (`1.5 KiB`, `10.4 GiB`, estimates); below 1 KiB, bytes.
 */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) value /= 1024, unit++;
  if (unit === 0 || Number.isInteger(value)) return `${value} ${units[unit]}`;
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Anything with `read` like `Deno.FsFile` and `Deno.stdin`. */
export interface ByteReader {
  /** Reads into `buffer`; resolves with the byte count or `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * Reads `reader` to its end, but never more than `maxBytes`: one byte past the limit throws `TooLargeError`
 * after at most `maxBytes + 1` bytes were read (so `/dev/zero` or an endless pipe stop at the limit).
 * `sizeHint` (a regular file's size) sizes the first buffer.
 */
export async function readAllCapped(
  reader: ByteReader,
  maxBytes: number,
  sizeHint = 64 * 1024,
): Promise<Uint8Array> {
  // one byte more than the hint, so a file of the expected size is read without growing the buffer
  let buffer = new Uint8Array(Math.min(maxBytes + 1, Math.max(sizeHint + 1, 1024)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) throw new TooLargeError(maxBytes);
      const bigger = new Uint8Array(Math.min(maxBytes + 1, buffer.length * 2));
      bigger.set(buffer);
      buffer = bigger;
    }
    const count = await reader.read(buffer.subarray(length));
    if (count === null) break;
    length += count;
  }
  if (length > maxBytes) throw new TooLargeError(maxBytes);
  return buffer.subarray(0, length);
}

/**
 * Reads a file of any kind (regular file, pipe, FIFO, device) up to `maxBytes`: a regular file over the limit
 * is refused from its size before reading; anything else is read in chunks and refused one byte past the limit.
 * Other failures (not found, a directory, permission) are the `Deno.errors` of opening or reading.
 */
export async function readFileCapped(path: string, maxBytes: number): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  if (info.isDirectory) throw new Deno.errors.IsADirectory(`Is a directory: ${path}`);
  if (info.isFile && info.size > maxBytes) throw new TooLargeError(maxBytes, info.size);
  return await readAllCapped(file, maxBytes, info.isFile ? info.size : undefined);
}
