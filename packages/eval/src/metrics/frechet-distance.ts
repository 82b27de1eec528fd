import { DifbfsrError } from '@difbfsr/core';
import { symmetricEigen, symmetricFunction } from '@difbfsr/core';

/** Mean and covariance of a set of vectors (a multivariate Gaussian fit). */
export interface GaussianFit {
  readonly dim: number;
  readonly mean: Float64Array;
  /** Row-major `dim x dim`. */
  readonly covariance: Float64Array;
}

/**
 * Sample mean and unbiased covariance (`1 / (n - 1)`, as `numpy.cov` and FID implementations) of
 * `n >= 2` vectors of one length.
 * @throws DifbfsrError `INVALID_INPUT` for fewer than two vectors, vectors of different lengths, or non-finite values.
 */
export function gaussianFit(vectors: readonly ArrayLike<number>[]): GaussianFit {
  if (vectors.length < 2) throw new DifbfsrError('INVALID_INPUT', `a covariance needs at least 2 vectors, got ${vectors.length}`);
  const dim = vectors[0].length;
  const mean = new Float64Array(dim);
  for (const [i, x] of vectors.entries()) {
    if (x.length !== dim) throw new DifbfsrError('INVALID_INPUT', `vector ${i} has length ${x.length}, vector 0 has ${dim}`);
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(x[j])) throw new DifbfsrError('INVALID_INPUT', `vector ${i} has a non-finite value at ${j}`);
      mean[j] += x[j] / vectors.length;
    }
  }
  const covariance = new Float64Array(dim * dim);
  const d = new Float64Array(dim);
  for (const x of vectors) {
    for (let j = 0; j < dim; j++) d[j] = x[j] - mean[j];
    for (let j = 0; j < dim; j++) for (let k = j; k < dim; k++) covariance[j * dim + k] += d[j] * d[k];
  }
  for (let j = 0; j < dim; j++)
    for (let k = j; k < dim; k++) {
      covariance[j * dim + k] /= vectors.length - 1;
      covariance[k * dim + j] = covariance[j * dim + k];
    }
  return { dim, mean, covariance };
}

/**
 * Squared Fréchet (2-Wasserstein) distance between two Gaussians, the quantity FID reports:
 * `|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2)`. The last trace equals
 * FID's `tr sqrtm(S_a S_b)`, computed here from two symmetric eigen-decompositions (stable for the
 * singular covariances of fewer samples than dimensions). Negative round-off eigenvalues count as 0.
 * @throws DifbfsrError `INVALID_INPUT` for fits of different dimensions.
 */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  if (a.dim !== b.dim) throw new DifbfsrError('INVALID_INPUT', `Fréchet distance of Gaussians of dimensions ${a.dim} and ${b.dim}`);
  const n = a.dim;
  let meanTerm = 0;
  let traces = 0;
  for (let i = 0; i < n; i++) {
    meanTerm += (a.mean[i] - b.mean[i]) ** 2;
    traces += a.covariance[i * n + i] + b.covariance[i * n + i];
  }
  const rootA = symmetricFunction(symmetricEigen(a.covariance, n), (x) => Math.sqrt(Math.max(x, 0)));
  const inner = multiply(multiply(rootA, b.covariance, n), rootA, n);
  const crossTrace = symmetricEigen(symmetrize(inner, n), n).values.reduce((s, x) => s + Math.sqrt(Math.max(x, 0)), 0);
  return Math.max(0, meanTerm + traces - 2 * crossTrace);
}

/**
 * Fréchet distance between the Gaussian fits of two sets of vectors (e.g. face descriptors of
 * restored faces and of clean faces).
 */
export function setFrechetDistance(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  return frechetDistance(gaussianFit(a), gaussianFit(b));
}

function multiply(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k];
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += xik * y[k * n + j];
    }
  return out;
}

function symmetrize(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (x[i * n + j] + x[j * n + i]) / 2;
  return out;
}
