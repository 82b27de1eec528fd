import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/** The folder of `@vladmandic/face-api`'s bundled models (inside its npm package, no download). */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

const MANIFEST = 'face_recognition_model-weights_manifest.json';

/**
 * Read face-api's face recognition weights (a tfjs weights manifest and its `.bin` shards,
 * uint8-quantised) from `modelDir` and decode them into tensors on the active backend.
 * @throws DifbfsrError `IO` when a file cannot be read, `CHECKPOINT_FORMAT` when the manifest is not one.
 */
export function loadFaceRecognitionWeights(modelDir: string = faceApiModelDir()): tf.NamedTensorMap {
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(modelDir, file));
    } catch (e) {
      throw new DifbfsrError('IO', `cannot read face recognition weights ${join(modelDir, file)}: ${(e as Error).message}`, { cause: e });
    }
  };
  let groups: tf.io.WeightsManifestConfig;
  try {
    groups = JSON.parse(read(MANIFEST).toString('utf8')) as tf.io.WeightsManifestConfig;
  } catch (e) {
    if (e instanceof DifbfsrError) throw e;
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${join(modelDir, MANIFEST)} is not a tfjs weights manifest`, { cause: e });
  }
  if (!Array.isArray(groups)) throw new DifbfsrError('CHECKPOINT_FORMAT', `${join(modelDir, MANIFEST)} is not a tfjs weights manifest`);
  const tensors: tf.NamedTensorMap = {};
  for (const group of groups) {
    const bytes = Buffer.concat(group.paths.map(read));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    Object.assign(tensors, tf.io.decodeWeights(buffer, group.weights));
  }
  return tensors;
}
