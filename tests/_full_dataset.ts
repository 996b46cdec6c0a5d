// Where the full Fashion-MNIST is on this machine, for the tests that need all 70,000 images (skipped without it).

import { howToGet, locateDataset } from "../src/data/named.ts";

/**
 * The folder holding the full Fashion-MNIST (Debian's /usr/share/datasets/fashion-mnist or the user's cache),
 * or `undefined` when it is not on this machine.
 */
export const FULL_FASHION_DIR: string | undefined = await locateDataset("fashion-mnist").then(
  (found) => found.dir,
  () => undefined,
);

// .ci/run installs the dataset and sets this, so on CI a missing dataset fails the tests instead of skipping them
const REQUIRED = Deno.env.get("TERMNET_FULL_DATASETS") === "required";

let told = false;

/**
 * Whether the full-dataset tests are skipped (`Deno.test`'s `ignore`): true when the dataset is missing, after
 * saying once where to get it. Under `TERMNET_FULL_DATASETS=required` nothing is skipped, so the tests fail.
 */
export function withoutFullFashion(): boolean {
  if (FULL_FASHION_DIR !== undefined || REQUIRED) return false;
  if (!told) {
    console.warn(
      `Skipping the full Fashion-MNIST tests: the dataset is not on this machine (get it with ` +
        `${howToGet("fashion-mnist")}); the tests on data/fashion-mnist-sample still run`,
    );
    told = true;
  }
  return true;
}
