import { describe, expect, it } from 'vitest';
import {
  frechetDistance,
  gaussianFit,
  gaussianNoise,
  setFrechetDistance,
  type GaussianFit,
} from '@difbfsr/eval';
import { symmetricEigen, symmetricPseudoInverse } from '@difbfsr/core';
import { errorOf } from '../../../test-utils/plain-backend.js';

const fit = (mean: number[], covariance: number[]): GaussianFit => ({ dim: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(covariance) });

/** A seeded random symmetric n x n matrix. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const g = gaussianNoise(n * n, 1, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
  return a;
}

function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('symmetric eigen-decomposition', () => {
  it('satisfies A V = V diag(values) with orthonormal V', () => {
    const n = 40;
    const a = randomSymmetric(n, 3);
    const { values, vectors } = symmetricEigen(a, n);
    const av = matmul(a, vectors, n);
    const vl = vectors.map((v, i) => v * values[i % n]);
    expect(maxDiff(av, vl)).toBeLessThan(1e-10);
    const vt = new Float64Array(n * n).map((_, i) => vectors[(i % n) * n + Math.floor(i / n)]);
    expect(maxDiff(matmul(vt, vectors, n), new Float64Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0)))).toBeLessThan(1e-12);
  });

  it('pseudo-inverts a singular matrix: A A+ A = A, A+ A A+ = A+', () => {
    // Rank 2 in 3-D: u u^T + 2 w w^T.
    const u = [1, 2, 3];
    const w = [0, 1, -1];
    const a = new Float64Array(9).map((_, i) => u[Math.floor(i / 3)] * u[i % 3] + 2 * w[Math.floor(i / 3)] * w[i % 3]);
    const p = symmetricPseudoInverse(a, 3);
    expect(maxDiff(matmul(matmul(a, p, 3), a, 3), a)).toBeLessThan(1e-12);
    expect(maxDiff(matmul(matmul(p, a, 3), p, 3), p)).toBeLessThan(1e-12);
  });
});

describe('Fréchet distance', () => {
  it('equals the closed form for diagonal Gaussians: |dm|^2 + sum (sqrt(a) - sqrt(b))^2', () => {
    const a = fit([0, 1, 2], [4, 0, 0, 0, 1, 0, 0, 0, 9]);
    const b = fit([1, 1, 0], [1, 0, 0, 0, 1, 0, 0, 0, 16]);
    expect(frechetDistance(a, b)).toBeCloseTo(1 + 4 + (2 - 1) ** 2 + 0 + (3 - 4) ** 2, 12);
    expect(frechetDistance(a, a)).toBeCloseTo(0, 12);
  });

  it('equals the closed form for non-commuting 2x2 covariances', () => {
    // tr sqrt(A^1/2 B A^1/2) = sqrt(tr(AB) + 2 sqrt(det A det B)) for 2x2 positive definite A, B.
    const A = [2, 1, 1, 2];
    const B = [1, -0.5, -0.5, 3];
    const trAB = A[0] * B[0] + A[1] * B[2] + A[2] * B[1] + A[3] * B[3];
    const det = (m: number[]) => m[0] * m[3] - m[1] * m[2];
    const cross = Math.sqrt(trAB + 2 * Math.sqrt(det(A) * det(B)));
    const expected = 0.5 ** 2 + 2 ** 2 + (A[0] + A[3]) + (B[0] + B[3]) - 2 * cross;
    expect(frechetDistance(fit([0, 0], A), fit([0.5, -2], B))).toBeCloseTo(expected, 12);
    expect(frechetDistance(fit([0.5, -2], B), fit([0, 0], A))).toBeCloseTo(expected, 12);
  });

  it('of samples from two Gaussians converges to the closed form', () => {
    // x ~ N(0, diag(1, 4, 9)), y ~ N((1, 0, 0), diag(4, 4, 1)): distance 1 + (1 - 2)^2 + 0 + (3 - 1)^2 = 6.
    const n = 50_000;
    const g = gaussianNoise(6 * n, 1, 11);
    const xs = Array.from({ length: n }, (_, i) => [g[3 * i], 2 * g[3 * i + 1], 3 * g[3 * i + 2]]);
    const ys = Array.from({ length: n }, (_, i) => [1 + 2 * g[3 * n + 3 * i], 2 * g[3 * n + 3 * i + 1], g[3 * n + 3 * i + 2]]);
    expect(Math.abs(setFrechetDistance(xs, ys) - 6)).toBeLessThan(0.1);
    const f = gaussianFit(xs);
    expect(f.covariance[4]).toBeCloseTo(4, 1);
  });

  it('stays finite and non-negative with fewer samples than dimensions, and is 0 for one set against itself', () => {
    const g = gaussianNoise(20 * 128, 1, 5);
    const set = Array.from({ length: 20 }, (_, i) => g.subarray(i * 128, (i + 1) * 128));
    expect(setFrechetDistance(set, set)).toBeLessThan(1e-8);
    const other = set.map((v) => v.map((x) => 1.5 * x + 0.1));
    const d = setFrechetDistance(set, other);
    expect(d).toBeGreaterThan(0);
    // Scaling one set by s about a zero mean moves the distance by (s - 1)^2 tr(S) + |shift|^2 exactly.
    const fx = gaussianFit(set);
    let trace = 0;
    for (let i = 0; i < 128; i++) trace += fx.covariance[i * 129];
    let shift = 0;
    for (let i = 0; i < 128; i++) shift += (0.5 * fx.mean[i] + 0.1) ** 2;
    // (Within 1e-6 relative: the 108 zero eigenvalues of the rank-19 product come back as round-off, whose roots add up.)
    expect(Math.abs(d / (0.25 * trace + shift) - 1)).toBeLessThan(1e-6);
  });

  it('refuses sets it cannot fit', () => {
    expect(errorOf(() => gaussianFit([[1, 2]])).code).toBe('INVALID_INPUT');
    expect(errorOf(() => gaussianFit([[1, 2], [1]])).code).toBe('INVALID_INPUT');
    expect(errorOf(() => gaussianFit([[1, NaN], [1, 2]])).code).toBe('INVALID_INPUT');
    expect(errorOf(() => frechetDistance(fit([0], [1]), fit([0, 0], [1, 0, 0, 1]))).code).toBe('INVALID_INPUT');
  });
});
