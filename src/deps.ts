// Every external module the library reaches, pinned, so that mod.ts works when imported by URL.
export {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringify as stringifyYaml,
} from "npm:yaml@2.9.1";
export type { Document, Node as YamlNode, Pair as YamlPair, YAMLMap, YAMLSeq } from "npm:yaml@2.9.1";
export { xoroshiro128plus, xoroshiro128plusFromState } from "npm:pure-rand@8.4.2/generator/xoroshiro128plus";
export { uniformFloat64 } from "npm:pure-rand@8.4.2/distribution/uniformFloat64";
export { uniformInt } from "npm:pure-rand@8.4.2/distribution/uniformInt";
