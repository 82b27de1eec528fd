import { DifbfsrError } from '@difbfsr/core';
import type { RgbImage } from '../image.js';
import type { FaceRecognizer } from './face-recognizer.js';

/**
 * Cosine similarity `a.b / (|a| |b|)` of two vectors.
 * @throws DifbfsrError `INVALID_INPUT` for vectors of different lengths or a zero vector.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DifbfsrError('INVALID_INPUT', `cosine similarity of vectors of lengths ${a.length} and ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 || bb === 0) throw new DifbfsrError('INVALID_INPUT', 'cosine similarity of a zero vector');
  return ab / Math.sqrt(aa * bb);
}

/**
 * Identity similarity of each output to the ground truth: the cosine similarity of their face
 * recognition descriptors (one batch through the recogniser).
 */
export function identitySimilarities(recognizer: FaceRecognizer, truth: RgbImage, outputs: readonly RgbImage[]): number[] {
  const [t, ...rest] = recognizer.embed([truth, ...outputs]);
  return rest.map((d) => cosineSimilarity(t, d));
}
