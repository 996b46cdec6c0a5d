// Benchmark of reading a hostile config: 50,000 top-level keys (about 490 KB, under the 1 MiB cap) parsed and
// rejected. npm:yaml's own duplicate-key check made this quadratic (24 s); ours is one pass (0.6–0.9 s on the shared 2-core machine).

import { parseConfig, parseConfigYaml } from "../src/config/parse_config.ts";

const KEYS = Array.from({ length: 50_000 }, (_, i) => `k${i}: 1\n`).join("");

Deno.bench("parse and reject a config of 50,000 keys", { group: "config", n: 5 }, () => {
  try {
    parseConfig(parseConfigYaml(KEYS, { file: "keys.yaml" }));
  } catch {
    // expected: unknown key 'k0'
  }
});

Deno.bench("find the duplicate among 50,001 keys", { group: "config", n: 5 }, () => {
  try {
    parseConfigYaml(KEYS + "k5: 2\n", { file: "keys.yaml" });
  } catch {
    // expected: Map keys must be unique
  }
});
