import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Create a folder and its parents when missing.
 * @throws DifbfsrError `IO` naming the folder and the system's reason.
 */
export async function ensureFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (err) {
    throw new DifbfsrError('IO', `${folder}: cannot create the folder (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Create a folder where outputs will go and prove it writable by writing and removing an empty
 * probe file, so that a read-only folder is reported before anything is restored.
 * @throws DifbfsrError `IO` naming the folder and the system's reason.
 */
export async function prepareOutputFolder(folder: string): Promise<void> {
  await ensureFolder(folder);
  const probe = join(folder, `.difbfsr-write-test.${process.pid}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw new DifbfsrError('IO', `${folder}: cannot write into the folder (${(err as Error).message})`, { cause: err });
  }
  await rm(probe, { force: true });
}
