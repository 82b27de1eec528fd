import type { onnx } from 'onnx-proto';
import { DifbfsrError } from '@difbfsr/core';

/** Element types of the initializers this package writes. */
export type InitializerDType = 'float32' | 'float16' | 'int64';

/** A constant tensor of the graph, whose bytes are produced only when the model is serialized. */
export interface Initializer {
  name: string;
  dtype: InitializerDType;
  dims: readonly number[];
  /** Bytes of the data (`size * element size`). */
  byteLength: number;
  /** Little-endian, C-order data; called once, when the model is written. */
  bytes(): Uint8Array;
}

/** A node attribute: ONNX distinguishes integer and float attributes, so each value says which. */
export type AttributeValue = { int: number } | { ints: readonly number[] } | { float: number } | { string: string };

/** A graph input or output: float32 with named (symbolic) or fixed dimensions. */
export interface ValueInfo {
  name: string;
  shape: ReadonlyArray<number | string>;
}

const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

function attributeProto(name: string, value: AttributeValue): onnx.IAttributeProto {
  if ('int' in value) return { name, type: ATTRIBUTE_TYPE.INT, i: value.int };
  if ('ints' in value) return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: ATTRIBUTE_TYPE.FLOAT, f: value.float };
  return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value.string) };
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return new Uint8Array(data.buffer);
}

/**
 * Collects the nodes and initializers of an ONNX graph (default domain only). Value names are
 * generated as `<scope>/<Op>_<n>`, so a node's outputs tell where in the network it sits.
 */
export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: Initializer[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;
  private scopeName = '';

  /** Run `build` with value names prefixed by `scope` (for example a state-dict module name). */
  scope<T>(scope: string, build: () => T): T {
    const outer = this.scopeName;
    this.scopeName = scope;
    try {
      return build();
    } finally {
      this.scopeName = outer;
    }
  }

  /**
   * Add a node with `outputs` results (a count, or the names of graph outputs it produces);
   * returns their value names.
   */
  node(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const id = this.counter++;
    const prefix = this.scopeName ? `${this.scopeName}/` : '';
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => `${prefix}${op}_${id}${outputs > 1 ? `:${i}` : ''}`)
        : [...outputs];
    this.nodes.push({
      name: `${prefix}${op}_${id}`,
      opType: op,
      input: [...inputs],
      output: names,
      attribute: Object.entries(attributes).map(([k, v]) => attributeProto(k, v)),
    });
    return names;
  }

  /** Add a single-output node; returns its value name. */
  op(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}): string {
    return this.node(op, inputs, attributes)[0];
  }

  /** Add an initializer (names must be unique); returns its name. */
  initializer(init: Initializer): string {
    if (this.initializerNames.has(init.name)) throw new DifbfsrError('INTERNAL', `internal: initializer ${init.name} added twice`);
    this.initializerNames.add(init.name);
    this.initializers.push(init);
    return init.name;
  }

  /** A 1-D int64 constant (shapes, axes, split sizes), shared by every node that uses the same values. */
  int64(values: readonly number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const/int64[${values.join(',')}]`;
      const bytes = int64Bytes(values);
      this.initializer({ name, dtype: 'int64', dims: [values.length], byteLength: bytes.byteLength, bytes: () => bytes });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 constant of shape `dims` (a scalar when `dims` is empty), shared like {@link int64}. */
  float32(values: Float32Array | readonly number[], dims: readonly number[] = []): string {
    const data = Float32Array.from(values);
    const key = `f32:${dims.join('x')}:${Array.from(data).join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const/float32_${this.constants.size}`;
      const bytes = new Uint8Array(data.buffer);
      this.initializer({ name, dtype: 'float32', dims, byteLength: bytes.byteLength, bytes: () => bytes });
      this.constants.set(key, name);
    }
    return name;
  }
}
