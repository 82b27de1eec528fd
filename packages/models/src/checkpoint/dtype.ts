import { DifbfsrError } from '@difbfsr/core';
import { DTYPE_BYTES, type CheckpointDType } from './types.js';

let f16Table: Float32Array | undefined;

/** float16 bit pattern → float32 value, for all 65536 patterns (built once, 256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    let v: number;
    if (exp === 0) v = frac * 2 ** -24;
    else if (exp === 31) v = frac === 0 ? Infinity : NaN;
    else v = (1 + frac / 1024) * 2 ** (exp - 15);
    t[h] = sign * v;
  }
  f16Table = t;
  return t;
}

/** One float16 bit pattern → number. */
export function halfToFloat(h: number): number {
  return halfTable()[h & 0xffff];
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float32 value → float16 bit pattern, round to nearest even (overflow → ±Infinity, like `Tensor.half()`). */
export function floatToHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++; // may carry into exponent: still correct
  return sign | r;
}

/**
 * Decode `count` elements of `dtype` from little-endian `bytes` (any alignment) into `out`
 * starting at `outOffset`.
 */
export function decodeInto(
  dtype: CheckpointDType,
  bytes: Uint8Array,
  count: number,
  out: Float32Array,
  outOffset = 0,
): void {
  const need = count * DTYPE_BYTES[dtype];
  if (bytes.byteLength < need) {
    throw new DifbfsrError('CHECKPOINT_TRUNCATED', `Tensor data too short: ${bytes.byteLength} < ${need} bytes`);
  }
  switch (dtype) {
    case 'float32': {
      new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, need).set(bytes.subarray(0, need));
      return;
    }
    case 'float16': {
      const t = halfTable();
      const u16 = aligned(bytes, need, 2, Uint16Array) as Uint16Array;
      for (let i = 0; i < count; i++) out[outOffset + i] = t[u16[i]];
      return;
    }
    case 'bfloat16': {
      const u16 = aligned(bytes, need, 2, Uint16Array) as Uint16Array;
      const o32 = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, count);
      for (let i = 0; i < count; i++) o32[i] = u16[i] << 16;
      return;
    }
    case 'float64': {
      const f64 = aligned(bytes, need, 8, Float64Array) as Float64Array;
      for (let i = 0; i < count; i++) out[outOffset + i] = f64[i];
      return;
    }
    case 'int64': {
      const i32 = aligned(bytes, need, 4, Int32Array) as Int32Array;
      for (let i = 0; i < count; i++) out[outOffset + i] = i32[2 * i + 1] * 4294967296 + (i32[2 * i] >>> 0);
      return;
    }
    case 'int32': {
      const i32 = aligned(bytes, need, 4, Int32Array) as Int32Array;
      for (let i = 0; i < count; i++) out[outOffset + i] = i32[i];
      return;
    }
    case 'int16': {
      const i16 = aligned(bytes, need, 2, Int16Array) as Int16Array;
      for (let i = 0; i < count; i++) out[outOffset + i] = i16[i];
      return;
    }
    case 'int8': {
      for (let i = 0; i < count; i++) out[outOffset + i] = (bytes[i] << 24) >> 24;
      return;
    }
    case 'uint8':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes[i];
      return;
    case 'bool':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes[i] ? 1 : 0;
      return;
    default:
      throw new DifbfsrError('UNSUPPORTED_DTYPE', `Unsupported dtype ${String(dtype)}`);
  }
}

type TypedCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

/** A typed view of `bytes[0, need)`, copying only when the start is misaligned. */
function aligned(bytes: Uint8Array, need: number, align: number, Ctor: TypedCtor): ArrayBufferView {
  if (bytes.byteOffset % align === 0) return new Ctor(bytes.buffer, bytes.byteOffset, need / align);
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(0, need));
  return new Ctor(copy.buffer, 0, need / align);
}

/** Decode a whole tensor to a new Float32Array. */
export function decodeToFloat32(dtype: CheckpointDType, bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  decodeInto(dtype, bytes, count, out, 0);
  return out;
}

/** float32 values → float16 bit patterns. */
export function encodeHalf(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return out;
}

/** Whether `d` is a valid dimension (non-negative safe integer). */
export function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;
}
