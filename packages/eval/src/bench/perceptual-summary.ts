import { setFrechetDistance } from '../metrics/frechet-distance.js';
import { notSamePersonShare } from '../metrics/identity-verification.js';
import type { QualityRecord } from './quality-record.js';

/** Means of the perceptual metrics over a method's items; `null` where some record lacks the metric. */
export interface PerceptualSummary {
  /** Share of items a face verifier calls another person (descriptor distance >= 0.6). */
  readonly notSamePerson: number | null;
  /** Mean 68-landmark NME against the clean faces. */
  readonly landmarkNme: number | null;
  /** Mean LPIPS-type distance on the face recogniser's features. */
  readonly faceFeatureDistance: number | null;
  /** Mean NIQE (null for faces under 96 px). */
  readonly niqe: number | null;
  /**
   * Fréchet distance between the Gaussian fits of the outputs' descriptors and of the distinct
   * clean faces' descriptors ("FID" on face descriptors); only over all cases (`null` otherwise).
   */
  readonly descriptorFrechet: number | null;
}

/** Mean of a field over the records, or `null` when any record lacks it (or holds `null`). */
function meanOf(rs: readonly QualityRecord[], get: (r: QualityRecord) => number | null | undefined): number | null {
  const values = rs.map(get);
  if (values.length === 0 || values.some((v) => v === null || v === undefined)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

/** Fréchet distance of the outputs' descriptors to their distinct clean faces' (two or more of each needed). */
function descriptorFrechet(rs: readonly QualityRecord[]): number | null {
  if (rs.some((r) => !r.descriptor || !r.cleanDescriptor)) return null;
  const clean = new Map(rs.map((r) => [r.face, r.cleanDescriptor!]));
  if (rs.length < 2 || clean.size < 2) return null;
  return setFrechetDistance(rs.map((r) => r.descriptor!), [...clean.values()]);
}

/** The perceptual metrics of one method over a set of items; the Fréchet distance only when asked. */
export function perceptualSummary(rs: readonly QualityRecord[], withFrechet: boolean): PerceptualSummary {
  const distances = rs.map((r) => r.identityDistance);
  return {
    notSamePerson: rs.length > 0 && distances.every((d) => d !== undefined) ? notSamePersonShare(distances as number[]) : null,
    landmarkNme: meanOf(rs, (r) => r.landmarkNme),
    faceFeatureDistance: meanOf(rs, (r) => r.faceFeatureDistance),
    niqe: meanOf(rs, (r) => r.niqe),
    descriptorFrechet: withFrechet ? descriptorFrechet(rs) : null,
  };
}
