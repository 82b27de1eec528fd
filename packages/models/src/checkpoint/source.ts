import { DifbfsrError } from '@difbfsr/core';

/**
 * Random-access bytes of a checkpoint: an in-memory buffer, or (Node) a file read at offsets so
 * that a large checkpoint is never held in memory twice.
 */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Short description for error messages (a path, or `<buffer>`). */
  readonly label: string;
  /** Bytes `[offset, offset + length)`; throws CHECKPOINT_TRUNCATED past the end. May alias the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Synchronous {@link read}, used by lazy `TensorEntry.toFloat32()`. May alias the source. */
  readSync(offset: number, length: number): Uint8Array;
  /** Synchronously read `target.byteLength` bytes at `offset` into `target` (no intermediate copy). */
  readSyncInto(offset: number, target: Uint8Array): void;
  /** Release a handle held for the duration of parsing (idempotent). Lazy reads still work after it. */
  close(): Promise<void>;
  /** The whole content when it already is in memory (buffer sources), else undefined. */
  readonly memory?: Uint8Array;
  /** Node file sources: absolute path, byte size and mtime (for cache keys). */
  readonly file?: { path: string; size: number; mtimeMs: number };
}

/** Check `[offset, offset + length)` against `size`. */
export function checkRange(label: string, size: number, offset: number, length: number, what = 'data'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: invalid ${what} range (${offset}, +${length})`);
  }
  if (offset + length > size) {
    throw new DifbfsrError(
      'CHECKPOINT_TRUNCATED',
      `${label}: ${what} at bytes ${offset}..${offset + length} lies past the end of the file (${size} bytes); the file is truncated or corrupt`,
    );
  }
}

/** A source over bytes already in memory (no copy). */
export function memorySource(bytes: Uint8Array, label = '<buffer>'): ByteSource {
  const read = (offset: number, length: number): Uint8Array => {
    checkRange(label, bytes.byteLength, offset, length);
    return bytes.subarray(offset, offset + length);
  };
  return {
    size: bytes.byteLength,
    label,
    memory: bytes,
    read: async (o, l) => read(o, l),
    readSync: read,
    readSyncInto: (o, t) => t.set(read(o, t.byteLength)),
    close: async () => {},
  };
}

/** Whether this runtime is Node.js (file paths are only accepted there). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Environment variable, or undefined outside Node. */
export function env(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name];
}

/** Anything {@link loadCheckpoint} accepts. */
export type CheckpointSource = string | URL | ArrayBuffer | ArrayBufferView;

/** Open a checkpoint source. File paths and `file:` URLs use the Node-only reader (imported lazily). */
export async function openSource(source: CheckpointSource, fetchInit?: RequestInit): Promise<ByteSource> {
  if (source instanceof ArrayBuffer) return memorySource(new Uint8Array(source));
  if (ArrayBuffer.isView(source)) {
    return memorySource(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  }
  const isUrl = source instanceof URL || (typeof source === 'string' && /^(https?|blob|data):/i.test(source));
  if (isUrl && !(source instanceof URL && source.protocol === 'file:')) {
    const url = source.toString();
    let res: Response;
    try {
      res = await fetch(url, fetchInit);
    } catch (e) {
      throw new DifbfsrError('IO', `Could not fetch ${url}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new DifbfsrError('IO', `Could not fetch ${url}: HTTP ${res.status}`);
    return memorySource(new Uint8Array(await res.arrayBuffer()), url);
  }
  if (!isNode()) {
    throw new DifbfsrError('INVALID_INPUT', `File paths need Node.js; pass an ArrayBuffer or URL in browsers (${String(source)})`);
  }
  const { openFileSource } = await import('./checkpoint-file.node.js');
  return openFileSource(source instanceof URL ? source : String(source));
}
