import { DifbfsrError } from '@difbfsr/core';

/**
 * Descriptor distance above which a face verifier on these descriptors says "not the same person":
 * dlib's threshold for its ResNet face recogniser (99.38% on LFW at distance < 0.6), also face-api's
 * `FaceMatcher` default.
 */
export const SAME_PERSON_MAX_DISTANCE = 0.6;

/**
 * Euclidean distance `|a - b|` of two descriptors, the distance the verifier thresholds.
 * @throws DifbfsrError `INVALID_INPUT` for vectors of different lengths.
 */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DifbfsrError('INVALID_INPUT', `descriptor distance of vectors of lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Share (0..1) of output-vs-clean descriptor distances at or above `threshold`: the faces a
 * verifier would call a different person.
 * @throws DifbfsrError `INVALID_INPUT` for an empty list.
 */
export function notSamePersonShare(distances: readonly number[], threshold = SAME_PERSON_MAX_DISTANCE): number {
  if (distances.length === 0) throw new DifbfsrError('INVALID_INPUT', 'share of an empty list of distances');
  return distances.filter((d) => d >= threshold).length / distances.length;
}
