/**
 * Minimal read-only ZIP reader for PyTorch checkpoints: end of central directory (with ZIP64),
 * central directory, local headers. Entries are normally stored uncompressed (as `torch.save`
 * writes them) and read in place; deflated entries are inflated with `DecompressionStream`.
 * Every offset and size is checked against the file length before anything is allocated.
 */
import { DifbfsrError } from '@difbfsr/core';
import type { ByteSource } from './source.js';

/** One file of the archive. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The archive's central directory. */
export interface ZipDirectory {
  entries: Map<string, ZipEntry>;
  /** Raw central directory bytes (identify the content: they hold every entry's CRC-32). */
  centralDirectory: Uint8Array;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOC64 = 0x07064b50;
const SIG_CEN = 0x02014b50;
const SIG_LOC = 0x04034b50;
const MAX_ENTRIES = 1_000_000;

const fmtErr = (label: string, msg: string): DifbfsrError => new DifbfsrError('CHECKPOINT_FORMAT', `${label}: ${msg}`);

function u64(dv: DataView, at: number): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 0x200000) return Number.MAX_SAFE_INTEGER + 1; // beyond 2^53: certainly out of range
  return hi * 2 ** 32 + lo;
}

/** Where the central directory is, as the end-of-central-directory record (or its ZIP64 form) says. */
interface DirectoryLocation {
  count: number;
  cdSize: number;
  cdOffset: number;
  /** The central directory ends before this. */
  cdLimit: number;
}

/** The end-of-central-directory record's position in `tail`, searched backwards past any comment. */
function findEocd(tdv: DataView, label: string): number {
  for (let i = tdv.byteLength - 22; i >= 0; i--) {
    if (tdv.getUint32(i, true) === SIG_EOCD && i + 22 + tdv.getUint16(i + 20, true) <= tdv.byteLength) return i;
  }
  throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: ZIP end-of-central-directory record not found; the archive is truncated or not a ZIP file`);
}

/** Read the end-of-central-directory record (and the ZIP64 one when its locator is there). */
async function locateDirectory(src: ByteSource): Promise<DirectoryLocation> {
  const { size, label } = src;
  if (size < 22) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: ${size} bytes is too short for a ZIP archive (truncated)`);
  const tailLen = Math.min(size, 22 + 0xffff);
  const tailStart = size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const eocd = findEocd(tdv, label);
  const found = { count: tdv.getUint16(eocd + 10, true), cdSize: tdv.getUint32(eocd + 12, true), cdOffset: tdv.getUint32(eocd + 16, true), cdLimit: tailStart + eocd };
  const loc = eocd - 20;
  if (loc >= 0 && tdv.getUint32(loc, true) === SIG_LOC64) {
    const e64 = u64(tdv, loc + 8);
    if (e64 + 56 > tailStart + loc) throw fmtErr(label, `ZIP64 end-of-central-directory offset ${e64} is out of range`);
    const rec = await src.read(e64, 56);
    const rdv = new DataView(rec.buffer, rec.byteOffset, 56);
    if (rdv.getUint32(0, true) !== SIG_EOCD64) throw fmtErr(label, 'bad ZIP64 end-of-central-directory signature');
    return { count: u64(rdv, 32), cdSize: u64(rdv, 40), cdOffset: u64(rdv, 48), cdLimit: e64 };
  }
  if (found.count === 0xffff || found.cdSize === 0xffffffff || found.cdOffset === 0xffffffff) throw fmtErr(label, 'ZIP64 archive without a ZIP64 end-of-central-directory locator');
  return found;
}

/** The sizes and offset an entry's ZIP64 extra field (id 1) replaces, where the 32-bit fields are saturated. */
function applyZip64Extra(dv: DataView, x: number, xEnd: number, e: { size: number; compressedSize: number; localHeaderOffset: number; name: string }, label: string): void {
  while (x + 4 <= xEnd) {
    const id = dv.getUint16(x, true);
    const len = dv.getUint16(x + 2, true);
    if (x + 4 + len > xEnd) break;
    if (id === 0x0001) {
      let q = x + 4;
      const take = (): number => {
        if (q + 8 > x + 4 + len) throw fmtErr(label, `short ZIP64 extra field in entry "${e.name}"`);
        const v = u64(dv, q);
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = take();
    }
    x += 4 + len;
  }
}

const utf8 = new TextDecoder('utf-8');

/** Central directory entry `i` at byte `p` of `cd`; returns it and where the next one starts. */
function readEntryHeader(cd: Uint8Array, dv: DataView, p: number, i: number, at: DirectoryLocation, label: string): { entry: ZipEntry; next: number } {
  if (p + 46 > at.cdSize || dv.getUint32(p, true) !== SIG_CEN) throw fmtErr(label, `bad ZIP central directory entry #${i}`);
  const nameLen = dv.getUint16(p + 28, true);
  const extraLen = dv.getUint16(p + 30, true);
  const next = p + 46 + nameLen + extraLen + dv.getUint16(p + 32, true);
  if (next > at.cdSize) throw fmtErr(label, `ZIP central directory entry #${i} overflows the directory`);
  const entry: ZipEntry = {
    name: utf8.decode(cd.subarray(p + 46, p + 46 + nameLen)),
    method: dv.getUint16(p + 10, true),
    flags: dv.getUint16(p + 8, true),
    crc32: dv.getUint32(p + 16, true),
    compressedSize: dv.getUint32(p + 20, true),
    size: dv.getUint32(p + 24, true),
    localHeaderOffset: dv.getUint32(p + 42, true),
  };
  applyZip64Extra(dv, p + 46 + nameLen, p + 46 + nameLen + extraLen, entry, label);
  if (entry.localHeaderOffset + 30 + entry.compressedSize > at.cdOffset) {
    throw new DifbfsrError(
      'CHECKPOINT_TRUNCATED',
      `${label}: ZIP entry "${entry.name}" (${entry.compressedSize} bytes at ${entry.localHeaderOffset}) overflows the archive data; truncated or corrupt`,
    );
  }
  return { entry, next };
}

/** Read and validate the central directory. */
export async function readZipDirectory(src: ByteSource): Promise<ZipDirectory> {
  const { label } = src;
  const at = await locateDirectory(src);
  const { count, cdSize, cdOffset, cdLimit } = at;
  if (cdOffset + cdSize > cdLimit) {
    throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: ZIP central directory (${cdOffset}+${cdSize}) overflows the archive; the file is truncated or corrupt`);
  }
  if (count > MAX_ENTRIES || count * 46 > cdSize) throw fmtErr(label, `ZIP central directory of ${cdSize} bytes cannot hold ${count} entries`);
  const cd = await src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    const { entry, next } = readEntryHeader(cd, dv, p, i, at, label);
    entries.set(entry.name, entry);
    p = next;
  }
  return { entries, centralDirectory: cd };
}

/** Absolute offset of an entry's (possibly compressed) data, from its local header. */
export async function entryDataOffset(src: ByteSource, entry: ZipEntry, cdOffsetLimit = src.size): Promise<number> {
  const h = await src.read(entry.localHeaderOffset, 30);
  const dv = new DataView(h.buffer, h.byteOffset, 30);
  if (dv.getUint32(0, true) !== SIG_LOC) throw fmtErr(src.label, `bad ZIP local header for "${entry.name}"`);
  const start = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (start + entry.compressedSize > Math.min(src.size, cdOffsetLimit)) {
    throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${src.label}: data of ZIP entry "${entry.name}" lies past the end of the file`);
  }
  return start;
}

/** Check that an entry can be read: not encrypted, stored or deflated. */
export function checkEntryReadable(label: string, entry: ZipEntry): void {
  if (entry.flags & 1) throw fmtErr(label, `ZIP entry "${entry.name}" is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw fmtErr(label, `ZIP entry "${entry.name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.size) {
    throw fmtErr(label, `stored ZIP entry "${entry.name}" has compressed size ${entry.compressedSize} != size ${entry.size}`);
  }
}

/**
 * Inflate a raw-deflate stream into exactly `size` bytes, refusing more output than that
 * (so a corrupt or malicious stream cannot make it allocate beyond `size`).
 */
export async function inflateRaw(label: string, name: string, data: Uint8Array, size: number): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw fmtErr(label, `ZIP entry "${name}" is deflate-compressed and this runtime has no DecompressionStream`);
  }
  const out = new Uint8Array(size);
  let done = 0;
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const bad = (why: string): DifbfsrError => fmtErr(label, `ZIP entry "${name}": ${why}`);
  const feed = (async () => {
    try {
      await writer.write(data as Uint8Array<ArrayBuffer>);
      await writer.close();
    } catch {
      /* reported by the reader */
    }
  })();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw bad(`corrupt deflate data (${(e as Error).message})`);
      }
      if (r.done) break;
      if (done + r.value.byteLength > size) throw bad(`inflates to more than its declared ${size} bytes`);
      out.set(r.value, done);
      done += r.value.byteLength;
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    await writer.abort().catch(() => {});
    throw e;
  } finally {
    await feed;
  }
  if (done !== size) throw bad(`inflates to ${done} bytes, declared ${size}`);
  return out;
}

/** The whole (decompressed) content of a small entry. */
export async function readEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
  checkEntryReadable(src.label, entry);
  const start = await entryDataOffset(src, entry);
  const raw = await src.read(start, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.size > Math.max(64 * 2 ** 20, 1100 * entry.compressedSize)) {
    throw fmtErr(src.label, `ZIP entry "${entry.name}" declares an impossible compression ratio (${entry.compressedSize} → ${entry.size})`);
  }
  return inflateRaw(src.label, entry.name, raw, entry.size);
}
