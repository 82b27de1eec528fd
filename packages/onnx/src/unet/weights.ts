import { floatToHalf } from '@difbfsr/models';
import type { GraphBuilder } from '../graph/builder.js';
import { DifbfsrError } from '@difbfsr/core';

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
  /** Per sliced tensor: how many of its slices are still to be serialized, and its data meanwhile. */
  private readonly reads = new Map<string, { unread: number; data?: Float32Array }>();

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
    const entry = this.source.get(name);
    const raw = entry.dtype === this.precision ? () => entry.bytes() : undefined;
    return this.add(name, entry.shape, dims, () => entry.toFloat32(), raw);
  }

  /**
   * A block of tensor `name` as an initializer of its own: indices `[start, end)` along each of its
   * leading axes, one range per axis (the other axes whole), named like a numpy slice
   * (`<name>[0:64]`, `<name>[:, 0:64]`), optionally viewed with other `dims` like {@link get}.
   */
  slice(name: string, ranges: ReadonlyArray<readonly [number, number]>, dims?: readonly number[]): string {
    const entry = this.source.get(name);
    const shape = entry.shape.map((d, i) => (i < ranges.length ? ranges[i][1] - ranges[i][0] : d));
    const index = ranges.map(([start, end], i) => (start === 0 && end === entry.shape[i] ? ':' : `${start}:${end}`));
    const sliceName = `${name}[${index.join(', ')}]`;
    const known = this.values.get(sliceName);
    if (known) return known;
    // The slices of a tensor share one read of it, dropped once each has been serialized.
    const read = this.reads.get(name) ?? { unread: 0 };
    read.unread++;
    this.reads.set(name, read);
    const data = (): Float32Array => {
      const all = read.data ?? entry.toFloat32();
      read.data = --read.unread > 0 ? all : undefined;
      return sliceData(all, entry.shape, ranges);
    };
    return this.add(sliceName, shape, dims, data);
  }

  /** Registers initializer `name` of `shape` (viewed as `dims`) once; returns its float32 value. */
  private add(name: string, shape: readonly number[], dims: readonly number[] | undefined, float32: () => Float32Array, raw?: () => Uint8Array): string {
    const known = this.values.get(name);
    if (known) return known;
    const size = product(shape);
    const viewed = dims ?? shape;
    if (product(viewed) !== size) throw new DifbfsrError('INTERNAL', `internal: ${name} has ${size} elements, cannot be viewed as [${viewed.join(', ')}]`);
    const { precision } = this;
    const bytes = (): Uint8Array => raw?.() ?? (precision === 'float16' ? toHalfBytes(float32()) : asBytes(float32()));
    this.graph.initializer({ name, dtype: precision, dims: viewed, byteLength: size * (precision === 'float16' ? 2 : 4), bytes });
    const value = precision === 'float32' ? name : this.graph.scope(name, () => this.graph.op('Cast', [name], { to: { int: 1 } }));
    this.values.set(name, value);
    return value;
  }
}

/** The block of C-order `data` (of `shape`) given by `ranges` on its leading axes. */
function sliceData(data: Float32Array, shape: readonly number[], ranges: ReadonlyArray<readonly [number, number]>): Float32Array {
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const run = strides[ranges.length - 1];
  const out = new Float32Array(product(ranges.map(([start, end]) => end - start)) * run);
  let at = 0;
  const copy = (axis: number, offset: number): void => {
    const [start, end] = ranges[axis];
    for (let i = start; i < end; i++) {
      const from = offset + i * strides[axis];
      if (axis === ranges.length - 1) {
        out.set(data.subarray(from, from + run), at);
        at += run;
      } else {
        copy(axis + 1, from);
      }
    }
  };
  copy(0, 0);
  return out;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
