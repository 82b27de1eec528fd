import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Write a file so that it appears complete or not at all: written beside the target, then renamed
 * (an interrupted run never leaves a truncated file).
 * @throws DifbfsrError `IO` naming the file and what was being written.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, what = 'the file'): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new DifbfsrError('IO', `${path}: cannot write ${what} (${(err as Error).message})`, { cause: err });
  }
}
