import { describe, expect, it } from 'vitest';
import { CHI2_3_P99, colourCastStats, gaussianNoise, meanColours, type RgbImage } from '@difbfsr/eval';
import { errorOf } from '../../../test-utils/plain-backend.js';

/**
 * `n` 2x2 images whose mean colours are Gaussian: mean `mu`, covariance `L L^T` with the lower
 * triangular `l` (row-major 3x3); the four pixels spread around the mean without moving it.
 */
function images(n: number, mu: number[], l: number[], seed: number): RgbImage[] {
  const g = gaussianNoise(3 * n, 1, seed);
  return Array.from({ length: n }, (_, i) => {
    const m = [0, 1, 2].map((r) => mu[r] + l[r * 3] * g[3 * i] + l[r * 3 + 1] * g[3 * i + 1] + l[r * 3 + 2] * g[3 * i + 2]);
    // Pixels m - 4, m + 4, m - 2, m + 2 per channel: the mean is m (stored as floats rounded below).
    const data = new Uint8Array(12);
    [-4, 4, -2, 2].forEach((o, p) => m.forEach((v, c) => (data[p * 3 + c] = Math.round(v) + o)));
    return { width: 2, height: 2, data };
  });
}

const L = [12, 0, 0, 8, 6, 0, 5, 3, 4]; // a correlated spread, as faces' mean colours are

describe('colourCastStats', () => {
  it('reads each image\'s mean colour', () => {
    const [m] = meanColours([{ width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 30, 40, 50]) }]);
    expect(Array.from(m)).toEqual([20, 30, 40]);
  });

  it('finds no cast in images of the reference distribution: small distance, about 1% outside the 99% ellipsoid', () => {
    const ref = images(4000, [150, 110, 90], L, 1);
    const same = images(4000, [150, 110, 90], L, 2);
    const s = colourCastStats(same, ref);
    expect(s.frechet).toBeLessThan(2); // sampling error of two 4000-image fits (the spread's trace is about 290)
    expect(s.outsideShare).toBeGreaterThan(0.005);
    expect(s.outsideShare).toBeLessThan(0.016);
    s.meanRgb.forEach((v, c) => expect(Math.abs(v - s.referenceMeanRgb[c])).toBeLessThan(1));
  });

  it('measures a cast: the distance grows by the squared shift, and most images leave the ellipsoid', () => {
    const ref = images(4000, [150, 110, 90], L, 1);
    const blue = images(4000, [150 - 20, 110, 90 + 25], L, 3);
    const s = colourCastStats(blue, ref);
    expect(s.frechet).toBeGreaterThan(20 ** 2 + 25 ** 2 - 30);
    expect(s.frechet).toBeLessThan(20 ** 2 + 25 ** 2 + 30);
    expect(s.outsideShare).toBeGreaterThan(0.5);
    expect(CHI2_3_P99).toBeCloseTo(11.345, 3);
  });

  it('refuses a reference without spread and too few images', () => {
    const flat = Array.from({ length: 5 }, () => ({ width: 1, height: 1, data: Uint8Array.from([100, 100, 100]) }));
    expect(errorOf(() => colourCastStats(flat, flat))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/no spread/) });
    expect(errorOf(() => colourCastStats(flat.slice(0, 1), images(10, [1, 2, 3], L, 1)))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
