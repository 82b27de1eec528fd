import { DifbfsrError } from '@difbfsr/core';
import { isDim } from './dtype.js';
import { memorySource, type ByteSource } from './source.js';
import { LazyTensor, MapStateDict } from './statedict.js';
import { DTYPE_BYTES, type CheckpointDType, type StateDict, type TensorEntry } from './types.js';

/** safetensors dtype string → ours. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, CheckpointDType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Ours → safetensors dtype string. */
export const TO_SAFETENSORS_DTYPE: Readonly<Record<CheckpointDType, string>> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/** The safetensors format caps the JSON header at 100 MB. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** Whether the first bytes look like a safetensors file (u64 header length, then `{`). */
export function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.byteLength < 9) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  return n >= 2 && head[8] === 0x7b; // '{'
}

/** Header length from the first 8 bytes, validated against the file size. */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, label: string): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: ${fileSize} bytes is too short for a safetensors file`);
  }
  // A u64: read exactly (a float would print 2^62 as 4611686018427388000).
  const exact = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (exact > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw new DifbfsrError(
      'CHECKPOINT_FORMAT',
      `${label}: safetensors header length ${exact} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit (header overflow; not a safetensors file or corrupt)`,
    );
  }
  const n = Number(exact);
  if (n < 2) throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: safetensors header length ${n} is too small`);
  if (8 + n > fileSize) {
    throw new DifbfsrError(
      'CHECKPOINT_TRUNCATED',
      `${label}: safetensors header of ${n} bytes overflows the file (${fileSize} bytes); the file is truncated or corrupt`,
    );
  }
  return n;
}

/** Parsed but not yet bound header: tensor locations relative to the data section. */
export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: Array<{ name: string; dtype: CheckpointDType; shape: number[]; begin: number; end: number }>;
  /** Absolute byte offset of the data section (8 + header length). */
  dataStart: number;
}

/** Parse and validate the JSON header against the file size. */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  label: string,
): SafetensorsHeader {
  const dataStart = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataStart;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: safetensors header is not valid UTF-8 JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: safetensors header is not a JSON object`);
  }
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsHeader['tensors'] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: __metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      continue;
    }
    const bad = (why: string): never => {
      throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: tensor "${name}": ${why}`);
    };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('entry is not an object');
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') bad('missing dtype');
    const dt = SAFETENSORS_DTYPES[dtype as string];
    if (!dt || !Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, dtype as string)) {
      throw new DifbfsrError(
        'UNSUPPORTED_DTYPE',
        `${label}: tensor "${name}" has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`,
      );
    }
    if (!Array.isArray(shape) || shape.length > 64 || !shape.every(isDim)) bad(`invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isDim) || offs[0] > offs[1]) {
      bad(`invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as number[];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const bytes = numel * DTYPE_BYTES[dt];
    if (!Number.isSafeInteger(bytes) || bytes !== end - begin) {
      bad(`shape ${JSON.stringify(shape)} (${dtype}) needs ${bytes} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataSize) {
      throw new DifbfsrError(
        'CHECKPOINT_TRUNCATED',
        `${label}: tensor "${name}" data (${begin}..${end}) lies past the end of the data section (${dataSize} bytes); the file is truncated`,
      );
    }
    tensors.push({ name, dtype: dt, shape: [...(shape as number[])], begin, end });
  }
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      throw new DifbfsrError(
        'CHECKPOINT_FORMAT',
        `${label}: tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data section`,
      );
    }
  }
  return { metadata, tensors, dataStart };
}

/** Bind a parsed header to its source. */
export function safetensorsStateDict(source: ByteSource, header: SafetensorsHeader): StateDict {
  const entries = new Map<string, TensorEntry>();
  for (const t of header.tensors) {
    entries.set(t.name, new LazyTensor(source, { name: t.name, dtype: t.dtype, shape: t.shape, offset: header.dataStart + t.begin }));
  }
  return new MapStateDict('safetensors', entries, header.metadata, {}, source.label);
}

/** Read a safetensors checkpoint from any source (only the header is read now). */
export async function readSafetensors(source: ByteSource): Promise<StateDict> {
  const n = safetensorsHeaderLength(await source.read(0, Math.min(8, source.size)), source.size, source.label);
  const header = parseSafetensorsHeader(await source.read(8, n), source.size, source.label);
  return safetensorsStateDict(source, header);
}

/**
 * Parse safetensors bytes already in memory (no copy: tensors decode from `bytes` when asked, so
 * keep `bytes` unchanged while the state dict is in use).
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer, label = '<buffer>'): StateDict {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const source = memorySource(u8, label);
  const n = safetensorsHeaderLength(u8.subarray(0, 8), u8.byteLength, label);
  const header = parseSafetensorsHeader(u8.subarray(8, 8 + n), u8.byteLength, label);
  return safetensorsStateDict(source, header);
}
