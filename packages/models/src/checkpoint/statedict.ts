import { DifbfsrError } from '@difbfsr/core';
import { decodeToFloat32 } from './dtype.js';
import type { ByteSource } from './source.js';
import { DTYPE_BYTES, type CheckpointDType, type StateDict, type TensorEntry } from './types.js';

/** Where a tensor's elements lie in a {@link ByteSource}. */
export interface TensorLocation {
  name: string;
  dtype: CheckpointDType;
  shape: number[];
  /** Absolute byte offset of element 0 (after any storage offset). */
  offset: number;
  /** Element strides; omitted when C-contiguous. Validated by the caller to stay inside the storage. */
  stride?: number[];
}

/** True when `stride` is the C-contiguous stride of `shape` (size-1 dims may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) return false;
    expect *= shape[i];
  }
  return true;
}

/** A tensor whose bytes are read from its source when asked for. */
export class LazyTensor implements TensorEntry {
  readonly name: string;
  readonly dtype: CheckpointDType;
  readonly shape: readonly number[];
  readonly size: number;
  readonly byteLength: number;
  private readonly source: ByteSource;
  private readonly offset: number;
  private readonly stride?: number[];

  constructor(source: ByteSource, loc: TensorLocation) {
    this.source = source;
    this.name = loc.name;
    this.dtype = loc.dtype;
    this.shape = Object.freeze([...loc.shape]);
    this.size = loc.shape.reduce((a, b) => a * b, 1);
    this.byteLength = this.size * DTYPE_BYTES[loc.dtype];
    this.offset = loc.offset;
    this.stride = loc.stride && !isContiguous(loc.shape, loc.stride) ? [...loc.stride] : undefined;
  }

  toFloat32(): Float32Array {
    if (!this.stride) {
      if (this.dtype === 'float32') {
        const out = new Float32Array(this.size);
        this.source.readSyncInto(this.offset, new Uint8Array(out.buffer));
        return out;
      }
      return decodeToFloat32(this.dtype, this.source.readSync(this.offset, this.byteLength), this.size);
    }
    const { span, gather } = this.strided();
    const all = decodeToFloat32(this.dtype, span, span.byteLength / DTYPE_BYTES[this.dtype]);
    const out = new Float32Array(this.size);
    gather((dst, src) => {
      out[dst] = all[src];
    });
    return out;
  }

  bytes(): Uint8Array {
    const eb = DTYPE_BYTES[this.dtype];
    if (!this.stride) {
      const out = new Uint8Array(this.byteLength);
      this.source.readSyncInto(this.offset, out);
      return out;
    }
    const { span, gather } = this.strided();
    const out = new Uint8Array(this.byteLength);
    gather((dst, src) => out.set(span.subarray(src * eb, src * eb + eb), dst * eb));
    return out;
  }

  /** Read the element span a strided tensor touches, and iterate (dst, src) element pairs. */
  private strided(): { span: Uint8Array; gather: (f: (dst: number, src: number) => void) => void } {
    const shape = this.shape;
    const stride = this.stride!;
    let last = 0;
    for (let i = 0; i < shape.length; i++) if (shape[i] > 0) last += (shape[i] - 1) * stride[i];
    const eb = DTYPE_BYTES[this.dtype];
    const span = this.size === 0 ? new Uint8Array(0) : this.source.readSync(this.offset, (last + 1) * eb);
    const gather = (f: (dst: number, src: number) => void): void => {
      if (this.size === 0) return;
      const nd = shape.length;
      const idx = new Array<number>(nd).fill(0);
      let src = 0;
      for (let dst = 0; dst < this.size; dst++) {
        f(dst, src);
        for (let d = nd - 1; d >= 0; d--) {
          idx[d]++;
          src += stride[d];
          if (idx[d] < shape[d]) break;
          src -= stride[d] * idx[d];
          idx[d] = 0;
        }
      }
    };
    return { span, gather };
  }
}

/** {@link StateDict} over an ordered map of entries. */
export class MapStateDict implements StateDict {
  readonly metadata: Readonly<Record<string, string>>;
  readonly extras: Readonly<Record<string, string | number | boolean | null>>;
  constructor(
    readonly format: 'safetensors' | 'pytorch',
    private readonly entries: Map<string, TensorEntry>,
    metadata: Record<string, string> = {},
    extras: Record<string, string | number | boolean | null> = {},
    /** Description of the source for error messages. */
    readonly label = '<checkpoint>',
    readonly cache?: { readonly path: string; readonly hit: boolean },
  ) {
    this.metadata = Object.freeze({ ...metadata });
    this.extras = Object.freeze({ ...extras });
  }
  get size(): number {
    return this.entries.size;
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
  has(name: string): boolean {
    return this.entries.has(name);
  }
  get(name: string): TensorEntry {
    const e = this.entries.get(name);
    if (!e) {
      throw new DifbfsrError('MISSING_TENSOR', `Checkpoint ${this.label} has no tensor "${name}"${suggest(name, this.names())}`);
    }
    return e;
  }
}

/** ", did you mean ..." for a missing name (prefix/suffix matches), or ''. */
function suggest(name: string, names: string[]): string {
  const tail = name.split('.').slice(-3).join('.');
  const near = names.filter((n) => n.endsWith(tail) || n.endsWith(name) || name.endsWith(n)).slice(0, 3);
  return near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(', ')}?)` : '';
}
