// Named datasets (Fashion-MNIST, MNIST): their files, classes, download address and checksums, and where to find them.

import { DatasetNotFoundError, type FileLocation } from "../errors.ts";
import { FASHION_MNIST_CLASSES } from "./idx.ts";

/** The datasets a config can name with `source:`. */
export type NamedDatasetName = "fashion-mnist" | "mnist";

/** Every named dataset. */
export const NAMED_DATASET_NAMES: readonly NamedDatasetName[] = ["fashion-mnist", "mnist"];

/** The four IDX files of an MNIST-style dataset, by role. */
export interface IdxFileNames {
  /** Training images, e.g. `train-images-idx3-ubyte.gz`. */
  readonly trainImages: string;
  /** Training labels. */
  readonly trainLabels: string;
  /** Test (t10k) images. */
  readonly testImages: string;
  /** Test (t10k) labels. */
  readonly testLabels: string;
}

/** What termnet knows about a named dataset. */
export interface NamedDataset {
  /** The name used in configs and on the command line. */
  readonly name: NamedDatasetName;
  /** The dataset's own spelling, for messages. */
  readonly title: string;
  /** Class names in label order. */
  readonly classNames: readonly string[];
  /** The file names, the same in every folder and at every mirror. */
  readonly files: IdxFileNames;
  /** The folder a system package installs the files into, if there is one. */
  readonly systemDir?: string;
  /** The Debian package that installs them into `systemDir`. */
  readonly debianPackage?: string;
  /** The canonical download address: the file names are appended to it. */
  readonly baseUrl: string;
  /**
   * The accepted SHA-256 (lowercase hex) of each file, by file name: the file as published, and for
   * Fashion-MNIST also Debian's copy (the same compressed data; Debian's build rewrote the gzip header).
   */
  readonly sha256: Readonly<Record<string, readonly string[]>>;
}

const IDX_FILES: IdxFileNames = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
};

/**
 * The named datasets.
 *
 * Fashion-MNIST's published SHA-256 values are those of the files at its canonical address, as listed by
 * several independent projects; the Debian values were measured here with
 * `sha256sum /usr/share/datasets/fashion-mnist/*` (package 0.0~git20200523.55506a9-1). Debian's files are 24 or
 * 23 bytes shorter than the published ones: exactly the file-name field its build dropped from the gzip header
 * (the time stamp in the header changed too). MNIST's values are the widely published SHA-256 of the files from
 * yann.lecun.com (nixpkgs pins them with `fetchurl`). Neither dataset could be downloaded on the machine this
 * was written on (no internet access), so the published values are not checked by a download.
 */
export const NAMED_DATASETS: Readonly<Record<NamedDatasetName, NamedDataset>> = {
  "fashion-mnist": {
    name: "fashion-mnist",
    title: "Fashion-MNIST",
    classNames: FASHION_MNIST_CLASSES,
    files: IDX_FILES,
    systemDir: "/usr/share/datasets/fashion-mnist",
    debianPackage: "dataset-fashion-mnist",
    baseUrl: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    sha256: {
      "train-images-idx3-ubyte.gz": [
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
      ],
      "train-labels-idx1-ubyte.gz": [
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
      ],
      "t10k-images-idx3-ubyte.gz": [
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
      ],
      "t10k-labels-idx1-ubyte.gz": [
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
      ],
    },
  },
  mnist: {
    name: "mnist",
    title: "MNIST",
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    files: IDX_FILES,
    baseUrl: "http://yann.lecun.com/exdb/mnist/",
    sha256: {
      "train-images-idx3-ubyte.gz": ["440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"],
      "train-labels-idx1-ubyte.gz": ["3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"],
      "t10k-images-idx3-ubyte.gz": ["8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"],
      "t10k-labels-idx1-ubyte.gz": ["f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"],
    },
  },
};

/** Reads an environment variable; returns `undefined` when it is unset (or may not be read). */
export type EnvGetter = (name: string) => string | undefined;

/** Options for {@linkcode userCacheDir}. */
export interface UserCacheDirOptions {
  /** The operating system; default `Deno.build.os`. */
  os?: typeof Deno.build.os;
  /** Reads HOME, XDG_CACHE_HOME and LOCALAPPDATA; default `Deno.env.get` (unset when not permitted). */
  env?: EnvGetter;
}

function denoEnv(name: string): string | undefined {
  try {
    // asked without a prompt: a library user who did not grant the variable is not asked for it
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    return Deno.env.get(name);
  } catch {
    // without --allow-env for this variable, the cache is simply not looked in
    return undefined;
  }
}

function isAbsolutePath(path: string): boolean {
  return /^([A-Za-z]:)?[\\/]/.test(path);
}

/**
 * termnet's per-user cache folder: `$XDG_CACHE_HOME/termnet` or `~/.cache/termnet` on Linux and other Unix
 * systems, `~/Library/Caches/termnet` on macOS, `%LOCALAPPDATA%\termnet` on Windows. Returns `undefined` when
 * the variables it needs are unset.
 *
 * @example
 * ```ts
 * import { userCacheDir } from "./named.ts";
 * const env = (name: string) => ({ HOME: "/home/ada" } as Record<string, string>)[name];
 * console.assert(userCacheDir({ os: "linux", env }) === "/home/ada/.cache/termnet");
 * ```
 */
export function userCacheDir(options: UserCacheDirOptions = {}): string | undefined {
  const os = options.os ?? Deno.build.os;
  const env = options.env ?? denoEnv;
  const nonEmpty = (name: string) => {
    const value = env(name);
    return value === undefined || value === "" ? undefined : value;
  };
  if (os === "windows") {
    const local = nonEmpty("LOCALAPPDATA");
    return local === undefined ? undefined : `${local.replace(/[\\/]+$/, "")}\\termnet`;
  }
  const home = nonEmpty("HOME")?.replace(/\/+$/, "");
  if (os === "darwin") return home === undefined ? undefined : `${home}/Library/Caches/termnet`;
  // XDG: a relative XDG_CACHE_HOME is invalid and ignored
  const xdg = nonEmpty("XDG_CACHE_HOME");
  if (xdg !== undefined && isAbsolutePath(xdg)) return `${xdg.replace(/\/+$/, "")}/termnet`;
  return home === undefined ? undefined : `${home}/.cache/termnet`;
}

/**
 * The folder a named dataset is downloaded into: `<userCacheDir>/<name>`, or `undefined` without a cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetCacheDir } from "./named.ts";
 *
 * const env = (name: string) => ({ HOME: "/home/ada" } as Record<string, string>)[name];
 * assert.equal(datasetCacheDir("fashion-mnist", { os: "linux", env }), "/home/ada/.cache/termnet/fashion-mnist");
 * assert.equal(datasetCacheDir("mnist", { os: "linux", env: () => undefined }), undefined);
 * ```
 */
export function datasetCacheDir(
  name: NamedDatasetName,
  options: UserCacheDirOptions = {},
): string | undefined {
  const cache = userCacheDir(options);
  if (cache === undefined) return undefined;
  return `${cache}${(options.os ?? Deno.build.os) === "windows" ? "\\" : "/"}${name}`;
}

/** Options for {@linkcode datasetSearchPath} and {@linkcode locateDataset}. */
export interface LocateDatasetOptions extends UserCacheDirOptions {
  /** `data.dir`: looked in first. */
  dir?: string;
  /** Folder that a relative `dir` resolves against (the config file's folder). */
  baseDir?: string;
  /** The system folder to look in; default the dataset's (`null` skips it, for tests). */
  systemDir?: string | null;
  /** Where the error points, e.g. the config's `data.source` (file, line and column). */
  location?: FileLocation;
}

function joinPath(baseDir: string | undefined, path: string): string {
  if (baseDir === undefined || baseDir === "" || baseDir === "." || isAbsolutePath(path)) return path;
  return `${baseDir.replace(/[\\/]+$/, "")}/${path}`;
}

/**
 * The folders a named dataset is looked for in, in order: `dir` (resolved against `baseDir`), the system
 * folder (Debian's `/usr/share/datasets/fashion-mnist`; MNIST has no Debian package), then the user's cache.
 */
export function datasetSearchPath(name: NamedDatasetName, options: LocateDatasetOptions = {}): string[] {
  const dataset = NAMED_DATASETS[name];
  const places: string[] = [];
  if (options.dir !== undefined) places.push(joinPath(options.baseDir, options.dir));
  const systemDir = options.systemDir === undefined ? dataset.systemDir : options.systemDir ?? undefined;
  if (systemDir !== undefined) places.push(systemDir);
  const cache = datasetCacheDir(name, options);
  if (cache !== undefined) places.push(cache);
  return places;
}

/** A named dataset found on this machine: its folder and the path of each file. */
export interface LocatedDataset {
  /** The folder the files are in. */
  readonly dir: string;
  /** Each file's path (gzipped, or without `.gz` when only the decompressed file is there). */
  readonly files: IdxFileNames;
}

/** Whether `path` is a file; `"denied"` when the program may not read it (Deno's `--allow-read`). */
async function isFile(path: string): Promise<boolean | "denied"> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return "denied";
    }
    return false;
  }
}

async function findFile(dir: string, name: string): Promise<string | "denied" | undefined> {
  for (const candidate of [name, name.replace(/\.gz$/, "")]) {
    const path = joinPath(dir, candidate);
    const found = await isFile(path);
    if (found === "denied") return found;
    if (found) return path;
  }
  return undefined;
}

/** How to get a named dataset, for messages: `"deno task fetch fashion-mnist" or "apt-get install -y …"`. */
export function howToGet(name: NamedDatasetName): string {
  const dataset = NAMED_DATASETS[name];
  const apt = dataset.debianPackage === undefined
    ? ""
    : ` or "apt-get install -y ${dataset.debianPackage}" (Debian)`;
  return `"deno task fetch ${name}"${apt}`;
}

/**
 * Finds a named dataset: the first folder of {@linkcode datasetSearchPath} that holds all four IDX files
 * (each gzipped or not). Throws a `DatasetNotFoundError` naming every folder looked in and the command that
 * gets the files, e.g. `Cannot find the fashion-mnist dataset: looked in "/usr/share/datasets/fashion-mnist",
 * "/home/ada/.cache/termnet/fashion-mnist"; get it with "deno task fetch fashion-mnist" or …`.
 *
 * @example
 * ```ts
 * import { locateDataset } from "./named.ts";
 * const found = await locateDataset("fashion-mnist", { dir: "data/fashion-mnist-sample", systemDir: null });
 * console.assert(found.files.trainImages === "data/fashion-mnist-sample/train-images-idx3-ubyte.gz");
 * ```
 */
export async function locateDataset(
  name: NamedDatasetName,
  options: LocateDatasetOptions = {},
): Promise<LocatedDataset> {
  const places = datasetSearchPath(name, options);
  const { files } = NAMED_DATASETS[name];
  // folders the program may not read (a library caller without --allow-read): said in the error, not "missing"
  const denied: string[] = [];
  for (const dir of places) {
    const found: Partial<Record<keyof IdxFileNames, string>> = {};
    let complete = true;
    for (const role of Object.keys(files) as (keyof IdxFileNames)[]) {
      const path = await findFile(dir, files[role]);
      if (path === undefined || path === "denied") {
        if (path === "denied") denied.push(dir);
        complete = false;
        break;
      }
      found[role] = path;
    }
    if (complete) return { dir, files: found as IdxFileNames };
  }
  const looked = places.length === 0
    ? "nowhere (no folder to look in)"
    : places.map((p) => `"${p}"`).join(", ");
  const notAllowed = denied.length === 0
    ? ""
    : `; not allowed to read ${denied.map((p) => `"${p}"`).join(", ")} (grant it with --allow-read)`;
  throw new DatasetNotFoundError(
    `Cannot find the ${name} dataset: looked in ${looked}${notAllowed}; get it with ${howToGet(name)}`,
    options.location,
  );
}
