import { floatToHalf } from '@difbfsr/models';
import type { GraphBuilder } from '../graph/builder.js';

/** A state-dict tensor as the `@difbfsr/models` loaders give it (a `TensorEntry`). */
export interface WeightEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly size: number;
  toFloat32(): Float32Array;
  bytes(): Uint8Array;
}

/** Where the graph's weights come from: a loaded `StateDict`, or anything with `get(name)`. */
export interface WeightSource {
  get(name: string): WeightEntry;
}

/** Storage precision of the exported weights. */
export type WeightPrecision = 'float32' | 'float16';

function asBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function toHalfBytes(data: Float32Array): Uint8Array {
  const half = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]);
  return asBytes(half);
}

/**
 * Adds state-dict tensors to a graph as initializers under their PyTorch names, read lazily from
 * the source when the model is serialized. In `float16` storage each weight is followed by a
 * `Cast` to float32 (which onnxruntime folds once, at session creation), so the graph computes in
 * float32 either way.
 */
export class GraphWeights {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly graph: GraphBuilder,
    private readonly source: WeightSource,
    private readonly precision: WeightPrecision,
  ) {}

  /**
   * The float32 value holding tensor `name`, optionally viewed with other `dims` of the same size
   * (GroupNorm's `[C]` as `[C, 1, 1]` for NCHW broadcasting).
   */
  get(name: string, dims?: readonly number[]): string {
    const known = this.values.get(name);
    if (known) return known;
    const entry = this.source.get(name);
    const shape = dims ?? entry.shape;
    if (shape.reduce((a, b) => a * b, 1) !== entry.size) {
      throw new Error(`internal: ${name} has ${entry.size} elements, cannot be viewed as [${shape.join(', ')}]`);
    }
    const { precision } = this;
    const bytesPer = precision === 'float16' ? 2 : 4;
    const bytes = (): Uint8Array => {
      if (entry.dtype === precision) return entry.bytes();
      const data = entry.toFloat32();
      return precision === 'float16' ? toHalfBytes(data) : asBytes(data);
    };
    this.graph.initializer({ name, dtype: precision, dims: shape, byteLength: entry.size * bytesPer, bytes });
    const value = precision === 'float32' ? name : this.graph.scope(name, () => this.graph.op('Cast', [name], { to: { int: 1 } }));
    this.values.set(name, value);
    return value;
  }
}
