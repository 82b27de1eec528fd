/** Node-only streaming safetensors writer (node:fs). */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { DifbfsrError } from '@difbfsr/core';
import { planTensors, safetensorsHeader, type SaveableTensors, type SaveSafetensorsOptions } from './writer.js';

/**
 * Write tensors as a safetensors file, one tensor in memory at a time. The file appears atomically
 * (written to `<path>.tmp-*`, then renamed). Returns the number of bytes written.
 */
export async function saveSafetensorsFile(
  path: string,
  tensors: SaveableTensors,
  metadata: Readonly<Record<string, string>> = {},
  options: SaveSafetensorsOptions = {},
): Promise<number> {
  const plan = planTensors(tensors, options);
  const head = safetensorsHeader(plan, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx');
  } catch (e) {
    throw new DifbfsrError('IO', `Cannot create ${tmp}: ${(e as Error).message}`, { cause: e });
  }
  let written = 0;
  const handle = fh;
  try {
    const write = async (b: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < b.byteLength) {
        const { bytesWritten } = await handle.write(b, done, b.byteLength - done);
        done += bytesWritten;
      }
      written += b.byteLength;
    };
    await write(head);
    for (const t of plan) {
      const b = t.bytes();
      if (b.byteLength !== t.byteLength) {
        throw new DifbfsrError('INVALID_INPUT', `tensor "${t.name}" produced ${b.byteLength} bytes, expected ${t.byteLength}`);
      }
      await write(b);
    }
    fh = undefined;
    await handle.close();
    await rename(tmp, path);
    return written;
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    if (e instanceof DifbfsrError) throw e;
    throw new DifbfsrError('IO', `Writing ${path} failed: ${(e as Error).message}`, { cause: e });
  }
}
