/**
 * Writer of minimal `torch.save`-compatible ZIP checkpoints (a protocol-2 state-dict pickle and
 * stored, 64-byte-aligned storages, as PyTorch writes them). `torch.load(..., weights_only=True)`
 * reads the result. Used by tests and benchmarks, and to hand weights to PyTorch users.
 */
import { DifbfsrError } from '@difbfsr/core';
import { planTensors, type PlannedTensor, type SaveableTensors, type SaveSafetensorsOptions } from './writer.js';
import type { CheckpointDType } from './types.js';

const STORAGE_NAME: Readonly<Record<CheckpointDType, string>> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  float64: 'DoubleStorage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

/** Options of {@link torchZipChunks}. */
export interface TorchZipOptions extends SaveSafetensorsOptions {
  /** Name of the archive's top folder (default `archive`). */
  archiveName?: string;
  /** Wrap the state dict: `{ [key]: {prefix + name: tensor}, ...extras }` (e.g. `{key: 'state_dict', prefix: 'module.', extras: {step: 500000}}`). */
  wrap?: { key: string; prefix?: string; extras?: Record<string, number | string | boolean> };
}

/** Pickle byte builder (protocol 2 opcodes). */
class PickleOut {
  private parts: number[] = [];
  op(...b: number[]): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff);
    for (const x of b) this.parts.push(x);
    return this;
  }
  int(v: number): this {
    if (!Number.isSafeInteger(v)) throw new DifbfsrError('INVALID_INPUT', `not an integer: ${v}`);
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 0xff, v >> 8);
    if (v >= -(2 ** 31) && v < 2 ** 31) return this.op(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    let x = BigInt(v);
    const bytes: number[] = [];
    do {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
    } while (x !== 0n && x !== -1n);
    if ((bytes[bytes.length - 1] & 0x80) !== (v < 0 ? 0x80 : 0)) bytes.push(v < 0 ? 0xff : 0);
    return this.op(0x8a, bytes.length, ...bytes);
  }
  global(module: string, name: string): this {
    const b = new TextEncoder().encode(`${module}\n${name}\n`);
    this.op(0x63);
    for (const x of b) this.parts.push(x);
    return this;
  }
  tuple(items: number[]): this {
    this.op(0x28);
    for (const i of items) this.int(i);
    return this.op(0x74);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** The `data.pkl` of a state dict whose tensor `i` lives in storage key `String(i)`. */
export function stateDictPickle(plan: readonly PlannedTensor[], wrap?: TorchZipOptions['wrap']): Uint8Array {
  const p = new PickleOut().op(0x80, 2);
  if (wrap) p.op(0x7d, 0x28).str(wrap.key);
  p.op(0x7d, 0x28); // EMPTY_DICT MARK
  plan.forEach((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    p.str((wrap?.prefix ?? '') + t.name);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.op(0x28, 0x28).str('storage').global('torch', STORAGE_NAME[t.dtype]).str(String(i)).str('cpu').int(numel).op(0x74, 0x51);
    p.int(0).tuple(t.shape).tuple(stride).op(0x89);
    p.global('collections', 'OrderedDict').op(0x29, 0x52); // OrderedDict()
    p.op(0x74, 0x52); // TUPLE REDUCE
  });
  p.op(0x75); // SETITEMS
  if (wrap) {
    for (const [k, v] of Object.entries(wrap.extras ?? {})) {
      p.str(k);
      if (typeof v === 'number') p.int(v);
      else if (typeof v === 'boolean') p.op(v ? 0x88 : 0x89);
      else p.str(v);
    }
    p.op(0x75);
  }
  return p.op(0x2e).bytes();
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (ZIP) of `data`, continuing from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The ZIP archive as a sequence of chunks (one tensor's bytes in memory at a time), so large
 * checkpoints can be streamed to disk. Stored entries only; no ZIP64 (archives below 4 GiB).
 */
export function* torchZipChunks(tensors: SaveableTensors, options: TorchZipOptions = {}): Generator<Uint8Array> {
  const plan = planTensors(tensors, options);
  const arch = options.archiveName ?? 'archive';
  const enc = new TextEncoder();
  const central: Uint8Array[] = [];
  let offset = 0;
  const entry = function* (name: string, data: Uint8Array): Generator<Uint8Array> {
    const nameB = enc.encode(name);
    const base = offset + 30 + nameB.length;
    const pad = (64 - ((base + 4) % 64)) % 64; // extra field "FB" padding aligns data to 64 bytes
    const extraLen = 4 + pad;
    const crc = crc32(data);
    if (offset + 30 + nameB.length + extraLen + data.length > 0xffffffff) {
      throw new DifbfsrError('INVALID_INPUT', 'torchZipChunks: archives over 4 GiB need ZIP64, which this writer does not produce');
    }
    const h = new Uint8Array(30 + nameB.length + extraLen);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 0x800, true); // UTF-8 names
    dv.setUint32(14, crc, true);
    dv.setUint32(18, data.length, true);
    dv.setUint32(22, data.length, true);
    dv.setUint16(26, nameB.length, true);
    dv.setUint16(28, extraLen, true);
    h.set(nameB, 30);
    dv.setUint16(30 + nameB.length, 0x4246, true); // 'FB'
    dv.setUint16(32 + nameB.length, pad, true);
    const c = new Uint8Array(46 + nameB.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x800, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameB.length, true);
    cv.setUint32(42, offset, true);
    c.set(nameB, 46);
    central.push(c);
    offset += h.length + data.length;
    yield h;
    yield data;
  };
  yield* entry(`${arch}/data.pkl`, stateDictPickle(plan, options.wrap));
  yield* entry(`${arch}/byteorder`, enc.encode('little'));
  for (let i = 0; i < plan.length; i++) {
    const b = plan[i].bytes();
    if (b.byteLength !== plan[i].byteLength) throw new DifbfsrError('INVALID_INPUT', `tensor "${plan[i].name}" has the wrong byte length`);
    yield* entry(`${arch}/data/${i}`, b);
  }
  yield* entry(`${arch}/version`, enc.encode('3\n'));
  const cdStart = offset;
  let cdSize = 0;
  for (const c of central) {
    cdSize += c.length;
    yield c;
  }
  const e = new Uint8Array(22);
  const ev = new DataView(e.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, cdStart, true);
  yield e;
}

/** A `torch.save`-compatible checkpoint in memory. */
export function saveTorchZip(tensors: SaveableTensors, options: TorchZipOptions = {}): Uint8Array {
  const chunks = [...torchZipChunks(tensors, options)];
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}
