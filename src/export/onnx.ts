// ONNX export: a model file as an ONNX ModelProto (Sub, Mul, Gemm and activation nodes) for ONNX Runtime & co.

import { LEAKY_RELU_SLOPE } from "../math/activations.ts";
import type { DType } from "../math/matrix.ts";
import { type ModelJson, validateModelJson } from "../nn/serialize.ts";
import { ProtoWriter } from "./_protobuf.ts";
import { VERSION } from "../_version.ts";

/** The ONNX operator set the graph imports (default domain); Softmax has per-axis semantics from 13 on. */
export const ONNX_OPSET = 13;
/** The ONNX IR version that goes with opset 13. */
export const ONNX_IR_VERSION = 7;
/** Name of the graph's input: raw features, shape [N, features], N dynamic. */
export const ONNX_INPUT_NAME = "input";
/** Name of the graph's output: shape [N, outputs]. */
export const ONNX_OUTPUT_NAME = "output";
/** The name of the input's dynamic batch dimension. */
export const ONNX_BATCH_DIMENSION = "N";

/** The element type of the exported tensors: the library's number types (`DType`). */
export type OnnxDtype = DType;

/** Options of {@linkcode modelToOnnx}. */
export interface OnnxExportOptions {
  /** Element type of the input, the weights and the output (default `"float32"`, ONNX Runtime's common type). */
  dtype?: OnnxDtype;
  /** `producer_version` written into the file (default: termnet's version, deno.json's `version`). */
  producerVersion?: string;
}

// Field numbers of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
};
const OPSET_ID = { domain: 1, version: 2 };
const ENTRY = { key: 1, value: 2 };
const GRAPH = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const ATTRIBUTE = { name: 1, f: 2, i: 3, type: 20 };
const ATTRIBUTE_TYPE = { float: 1, int: 2 };
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensorType: 1 };
const TYPE_TENSOR = { elemType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIMENSION = { dimValue: 1, dimParam: 2 };
/** The scalar initializer of leaky ReLU's slope in float64 graphs. */
const LEAKY_SLOPE_NAME = "leaky_relu_slope";
/** TensorProto.DataType values. */
const DATA_TYPE: Record<OnnxDtype, number> = { float32: 1, float64: 11 };

/** The ONNX operator of each activation (softmax over the last axis, leaky ReLU with termnet's slope). */
const ACTIVATION_OP: Record<string, string> = {
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  relu: "Relu",
  leaky_relu: "LeakyRelu",
  linear: "Identity",
  softmax: "Softmax",
};

type Attribute = { name: string; int: number } | { name: string; float: number };

function attribute(value: Attribute): ProtoWriter {
  const writer = new ProtoWriter().string(ATTRIBUTE.name, value.name);
  if ("int" in value) return writer.varint(ATTRIBUTE.i, value.int).varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.int);
  return writer.float32(ATTRIBUTE.f, value.float).varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.float);
}

function node(
  opType: string,
  inputs: readonly string[],
  output: string,
  attributes: readonly Attribute[] = [],
): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of inputs) writer.string(NODE.input, input);
  writer.string(NODE.output, output).string(NODE.name, `${output}_${opType}`).string(NODE.opType, opType);
  for (const value of attributes) writer.message(NODE.attribute, attribute(value));
  return writer;
}

/** A constant tensor (an initializer) of `values`, little-endian in raw_data, with shape `dims`. */
function tensor(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
  dtype: OnnxDtype,
): ProtoWriter {
  const size = dtype === "float32" ? 4 : 8;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === "float32") view.setFloat32(i * size, values[i], true);
    else view.setFloat64(i * size, values[i], true);
  }
  const writer = new ProtoWriter();
  for (const dim of dims) writer.varint(TENSOR.dims, dim);
  return writer.varint(TENSOR.dataType, DATA_TYPE[dtype]).string(TENSOR.name, name).bytes(
    TENSOR.rawData,
    bytes,
  );
}

/** A graph input or output: a tensor of `dtype` with shape [N, width], N a named dynamic dimension. */
function valueInfo(name: string, width: number, dtype: OnnxDtype): ProtoWriter {
  const shape = new ProtoWriter()
    .message(SHAPE.dim, new ProtoWriter().string(DIMENSION.dimParam, ONNX_BATCH_DIMENSION))
    .message(SHAPE.dim, new ProtoWriter().varint(DIMENSION.dimValue, width));
  const tensorType = new ProtoWriter().varint(TYPE_TENSOR.elemType, DATA_TYPE[dtype]).message(
    TYPE_TENSOR.shape,
    shape,
  );
  return new ProtoWriter()
    .string(VALUE_INFO.name, name)
    .message(VALUE_INFO.type, new ProtoWriter().message(TYPE.tensorType, tensorType));
}

/**
 * Writes a model as the bytes of an ONNX file (IR 7, opset 13) that takes raw features: input `"input"`
 * [N, features], output `"output"` [N, outputs]. The preprocessing (raw − shift) · factor becomes a Sub and a Mul
 * node (each left out when it changes nothing), every layer a Gemm (z = x · Wᵀ + b, W as stored: units × inputs,
 * `transB = 1`) followed by its activation: Sigmoid, Tanh, Relu, LeakyRelu (alpha 0.01; in float64 graphs
 * Max(z, 0.01·z), as ONNX Runtime's CPU LeakyRelu is float32 only), Identity for linear and Softmax (axis −1). Class names and feature names go into the model's metadata (`class_names`, `feature_names`,
 * JSON arrays). The model is validated first (a `ModelFileError` names the bad field).
 *
 * @example
 * ```ts
 * import { modelToOnnx } from "./onnx.ts";
 * const bytes = modelToOnnx({
 *   format: "termnet-model", version: 1, input: 2,
 *   layers: [{ units: 1, activation: "sigmoid", weights: [[1, 2]], bias: [0.5] }],
 * });
 * console.assert(bytes[0] === 0x08 && bytes[1] === 7); // field 1 (ir_version), varint 7
 * ```
 */
export function modelToOnnx(model: ModelJson, options: OnnxExportOptions = {}): Uint8Array {
  validateModelJson(model);
  const dtype = options.dtype ?? "float32";
  if (!Object.hasOwn(DATA_TYPE, dtype)) {
    throw new RangeError(`Cannot export to ONNX: unknown dtype "${dtype}" (expected float32 or float64)`);
  }
  const graph = new ProtoWriter();
  const nodes: ProtoWriter[] = [];
  const initializers: ProtoWriter[] = [];
  let current = ONNX_INPUT_NAME;

  // x = (raw − shift) · factor   (N, features), broadcasting the (features) vectors over the rows
  const preprocessing = model.preprocessing;
  if (preprocessing !== undefined && preprocessing.shift.some((v) => v !== 0)) {
    initializers.push(tensor("preprocessing_shift", [model.input], preprocessing.shift, dtype));
    nodes.push(node("Sub", [current, "preprocessing_shift"], "shifted"));
    current = "shifted";
  }
  if (preprocessing !== undefined && preprocessing.factor.some((v) => v !== 1)) {
    initializers.push(tensor("preprocessing_factor", [model.input], preprocessing.factor, dtype));
    nodes.push(node("Mul", [current, "preprocessing_factor"], "features"));
    current = "features";
  }

  const leakySlope = tensor(LEAKY_SLOPE_NAME, [], [LEAKY_RELU_SLOPE], dtype);
  let inputs = model.input;
  model.layers.forEach((layer, l) => {
    const name = `layer${l + 1}`;
    const last = l === model.layers.length - 1;
    // z = x · Wᵀ + b   (N, inputs)·(inputs, units) → (N, units)
    initializers.push(tensor(`${name}_weights`, [layer.units, inputs], layer.weights.flat(), dtype));
    initializers.push(tensor(`${name}_bias`, [layer.units], layer.bias, dtype));
    nodes.push(
      node("Gemm", [current, `${name}_weights`, `${name}_bias`], `${name}_z`, [{ name: "transB", int: 1 }]),
    );
    // a = f(z)   (N, units)
    const output = last ? ONNX_OUTPUT_NAME : `${name}_a`;
    if (layer.activation === "leaky_relu" && dtype === "float64") {
      // ONNX Runtime's CPU LeakyRelu is float32 only; max(z, 0.01·z) is the same function, bit for bit
      if (!initializers.includes(leakySlope)) initializers.push(leakySlope);
      nodes.push(node("Mul", [`${name}_z`, LEAKY_SLOPE_NAME], `${name}_z_scaled`));
      nodes.push(node("Max", [`${name}_z`, `${name}_z_scaled`], output));
    } else {
      const attributes: Attribute[] = layer.activation === "leaky_relu"
        ? [{ name: "alpha", float: LEAKY_RELU_SLOPE }]
        : layer.activation === "softmax"
        ? [{ name: "axis", int: -1 }]
        : [];
      nodes.push(node(ACTIVATION_OP[layer.activation], [`${name}_z`], output, attributes));
    }
    current = output;
    inputs = layer.units;
  });

  for (const value of nodes) graph.message(GRAPH.node, value);
  graph.string(GRAPH.name, "termnet");
  for (const value of initializers) graph.message(GRAPH.initializer, value);
  graph.string(
    GRAPH.docString,
    `${[model.input, ...model.layers.map((layer) => layer.units)].join("-")} network, ` +
      `activations ${model.layers.map((layer) => layer.activation).join(", ")}` +
      (preprocessing ? `, preprocessing ${preprocessing.kind} as Sub and Mul` : ""),
  );
  graph.message(GRAPH.input, valueInfo(ONNX_INPUT_NAME, model.input, dtype));
  graph.message(GRAPH.output, valueInfo(ONNX_OUTPUT_NAME, inputs, dtype));

  const result = new ProtoWriter()
    .varint(MODEL.irVersion, ONNX_IR_VERSION)
    .string(MODEL.producerName, "termnet")
    .string(MODEL.producerVersion, options.producerVersion ?? VERSION)
    .string(
      MODEL.docString,
      "Exported by termnet: takes raw features, the preprocessing is part of the graph",
    )
    .message(MODEL.graph, graph)
    .message(
      MODEL.opsetImport,
      new ProtoWriter().string(OPSET_ID.domain, "").varint(OPSET_ID.version, ONNX_OPSET),
    );
  const metadata: [string, string[] | undefined][] = [
    ["class_names", model.labels],
    ["feature_names", model.features],
  ];
  for (const [key, value] of metadata) {
    if (value === undefined) continue;
    result.message(
      MODEL.metadataProps,
      new ProtoWriter().string(ENTRY.key, key).string(ENTRY.value, JSON.stringify(value)),
    );
  }
  return result.finish();
}
