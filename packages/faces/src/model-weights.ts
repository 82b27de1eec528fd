import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/** One weights manifest group of a tfjs model. */
interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Where face-api's `model/` folder is: a directory path or `file:` URL (Node), or an http(s) URL (browsers). */
export type ModelLocation = string | URL;

function isRemote(location: ModelLocation): boolean {
  const href = location instanceof URL ? location.href : location;
  return /^(https?|blob|data):/i.test(href) || (typeof process === 'undefined' && !href.startsWith('file:'));
}

function join(location: ModelLocation, file: string): string | URL {
  if (location instanceof URL) return new URL(file, location.href.endsWith('/') ? location : `${location.href}/`);
  if (isRemote(location) || location.startsWith('file:')) return new URL(file, location.endsWith('/') ? location : `${location}/`);
  return `${location.replace(/[\\/]+$/, '')}/${file}`;
}

async function readBytes(location: ModelLocation, file: string): Promise<ArrayBuffer> {
  const where = join(location, file);
  try {
    if (isRemote(location)) {
      const res = await fetch(where);
      if (!res.ok) throw new DifbfsrError('IO', `HTTP ${res.status}`);
      return await res.arrayBuffer();
    }
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(where);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } catch (e) {
    throw new DifbfsrError('IO', `Could not read face model file ${String(where)}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The face-api model folder inside the installed `@vladmandic/face-api` package (Node only; in
 * browsers serve that folder as a static asset and pass its URL).
 */
export async function installedModelLocation(): Promise<string> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new DifbfsrError('INVALID_OPTION', "In browsers pass modelUrl: the URL where node_modules/@vladmandic/face-api/model/ is served");
  }
  const { createRequire } = await import('node:module');
  const { dirname, join: joinPath } = await import('node:path');
  const require = createRequire((import.meta as { url?: string }).url ?? __filename);
  return joinPath(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** Read a tfjs weights manifest (`<name>-weights_manifest.json`) and its shards into named tensors. */
export async function loadWeightMap(location: ModelLocation, name: string): Promise<tf.NamedTensorMap> {
  const manifest = JSON.parse(new TextDecoder().decode(await readBytes(location, `${name}-weights_manifest.json`))) as ManifestGroup[];
  const shards = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readBytes(location, p)));
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    joined.set(new Uint8Array(s), at);
    at += s.byteLength;
  }
  return tf.io.decodeWeights(joined.buffer, manifest.flatMap((g) => g.weights));
}
