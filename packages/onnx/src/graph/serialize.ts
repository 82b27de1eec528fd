import { DifbfsrError } from '@difbfsr/core';
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import type { GraphBuilder, Initializer, InitializerDType, ValueInfo } from './builder.js';

const { onnx } = onnxProto;

/** Initializers smaller than this (shapes, axes, scalar constants) stay inline in every storage. */
const SMALL_BYTES = 1024;

/** ONNX `TensorProto.DataType` codes. */
const DATA_TYPE: Record<InitializerDType, number> = { float32: 1, int64: 7, float16: 10 };
/** Wire tags (field number << 3 | 2, length-delimited) of the fields written by hand below. */
const TAG_MODEL_GRAPH = (7 << 3) | 2;
const TAG_GRAPH_INITIALIZER = (5 << 3) | 2;
const TAG_TENSOR_RAW_DATA = (9 << 3) | 2;
/** protobuf messages (and so ONNX files with inline weights) cannot exceed 2 GiB. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
/** Alignment of each tensor inside the external-data buffer. */
const EXTERNAL_ALIGN = 64;


/** A whole model: its graph, the graph's inputs and outputs, and descriptive fields. */
export interface ModelSpec {
  graph: GraphBuilder;
  name: string;
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  opset: number;
  docString?: string;
  /** `metadata_props` of the model (for example the U-Net config as JSON). */
  metadata?: Readonly<Record<string, string>>;
}

/** Where {@link serializeModel} puts the weights (initializers of at least 1 KiB). */
export type WeightStorage =
  /** Inside the model (`raw_data`): one self-contained model of at most 2 GiB. */
  | 'inline'
  /** In a separate buffer that the model names as ONNX external data. */
  | 'external'
  /**
   * Declared as graph inputs and returned as tensors, to be fed with every run: the runtime keeps
   * no copy of its own (onnxruntime-node reads JS memory in place), but cannot fold or prepack them.
   */
  | 'inputs';

/** A weight the model takes as a graph input (storage `'inputs'`). */
export interface WeightInput {
  name: string;
  dtype: 'float32' | 'float16';
  dims: readonly number[];
  data: Uint8Array;
}

/** A serialized model and, depending on the storage, its weights. */
export interface SerializedModel {
  /** The ONNX `ModelProto`. */
  model: Uint8Array;
  /** Storage `'external'`: the concatenated tensors the model refers to as `weightsLocation`. */
  weights?: Uint8Array;
  /** Storage `'external'`: the external-data file name the model gives for `weights`. */
  weightsLocation?: string;
  /** Storage `'inputs'`: the weights to feed, by input name. */
  weightInputs?: WeightInput[];
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Write `v` as a protobuf varint at `pos`; returns the next position. */
function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

function valueInfo(v: ValueInfo, dtype: InitializerDType = 'float32'): Onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function modelHeader(spec: ModelSpec): Onnx.IModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset }],
    producerName: '@difbfsr/onnx',
    producerVersion: '0.1.0',
    docString: spec.docString ?? '',
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

function graphWithoutInitializers(spec: ModelSpec, extraInputs: readonly Onnx.IValueInfoProto[] = []): Onnx.IGraphProto {
  return { name: spec.name, node: spec.graph.nodes, input: [...spec.inputs.map((v) => valueInfo(v)), ...extraInputs], output: spec.outputs.map((v) => valueInfo(v)) };
}

function checkedBytes(init: Initializer): Uint8Array {
  const bytes = init.bytes();
  if (bytes.byteLength !== init.byteLength) {
    throw new DifbfsrError('INTERNAL', `internal: initializer ${init.name} produced ${bytes.byteLength} bytes, expected ${init.byteLength}`);
  }
  return bytes;
}

/**
 * Weights inline (`raw_data`), written straight into one buffer of the final size: the model
 * header and the graph without initializers are encoded by onnx-proto, then each initializer is
 * appended to the graph as a `TensorProto` whose metadata onnx-proto encodes and whose `raw_data`
 * field is copied in by hand (protobuf fields may come in any order). Only one tensor's bytes
 * exist outside the result at a time.
 */
function serializeInline(spec: ModelSpec): SerializedModel {
  const head = onnx.ModelProto.encode(modelHeader(spec)).finish();
  const graph = onnx.GraphProto.encode(graphWithoutInitializers(spec)).finish();
  const tensors = spec.graph.initializers.map((init) => {
    const meta = onnx.TensorProto.encode({ name: init.name, dims: [...init.dims], dataType: DATA_TYPE[init.dtype] }).finish();
    const length = meta.byteLength + 1 + varintLength(init.byteLength) + init.byteLength;
    return { init, meta, length };
  });
  const graphLength = tensors.reduce((n, t) => n + 1 + varintLength(t.length) + t.length, graph.byteLength);
  const total = head.byteLength + 1 + varintLength(graphLength) + graphLength;
  if (total > PROTOBUF_LIMIT) {
    throw new DifbfsrError(
      'INVALID_OPTION',
      `ONNX export: the model is ${(total / 2 ** 30).toFixed(2)} GiB, over protobuf's 2 GiB limit for inline weights; store the weights externally (externalData) or as float16`,
    );
  }
  const out = new Uint8Array(total);
  out.set(head, 0);
  let pos = head.byteLength;
  out[pos++] = TAG_MODEL_GRAPH;
  pos = writeVarint(out, pos, graphLength);
  out.set(graph, pos);
  pos += graph.byteLength;
  for (const { init, meta, length } of tensors) {
    out[pos++] = TAG_GRAPH_INITIALIZER;
    pos = writeVarint(out, pos, length);
    out.set(meta, pos);
    pos += meta.byteLength;
    out[pos++] = TAG_TENSOR_RAW_DATA;
    pos = writeVarint(out, pos, init.byteLength);
    out.set(checkedBytes(init), pos);
    pos += init.byteLength;
  }
  if (pos !== total) throw new DifbfsrError('INTERNAL', `internal: wrote ${pos} of ${total} model bytes`);
  return { model: out };
}

/**
 * Weights in a separate buffer (ONNX external data at `location`), each tensor 64-byte aligned.
 * Tensors under 1 KiB (shapes, axes, small constants) stay inline: onnxruntime needs the values
 * of shape inputs while it infers shapes, before external data is read.
 */
function serializeExternal(spec: ModelSpec, location: string): SerializedModel {
  const offsets: number[] = [];
  let size = 0;
  for (const init of spec.graph.initializers) {
    offsets.push(size);
    if (init.byteLength >= SMALL_BYTES) size = Math.ceil((size + init.byteLength) / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
  }
  const weights = new Uint8Array(size);
  const initializer = spec.graph.initializers.map((init, i): Onnx.ITensorProto => {
    const meta = { name: init.name, dims: [...init.dims], dataType: DATA_TYPE[init.dtype] };
    if (init.byteLength < SMALL_BYTES) return { ...meta, rawData: checkedBytes(init) };
    weights.set(checkedBytes(init), offsets[i]);
    return {
      ...meta,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location },
        { key: 'offset', value: String(offsets[i]) },
        { key: 'length', value: String(init.byteLength) },
      ],
    };
  });
  const model = onnx.ModelProto.encode({ ...modelHeader(spec), graph: { ...graphWithoutInitializers(spec), initializer } }).finish();
  return { model, weights, weightsLocation: location };
}

/** Weights as graph inputs; the small initializers stay inline. */
function serializeAsInputs(spec: ModelSpec): SerializedModel {
  const small = spec.graph.initializers.filter((i) => i.byteLength < SMALL_BYTES);
  const large = spec.graph.initializers.filter((i) => i.byteLength >= SMALL_BYTES);
  const weightInputs = large.map((init): WeightInput => {
    if (init.dtype === 'int64') throw new DifbfsrError('INTERNAL', `internal: int64 initializer ${init.name} cannot be a weight input`);
    return { name: init.name, dtype: init.dtype, dims: init.dims, data: checkedBytes(init) };
  });
  const initializer = small.map((init): Onnx.ITensorProto => ({ name: init.name, dims: [...init.dims], dataType: DATA_TYPE[init.dtype], rawData: checkedBytes(init) }));
  const inputs = large.map((i) => valueInfo({ name: i.name, shape: i.dims }, i.dtype));
  const model = onnx.ModelProto.encode({ ...modelHeader(spec), graph: { ...graphWithoutInitializers(spec, inputs), initializer } }).finish();
  return { model, weightInputs };
}

/**
 * Encode a model as an ONNX `ModelProto`, with its weights stored as `storage` says (default
 * inline); `'external'` names the weights file `location` (default `weights.bin`).
 */
export function serializeModel(spec: ModelSpec, storage: WeightStorage = 'inline', location = 'weights.bin'): SerializedModel {
  switch (storage) {
    case 'inline':
      return serializeInline(spec);
    case 'external':
      return serializeExternal(spec, location);
    case 'inputs':
      return serializeAsInputs(spec);
  }
}
