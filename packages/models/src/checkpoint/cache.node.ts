/**
 * Node-only weight cache: a PyTorch checkpoint is converted once to safetensors under the cache
 * directory and later loads read that file (the pickle is never parsed again). Entries are keyed by
 * the source's absolute path, size and mtime (files) or by a hash of its ZIP central directory,
 * which holds every record's CRC-32 (buffers, URLs), plus the load options that change the result.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DifbfsrError } from '@difbfsr/core';
import type { LoadCheckpointOptions } from './load.js';
import { readSafetensors } from './safetensors.js';
import { openFileSource } from './source.node.js';
import type { ByteSource } from './source.js';
import { MapStateDict } from './statedict.js';
import type { StateDict, TensorEntry } from './types.js';
import { saveSafetensorsFile } from './writer.node.js';
import { readZipDirectory } from './zip.js';

const VERSION = 'difbfsr-cache-v1';
const META_FORMAT = 'difbfsr.cache.format';
const META_EXTRAS = 'difbfsr.cache.extras';
const META_SOURCE = 'difbfsr.cache.source';

/** Cache key (hex) of a source under these options. */
export async function cacheKey(src: ByteSource, options: LoadCheckpointOptions): Promise<string> {
  const h = createHash('sha256');
  h.update(VERSION);
  if (src.file) {
    h.update(JSON.stringify(['file', src.file.path, src.file.size, src.file.mtimeMs]));
  } else {
    const dir = await readZipDirectory(src);
    h.update(JSON.stringify(['zip', src.size]));
    h.update(dir.centralDirectory);
  }
  h.update(JSON.stringify([options.key ?? null, options.stripPrefix ?? null, options.cacheDType ?? 'keep']));
  return h.digest('hex').slice(0, 40);
}

const exists = async (p: string): Promise<boolean> => {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
};

async function openCached(path: string, label: string, hit: boolean): Promise<StateDict> {
  const cs = await openFileSource(path);
  try {
    const sd = await readSafetensors(cs);
    let extras: Record<string, string | number | boolean | null> = {};
    try {
      extras = JSON.parse(sd.metadata[META_EXTRAS] ?? '{}') as typeof extras;
    } catch {
      /* keep {} */
    }
    const entries = new Map<string, TensorEntry>(sd.names().map((n) => [n, sd.get(n)]));
    const format = sd.metadata[META_FORMAT] === 'pytorch' ? 'pytorch' : 'safetensors';
    return new MapStateDict(format, entries, {}, extras, label, { path, hit });
  } finally {
    await cs.close();
  }
}

/** The cached conversion of `src` if present and readable (a corrupt entry is removed), else undefined. */
export async function lookupCache(src: ByteSource, dir: string, options: LoadCheckpointOptions): Promise<StateDict | undefined> {
  const path = join(dir, `${await cacheKey(src, options)}.safetensors`);
  if (!(await exists(path))) return undefined;
  try {
    return await openCached(path, src.label, true);
  } catch (e) {
    if (!(e instanceof DifbfsrError) || e.code === 'IO') throw e;
    await rm(path, { force: true }); // corrupt cache entry: rebuild it
    return undefined;
  }
}

/**
 * Load `src` through the cache in `dir`: read the cached conversion when present, else run
 * `parse`, write its tensors to the cache (atomically, one tensor in memory at a time) and read
 * them back from there.
 */
export async function loadViaCache(
  src: ByteSource,
  dir: string,
  options: LoadCheckpointOptions,
  parse: () => Promise<StateDict>,
): Promise<StateDict> {
  const hit = await lookupCache(src, dir, options);
  if (hit) return hit;
  const path = join(dir, `${await cacheKey(src, options)}.safetensors`);
  const sd = await parse();
  try {
    await mkdir(dir, { recursive: true });
    const dt = options.cacheDType ?? 'keep';
    await saveSafetensorsFile(
      path,
      dt === 'float32' ? asFloat32(sd) : sd,
      { [META_FORMAT]: sd.format, [META_EXTRAS]: JSON.stringify(sd.extras), [META_SOURCE]: src.label },
      { fp16: dt === 'float16' },
    );
  } catch (e) {
    if (e instanceof DifbfsrError && e.code !== 'IO') throw e;
    throw new DifbfsrError('IO', `Could not write the weight cache entry ${path}: ${(e as Error).message}`, { cause: e });
  }
  return openCached(path, src.label, false);
}

/** View every tensor of `sd` as float32. */
function asFloat32(sd: StateDict): Map<string, TensorEntry> {
  return new Map(
    sd.names().map((n): [string, TensorEntry] => {
      const e = sd.get(n);
      const toFloat32 = (): Float32Array => e.toFloat32();
      const bytes = (): Uint8Array => {
        const f = e.toFloat32();
        return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
      };
      return [n, { name: n, dtype: 'float32', shape: e.shape, size: e.size, byteLength: e.size * 4, toFloat32, bytes }];
    }),
  );
}
