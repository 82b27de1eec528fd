import { DifbfsrError } from '@difbfsr/core';
import { encodeHalf, isDim } from './dtype.js';
import { TO_SAFETENSORS_DTYPE } from './safetensors.js';
import { DTYPE_BYTES, type CheckpointDType, type StateDict, type TensorEntry } from './types.js';

/** Typed arrays accepted as tensor data. */
export type TensorData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | BigInt64Array;

/**
 * A tensor to save: a {@link TensorEntry} (e.g. from a loaded state dict), plain data with a shape
 * (`dtype` defaults from the array type; `Uint16Array` needs `'float16'` or `'bfloat16'`), or
 * anything tensor-like with `shape`, `dtype` and `dataSync()` (a tfjs `Tensor`).
 */
export type SaveableTensor =
  | TensorEntry
  | { shape: readonly number[]; data: TensorData; dtype?: CheckpointDType }
  | { shape: readonly number[]; dtype: string; dataSync(): ArrayLike<number> | Uint8Array };

/** A set of named tensors to save, in order. */
export type SaveableTensors = StateDict | ReadonlyMap<string, SaveableTensor> | Readonly<Record<string, SaveableTensor>>;

/** Options of {@link saveSafetensors}. */
export interface SaveSafetensorsOptions {
  /** Store floating-point tensors as float16 (integer and bool tensors are kept). */
  fp16?: boolean;
}

/** One tensor ready to be written: its final dtype, shape and a producer of its bytes. */
export interface PlannedTensor {
  name: string;
  dtype: CheckpointDType;
  shape: number[];
  byteLength: number;
  /** Little-endian bytes of the tensor (called once, when written). */
  bytes(): Uint8Array;
}

const FLOAT_DTYPES: ReadonlySet<CheckpointDType> = new Set(['float64', 'float32', 'float16', 'bfloat16']);

const bad = (msg: string): DifbfsrError => new DifbfsrError('INVALID_INPUT', `saveSafetensors: ${msg}`);

function asBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function inferDType(data: TensorData, name: string): CheckpointDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof BigInt64Array) return 'int64';
  throw bad(`tensor "${name}": give dtype 'float16' or 'bfloat16' for a Uint16Array`);
}

/** Normalise the input into write order. */
export function planTensors(tensors: SaveableTensors, options: SaveSafetensorsOptions = {}): PlannedTensor[] {
  const list: Array<[string, SaveableTensor]> =
    typeof (tensors as StateDict).names === 'function' && typeof (tensors as StateDict).get === 'function'
      ? (tensors as StateDict).names().map((n) => [n, (tensors as StateDict).get(n)])
      : tensors instanceof Map
        ? [...(tensors as ReadonlyMap<string, SaveableTensor>)]
        : Object.entries(tensors as Record<string, SaveableTensor>);
  const out: PlannedTensor[] = [];
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (name === '__metadata__') throw bad('a tensor cannot be called "__metadata__"');
    if (seen.has(name)) throw bad(`duplicate tensor "${name}"`);
    seen.add(name);
    const shape: number[] = [...t.shape];
    if (!shape.every((d) => isDim(d))) throw bad(`tensor "${name}" has an invalid shape [${shape.join(', ')}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    let dtype: CheckpointDType;
    let raw: () => Uint8Array; // bytes in `dtype`
    let f32: () => Float32Array;
    if ('toFloat32' in t && typeof t.toFloat32 === 'function') {
      const e = t as TensorEntry;
      dtype = e.dtype;
      raw = () => e.bytes();
      f32 = () => e.toFloat32();
    } else if ('data' in t && ArrayBuffer.isView(t.data)) {
      const data = t.data;
      dtype = t.dtype ?? inferDType(data, name);
      if (!(dtype in DTYPE_BYTES)) throw bad(`tensor "${name}" has unknown dtype ${String(dtype)}`);
      if (data.byteLength !== size * DTYPE_BYTES[dtype]) {
        throw bad(`tensor "${name}": ${data.length} ${dtype} elements do not fill shape [${shape.join(', ')}]`);
      }
      const dt = dtype;
      raw = () => asBytes(data);
      f32 = () => {
        if (data instanceof Float32Array) return data;
        const o = new Float32Array(size);
        if (dt === 'float16' || dt === 'bfloat16' || dt === 'int64') {
          throw bad(`tensor "${name}": cannot convert ${dt} data to float16 here`);
        }
        for (let i = 0; i < size; i++) o[i] = Number((data as ArrayLike<number>)[i]);
        return o;
      };
    } else if ('dataSync' in t && typeof t.dataSync === 'function') {
      const tt = t;
      const tfd = tt.dtype;
      dtype = tfd === 'float32' ? 'float32' : tfd === 'int32' ? 'int32' : tfd === 'bool' ? 'bool' : (undefined as never);
      if (!dtype) throw bad(`tensor "${name}" has unsupported tfjs dtype ${tfd}`);
      const read = (): ArrayBufferView => {
        const d = tt.dataSync() as unknown as ArrayBufferView;
        if (d.byteLength !== size * DTYPE_BYTES[dtype]) throw bad(`tensor "${name}": data do not fill its shape`);
        return d;
      };
      raw = () => asBytes(read());
      f32 = () => {
        const d = read();
        return d instanceof Float32Array ? d : Float32Array.from(d as unknown as ArrayLike<number>);
      };
    } else {
      throw bad(`tensor "${name}" is neither a TensorEntry, {shape, data} nor a tfjs tensor`);
    }
    if (options.fp16 && FLOAT_DTYPES.has(dtype) && dtype !== 'float16') {
      out.push({ name, dtype: 'float16', shape, byteLength: size * 2, bytes: () => asBytes(encodeHalf(f32())) });
    } else {
      out.push({ name, dtype, shape, byteLength: size * DTYPE_BYTES[dtype], bytes: raw });
    }
  }
  return out;
}

/** The 8-byte length prefix plus the JSON header (padded with spaces to a multiple of 8). */
export function safetensorsHeader(plan: readonly PlannedTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw bad(`metadata "${k}" must be a string (JSON.stringify it)`);
    meta[k] = v;
  }
  if (Object.keys(meta).length) header.__metadata__ = meta;
  let off = 0;
  for (const t of plan) {
    header[t.name] = { dtype: TO_SAFETENSORS_DTYPE[t.dtype], shape: t.shape, data_offsets: [off, off + t.byteLength] };
    off += t.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.byteLength % 8)) % 8;
  if (pad) {
    const p = new Uint8Array(json.byteLength + pad).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 8);
  return out;
}

/**
 * Serialise tensors to safetensors bytes in memory (works in browsers). For large models in Node,
 * `saveSafetensorsFile` streams to disk one tensor at a time instead.
 */
export function saveSafetensors(
  tensors: SaveableTensors,
  metadata: Readonly<Record<string, string>> = {},
  options: SaveSafetensorsOptions = {},
): Uint8Array {
  const plan = planTensors(tensors, options);
  const head = safetensorsHeader(plan, metadata);
  const total = head.byteLength + plan.reduce((a, t) => a + t.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(head);
  let off = head.byteLength;
  for (const t of plan) {
    const b = t.bytes();
    if (b.byteLength !== t.byteLength) throw bad(`tensor "${t.name}" produced ${b.byteLength} bytes, expected ${t.byteLength}`);
    out.set(b, off);
    off += t.byteLength;
  }
  return out;
}
