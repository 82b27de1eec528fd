import { readFileSync } from 'node:fs';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Read a face list: one file name per line; blank lines and `#` comments are skipped.
 * @throws DifbfsrError `IO` when the file cannot be read, `INVALID_INPUT` for a name with a folder.
 */
export function readFaceList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DifbfsrError('IO', `cannot read face list ${path}: ${(e as Error).message}`, { cause: e });
  }
  const names = text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
  const bad = names.find((n) => n.includes('/') || n.includes('\\'));
  if (bad) throw new DifbfsrError('INVALID_INPUT', `face list ${path} names ${bad}: file names only, relative to --hr-dir`);
  return names;
}

/** `count` items spread evenly over `items` (the middle of each of `count` equal stretches). */
export function spreadPick<T>(items: readonly T[], count: number): T[] {
  if (!(Number.isInteger(count) && count >= 0 && count <= items.length)) {
    throw new DifbfsrError('INVALID_OPTION', `cannot pick ${count} of ${items.length} items`);
  }
  return Array.from({ length: count }, (_, k) => items[Math.floor(((k + 0.5) * items.length) / count)]);
}

/**
 * The bench's deterministic face subsets: the file names sorted, split by source prefix
 * (`celeba_`, `utk_`...), names in `exclude` dropped, and `count / sources` names spread evenly
 * over each source's sorted list.
 * @throws DifbfsrError `INVALID_OPTION` when `count` does not split evenly or a source is too small.
 */
export function pickFaceSubset(fileNames: readonly string[], count: number, exclude: ReadonlySet<string>): string[] {
  const bySource = new Map<string, string[]>();
  for (const name of [...fileNames].sort()) {
    if (exclude.has(name)) continue;
    const source = name.split('_')[0];
    bySource.set(source, [...(bySource.get(source) ?? []), name]);
  }
  const per = count / bySource.size;
  if (!Number.isInteger(per)) throw new DifbfsrError('INVALID_OPTION', `${count} faces do not split evenly over ${bySource.size} sources`);
  return [...bySource.keys()].sort().flatMap((s) => spreadPick(bySource.get(s)!, per));
}
