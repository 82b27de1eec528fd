import { describe, expect, it } from 'vitest';
import { descriptorDistance, landmarkNme, notSamePersonShare, SAME_PERSON_MAX_DISTANCE, type LandmarkPoint } from '@difbfsr/eval';
import { errorOf } from '../../../test-utils/plain-backend.js';

/** 68 points on a circle of radius 10, outer eye corners (36, 45) 20 px apart on the x axis. */
function shape(): LandmarkPoint[] {
  const pts = Array.from({ length: 68 }, (_, i) => ({ x: 10 * Math.cos(i), y: 10 * Math.sin(i) }));
  pts[36] = { x: -10, y: 0 };
  pts[45] = { x: 10, y: 0 };
  return pts;
}

describe('landmark NME', () => {
  it('is the mean point error over the inter-ocular distance', () => {
    const ref = shape();
    expect(landmarkNme(ref, ref)).toBe(0);
    // Every point moved by (3, 4): error 5 everywhere, inter-ocular distance 20.
    expect(landmarkNme(ref.map((p) => ({ x: p.x + 3, y: p.y + 4 })), ref)).toBeCloseTo(5 / 20, 14);
    // One point moved by 68: mean error 1.
    const one = ref.map((p, i) => (i === 10 ? { x: p.x + 68, y: p.y } : p));
    expect(landmarkNme(one, ref)).toBeCloseTo(1 / 20, 14);
    // Scaling everything (both sets) leaves it unchanged.
    const s = (ps: LandmarkPoint[]) => ps.map((p) => ({ x: 3 * p.x, y: 3 * p.y }));
    expect(landmarkNme(s(one), s(ref))).toBeCloseTo(1 / 20, 14);
  });

  it('refuses wrong counts, non-finite points and coincident eye corners', () => {
    const ref = shape();
    expect(errorOf(() => landmarkNme(ref.slice(1), ref)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => landmarkNme(ref.map((p, i) => (i ? p : { x: NaN, y: 0 })), ref)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => landmarkNme(ref, ref.map((p, i) => (i === 45 ? ref[36] : p)))).code).toBe('INVALID_INPUT');
  });
});

describe('identity verification', () => {
  it('measures Euclidean descriptor distances and the share at or beyond the 0.6 threshold', () => {
    expect(descriptorDistance([0, 0, 0], [1, 2, 2])).toBe(3);
    expect(SAME_PERSON_MAX_DISTANCE).toBe(0.6);
    expect(notSamePersonShare([0.1, 0.59, 0.6, 0.9])).toBe(0.5);
    expect(notSamePersonShare([0.1, 0.3], 0.2)).toBe(0.5);
    expect(errorOf(() => notSamePersonShare([])).code).toBe('INVALID_INPUT');
    expect(errorOf(() => descriptorDistance([1], [1, 2])).code).toBe('INVALID_INPUT');
  });
});
