// IDX (the MNIST file format): gzip detection, header parsing and images + labels files into a Dataset.

import { formatBytes } from "../_read_capped.ts";
import { DataError } from "../errors.ts";
import { Dataset } from "./dataset.ts";

/** An unsigned-byte IDX array: its dimensions (big-endian in the file) and its values, row-major. */
export interface IdxArray {
  /** Dimensions, e.g. `[60000, 28, 28]` for images or `[60000]` for labels. */
  dims: number[];
  /** The values; `data.length` is the product of `dims`. */
  data: Uint8Array;
}

/** Options for {@linkcode parseIdx}. */
export interface ParseIdxOptions {
  /** The file name for messages. */
  file?: string;
  /** Largest data size accepted (after decompression); default {@linkcode MAX_IDX_BYTES}. */
  maxBytes?: number;
}

/** The class names of Fashion-MNIST, in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** Whether the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Largest IDX data accepted after decompression, in bytes (1 GiB; Fashion-MNIST's training images are 47 MB). */
export const MAX_IDX_BYTES = 2 ** 30;

/** Options for {@linkcode gunzip}. */
export interface GunzipOptions {
  /** The file name for messages. */
  file?: string;
  /** Stop with a `DataError` once the output passes this many bytes; default {@linkcode MAX_IDX_BYTES}. */
  maxBytes?: number;
  /**
   * Called with the output so far until it returns a number: the total size the data says it has (an IDX
   * header). Decompression then stops one byte past that size, so a bomb behind a small header costs nothing;
   * it may throw to stop at once.
   */
  expectedSize?: (head: Uint8Array) => number | undefined;
}

/**
 * Decompresses gzip bytes with `DecompressionStream` into one buffer sized from the gzip trailer (so a 47 MB
 * image file is not held twice), never past `maxBytes` nor one byte past `expectedSize`. Throws a `DataError` on
 * corrupt or truncated input and when the output passes the limit.
 */
export async function gunzip(bytes: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_IDX_BYTES;
  // ISIZE, the last 4 bytes, is the uncompressed size modulo 2^32 (a hint; the buffer grows if it is wrong).
  const n = bytes.length;
  const hint = n >= 18
    ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0
    : 0;
  // With an expected size, the buffer is sized once the header is in (the trailer of a bomb can lie).
  let out = new Uint8Array(
    options.expectedSize ? 64 * 1024 : Math.min(Math.max(hint, 1024), maxBytes + 1),
  );
  let length = 0;
  let stopAt = maxBytes + 1;
  let expected: number | undefined;
  // The input goes in 4 KiB slices, pulled only as the output is read: deflate expands at most ~1032×, so at most
  // ~4 MiB of output waits in the stream beyond what was asked for (a whole Blob stream would inflate its big
  // chunks at once: a 0.3 MB bomb held ~1 GB).
  let offset = 0;
  const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (offset >= n) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 4096) as Uint8Array<ArrayBuffer>);
      offset += 4096;
    },
  }, { highWaterMark: 0 });
  const reader = input.pipeThrough(new DecompressionStream("gzip")).getReader();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DataError(`Cannot decompress gzip data: ${reason}`, { file: options.file });
      }
      if (result.done) break;
      const chunk = result.value.subarray(0, Math.max(0, stopAt - length));
      if (length + chunk.length > out.length) {
        const bigger = new Uint8Array(Math.min(Math.max(out.length * 2, length + chunk.length), stopAt));
        bigger.set(out.subarray(0, length));
        out = bigger;
      }
      out.set(chunk, length);
      length += chunk.length;
      if (expected === undefined && options.expectedSize !== undefined) {
        expected = options.expectedSize(out.subarray(0, length));
        if (expected !== undefined) {
          stopAt = Math.min(stopAt, expected + 1);
          if (out.length < stopAt) {
            const sized = new Uint8Array(stopAt);
            sized.set(out.subarray(0, length));
            out = sized;
          }
        }
      }
      if (length >= stopAt) {
        if (expected === undefined || expected > maxBytes) {
          throw new DataError(
            `Cannot decompress gzip data: it inflates to more than ${formatBytes(maxBytes)} (the limit)`,
            { file: options.file },
          );
        }
        break; // one byte past what the data said it holds: the caller reports the size mismatch
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return length === out.length ? out : out.subarray(0, length);
}

/**
 * The total size (header and data) an IDX file's header announces, once `head` holds the header; throws the
 * same `DataError` as {@linkcode parseIdx} for a wrong magic number or a size over `maxBytes`.
 */
function idxExpectedSize(head: Uint8Array, maxBytes: number, file: string | undefined): number | undefined {
  if (head.length >= 4) checkMagic(head, file);
  if (head.length < 4 || head.length < 4 + 4 * head[3]) return undefined;
  const { dims, headerSize } = readHeader(head);
  return checkDataSize(dims, maxBytes, file) + headerSize;
}

function checkMagic(raw: Uint8Array, file: string | undefined): void {
  const rank = raw[3];
  if (raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08 || rank < 1 || rank > 4) {
    const magic = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
    throw new DataError(
      `Cannot read IDX file: expected magic number 0x00000801 (labels) or 0x00000803 (images), got "${
        hex(magic)
      }"`,
      { file },
    );
  }
}

function readHeader(raw: Uint8Array): { dims: number[]; headerSize: number } {
  const rank = raw[3];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < rank; k++) dims.push(view.getUint32(4 + 4 * k));
  return { dims, headerSize: 4 + 4 * rank };
}

/** The data size the dimensions give, refused when it passes `maxBytes`. */
function checkDataSize(dims: number[], maxBytes: number, file: string | undefined): number {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected > maxBytes) {
    throw new DataError(
      `Cannot read IDX file: the header says ${dims.join("×")} = ${expected} bytes of data, more than the ` +
        `${formatBytes(maxBytes)} limit`,
      { file },
    );
  }
  return expected;
}

function hex(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}

/**
 * Parses an IDX file of unsigned bytes (magic 0x00000801 for labels, 0x00000803 for images, in general
 * 0x000008NN for N dimensions), gzipped or raw. A wrong magic number or a data size that disagrees with the
 * header throws a `DataError` naming the file, what was expected and what was found.
 *
 * @example
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
 * const labels = await parseIdx(bytes);
 * console.assert(labels.dims[0] === 2 && labels.data[1] === 9);
 * ```
 */
export async function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): Promise<IdxArray> {
  const file = options.file;
  const maxBytes = options.maxBytes ?? MAX_IDX_BYTES;
  const raw = isGzip(bytes)
    ? await gunzip(bytes, {
      file,
      // the header's size plus a byte, and never past the limit
      maxBytes: maxBytes + 4 + 4 * 4,
      expectedSize: (head) => idxExpectedSize(head, maxBytes, file),
    })
    : bytes;
  if (raw.length < 4) {
    throw new DataError(`Cannot read IDX file: expected a 4-byte magic number, got ${raw.length} bytes`, {
      file,
    });
  }
  checkMagic(raw, file);
  const rank = raw[3];
  const headerSize = 4 + 4 * rank;
  if (raw.length < headerSize) {
    throw new DataError(
      `Cannot read IDX file: expected a ${headerSize}-byte header for ${rank} dimensions, got ${raw.length} bytes`,
      { file },
    );
  }
  const { dims } = readHeader(raw);
  const expected = checkDataSize(dims, maxBytes, file);
  const got = raw.length - headerSize;
  if (got !== expected) {
    const more = isGzip(bytes) && got > expected;
    throw new DataError(
      `Cannot read IDX file: the header says ${dims.join("×")} = ${expected} bytes of data, got ${
        more ? "more" : got
      }`,
      { file },
    );
  }
  return { dims, data: raw.subarray(headerSize) };
}

/** Options for {@linkcode idxToDataset}. */
export interface IdxDatasetOptions {
  /** Keep only the first `limit` samples. */
  limit?: number;
  /** Class names in label order; default Fashion-MNIST's when `fashion` is set, else "0", "1", …. */
  classNames?: readonly string[];
  /** Use Fashion-MNIST's class names (the loader sets this when a path mentions "fashion"). */
  fashion?: boolean;
  /** The images file name, for messages. */
  imagesFile?: string;
  /** The labels file name, for messages. */
  labelsFile?: string;
}

/**
 * Builds a classification dataset from parsed IDX images (`n × rows × cols`, kept as bytes) and labels (`n`).
 * The class count is the length of `classNames`, or 10 for the MNIST family (more if a label needs it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idxToDataset } from "./idx.ts";
 *
 * // two 2×2 images and their labels, as parseIdx returns them
 * const images = { dims: [2, 2, 2], data: new Uint8Array([0, 255, 255, 0, 9, 9, 9, 9]) };
 * const labels = { dims: [2], data: new Uint8Array([3, 7]) };
 * const data = idxToDataset(images, labels, { fashion: true });
 * assert.equal(data.size, 2);
 * assert.equal(data.inputSize, 4);
 * assert.equal(data.classNames?.[7], "Sneaker");
 * ```
 */
export function idxToDataset(images: IdxArray, labels: IdxArray, options: IdxDatasetOptions = {}): Dataset {
  const { imagesFile, labelsFile } = options;
  if (images.dims.length < 2) {
    throw new DataError(
      `Cannot use IDX images: expected 2 or more dimensions, got ${images.dims.length} (is it a labels file?)`,
      { file: imagesFile },
    );
  }
  if (labels.dims.length !== 1) {
    throw new DataError(
      `Cannot use IDX labels: expected 1 dimension, got ${labels.dims.length} (is it an images file?)`,
      { file: labelsFile },
    );
  }
  const total = images.dims[0];
  if (labels.dims[0] !== total) {
    throw new DataError(
      `Cannot use IDX labels: expected ${total} labels to match the images in "${imagesFile ?? "images"}", ` +
        `got ${labels.dims[0]}`,
      { file: labelsFile },
    );
  }
  const count = options.limit === undefined ? total : Math.min(options.limit, total);
  const inputSize = images.dims.slice(1).reduce((a, b) => a * b, 1);
  let maxLabel = 0;
  for (let i = 0; i < count; i++) if (labels.data[i] > maxLabel) maxLabel = labels.data[i];
  const classNames = options.classNames !== undefined
    ? [...options.classNames]
    : options.fashion
    ? [...FASHION_MNIST_CLASSES]
    : Array.from({ length: Math.max(10, maxLabel + 1) }, (_, c) => String(c));
  if (maxLabel >= classNames.length) {
    throw new DataError(
      `Cannot use IDX labels: label "${maxLabel}" has no class name (${classNames.length} classes)`,
      { file: labelsFile },
    );
  }
  // Copy only the kept rows, so a limited load does not pin the whole decompressed file.
  const features = count === total ? images.data : images.data.slice(0, count * inputSize);
  const labelArray = Int32Array.from(labels.data.subarray(0, count));
  return new Dataset({
    inputSize,
    features,
    task: "classification",
    labels: labelArray,
    classNames,
    targetEncoding: classNames.length === 2 ? "binary" : "one-hot",
    imageShape: images.dims.length === 3 ? [images.dims[1], images.dims[2]] : undefined,
  });
}
