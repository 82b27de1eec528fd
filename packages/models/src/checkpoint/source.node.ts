/** Node-only file reader (node:fs). Imported dynamically so browser bundles can leave it out. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DifbfsrError } from '@difbfsr/core';
import { checkRange, type ByteSource } from './source.js';

/**
 * A file read at offsets. Parsing uses one FileHandle (closed by `close()`); lazy tensor reads
 * open, read and close the file each time, so no descriptor outlives a call. A file that changed
 * size or mtime since it was opened is refused.
 */
export async function openFileSource(pathOrUrl: string | URL): Promise<ByteSource> {
  const path = resolve(pathOrUrl instanceof URL ? fileURLToPath(pathOrUrl) : pathOrUrl);
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new DifbfsrError('IO', `Cannot open checkpoint ${path}: ${(e as Error).message}`, { cause: e });
  }
  let st;
  try {
    st = await fh.stat();
  } catch (e) {
    await fh.close().catch(() => {});
    throw new DifbfsrError('IO', `Cannot stat ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!st.isFile()) {
    await fh.close().catch(() => {});
    throw new DifbfsrError('IO', `${path} is not a regular file`);
  }
  const size = st.size;
  const mtimeMs = st.mtimeMs;
  let handle: FileHandle | undefined = fh;

  const fail = (e: unknown): never => {
    if (e instanceof DifbfsrError) throw e;
    throw new DifbfsrError('IO', `Reading ${path} failed: ${(e as Error).message}`, { cause: e });
  };

  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    checkRange(path, size, offset, length);
    const out = new Uint8Array(length);
    if (!handle) return readSyncImpl(offset, length, out);
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (e) {
      fail(e);
    }
    if (done < length) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${path}: unexpected end of file at ${offset + done}`);
    return out;
  };

  const readSyncImpl = (offset: number, length: number, out: Uint8Array = new Uint8Array(length)): Uint8Array => {
    checkRange(path, size, offset, length);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const s = fstatSync(fd);
      if (s.size !== size || s.mtimeMs !== mtimeMs) {
        throw new DifbfsrError('IO', `${path} changed on disk after it was loaded; load it again`);
      }
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      if (done < length) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${path}: unexpected end of file at ${offset + done}`);
      return out;
    } catch (e) {
      return fail(e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };

  return {
    size,
    label: path,
    file: { path, size, mtimeMs },
    read,
    readSync: (o, l) => readSyncImpl(o, l),
    readSyncInto: (o, t) => {
      readSyncImpl(o, t.byteLength, t);
    },
    close: async () => {
      const h = handle;
      handle = undefined;
      if (h) await h.close().catch(() => {});
    },
  };
}
