import { DifbfsrError } from '@difbfsr/core';

/** A 2-D point in image pixels. */
export interface LandmarkPoint {
  readonly x: number;
  readonly y: number;
}

/** Outer eye corners of the 68-point (iBUG 300-W) layout: the inter-ocular distance of 300-W's NME. */
const OUTER_EYE_CORNERS = [36, 45] as const;

/**
 * Normalised mean error of 68 landmarks against reference ones (300-W's NME): the mean Euclidean
 * distance between corresponding points over the reference's inter-ocular distance (outer eye
 * corners, points 36 and 45).
 * @throws DifbfsrError `INVALID_INPUT` unless both have 68 finite points and the reference's eye corners differ.
 */
export function landmarkNme(points: readonly LandmarkPoint[], reference: readonly LandmarkPoint[]): number {
  for (const [what, p] of [['landmarks', points], ['reference landmarks', reference]] as const) {
    if (p.length !== 68) throw new DifbfsrError('INVALID_INPUT', `${what}: NME needs 68 points, got ${p.length}`);
    if (!p.every((q) => Number.isFinite(q.x) && Number.isFinite(q.y))) throw new DifbfsrError('INVALID_INPUT', `${what} hold a non-finite coordinate`);
  }
  const [l, r] = OUTER_EYE_CORNERS;
  const interOcular = Math.hypot(reference[l].x - reference[r].x, reference[l].y - reference[r].y);
  if (interOcular === 0) throw new DifbfsrError('INVALID_INPUT', 'reference landmarks have both outer eye corners at one point');
  let sum = 0;
  for (let i = 0; i < 68; i++) sum += Math.hypot(points[i].x - reference[i].x, points[i].y - reference[i].y);
  return sum / 68 / interOcular;
}
