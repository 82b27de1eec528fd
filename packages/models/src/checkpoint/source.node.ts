/** Node-only file reader (node:fs). Imported dynamically so browser bundles can leave it out. */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DifbfsrError } from '@difbfsr/core';
import { checkRange, type ByteSource } from './source.js';

/** A read error as `IO` naming the file (a `DifbfsrError` stays as it is). */
function readError(path: string, e: unknown): never {
  if (e instanceof DifbfsrError) throw e;
  throw new DifbfsrError('IO', `Reading ${path} failed: ${(e as Error).message}`, { cause: e });
}

/** Open `path` and check it is a regular file; the handle is closed again when it is not. */
async function openRegularFile(path: string): Promise<{ handle: FileHandle; stats: Stats }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new DifbfsrError('IO', `Cannot open checkpoint ${path}: ${(e as Error).message}`, { cause: e });
  }
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch (e) {
    await handle.close().catch(() => {});
    throw new DifbfsrError('IO', `Cannot stat ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!stats.isFile()) {
    await handle.close().catch(() => {});
    throw new DifbfsrError('IO', `${path} is not a regular file`);
  }
  return { handle, stats };
}

/**
 * A file read at offsets. Parsing uses one FileHandle (closed by `close()`); lazy tensor reads
 * open, read and close the file each time, so no descriptor outlives a call. A file that changed
 * size or mtime since it was opened is refused.
 */
class FileSource implements ByteSource {
  readonly size: number;
  readonly label: string;
  readonly file: { path: string; size: number; mtimeMs: number };

  constructor(
    private readonly path: string,
    stats: Stats,
    private handle: FileHandle | undefined,
  ) {
    this.size = stats.size;
    this.label = path;
    this.file = { path, size: stats.size, mtimeMs: stats.mtimeMs };
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.path, this.size, offset, length);
    const out = new Uint8Array(length);
    if (!this.handle) return this.readInto(offset, out);
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await this.handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (e) {
      readError(this.path, e);
    }
    if (done < length) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${this.path}: unexpected end of file at ${offset + done}`);
    return out;
  }

  readSync(offset: number, length: number): Uint8Array {
    return this.readInto(offset, new Uint8Array(length));
  }

  readSyncInto(offset: number, target: Uint8Array): void {
    this.readInto(offset, target);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) await h.close().catch(() => {});
  }

  /** Open the file, check it did not change, fill `out` from `offset`, close it. */
  private readInto(offset: number, out: Uint8Array): Uint8Array {
    const { path, size } = this;
    checkRange(path, size, offset, out.byteLength);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const s = fstatSync(fd);
      if (s.size !== size || s.mtimeMs !== this.file.mtimeMs) throw new DifbfsrError('IO', `${path} changed on disk after it was loaded; load it again`);
      let done = 0;
      while (done < out.byteLength) {
        const n = readSync(fd, out, done, out.byteLength - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      if (done < out.byteLength) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${path}: unexpected end of file at ${offset + done}`);
      return out;
    } catch (e) {
      return readError(path, e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** Open a checkpoint file (path or `file:` URL) as a {@link ByteSource}. */
export async function openFileSource(pathOrUrl: string | URL): Promise<ByteSource> {
  const path = resolve(pathOrUrl instanceof URL ? fileURLToPath(pathOrUrl) : pathOrUrl);
  const { handle, stats } = await openRegularFile(path);
  return new FileSource(path, stats, handle);
}
