import { inflateRawSync } from 'node:zlib';
import { DifbfsrError } from '@difbfsr/core';

/** A float64 array read from a `.npy` file, in C (row-major) order. */
export interface NpyArray {
  readonly shape: number[];
  readonly data: Float64Array;
}

const bad = (what: string, message: string) => new DifbfsrError('CHECKPOINT_FORMAT', `${what}: ${message}`);

/**
 * Decode a `.npy` file (format 1.0-3.0) holding little-endian float64 (`<f8`), in either
 * memory order; the result is row-major.
 * @throws DifbfsrError `CHECKPOINT_FORMAT` for anything else.
 */
export function parseNpy(bytes: Uint8Array, what: string): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw bad(what, 'not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f8' || shapeText === undefined) throw bad(what, `expected little-endian float64 data, header ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.length < offset + count * 8) throw bad(what, `holds ${bytes.length - offset} data bytes, shape ${shape.join('x')} needs ${count * 8}`);
  const stored = new Float64Array(count);
  for (let i = 0; i < count; i++) stored[i] = view.getFloat64(offset + i * 8, true);
  return { shape, data: fortran ? toRowMajor(stored, shape) : stored };
}

/** Reorder column-major values of `shape` to row-major. */
function toRowMajor(values: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(values.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    // i is the column-major position of `index`; write it at its row-major position.
    let rowMajor = 0;
    for (let d = 0; d < shape.length; d++) rowMajor = rowMajor * shape[d] + index[d];
    out[rowMajor] = values[i];
    for (let d = 0; d < shape.length && ++index[d] === shape[d]; d++) index[d] = 0;
  }
  return out;
}

/**
 * The arrays of a numpy `.npz` (a zip of `.npy` files, stored or deflated), by name without `.npy`.
 * Entries are found through the zip's central directory.
 * @throws DifbfsrError `CHECKPOINT_FORMAT` for a file that is not such a zip.
 */
export function parseNpz(bytes: Uint8Array, what: string): Map<string, NpyArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw bad(what, 'no zip end-of-central-directory record');
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const arrays = new Map<string, NpyArray>();
  for (let e = 0; e < entries; e++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw bad(what, `broken zip central directory at byte ${at}`);
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (size === 0xffffffff || local === 0xffffffff) throw bad(what, `${name} is a zip64 entry (not supported)`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + size);
    if (method !== 0 && method !== 8) throw bad(what, `${name} uses zip compression method ${method}`);
    arrays.set(name.replace(/\.npy$/, ''), parseNpy(method === 0 ? raw : new Uint8Array(inflateRawSync(raw)), `${what}/${name}`));
  }
  return arrays;
}
