import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { degradationMatrix, GaussianFaceModel, SeededRandom, type GaussianFaceModelData } from '@difbfsr/core';
import { GaussianPosterior } from '../src/gaussian/gaussian-posterior.js';
import { noiseCovarianceOf } from '../src/degradation/degradation-operator.js';
import { ObservedGaussianModel } from '../src/gaussian/observed-gaussian-model.js';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';
import { syntheticGaussianModel } from './gaussian-fixtures.js';

// Independent dense references: full matrices and Gaussian elimination, nothing shared with the
// low-rank / Woodbury implementation under test.
type Mat = number[][];
const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: Mat): Mat => a[0].map((_, j) => a.map((row) => row[j]));
const matvec = (a: Mat, v: number[]): number[] => a.map((row) => row.reduce((s, x, k) => s + x * v[k], 0));
function solve(a: Mat, b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

function denseCovariance(d: GaussianFaceModelData, a: Float64Array, c: number): Mat {
  const dim = d.mean.length;
  const cov: Mat = Array.from({ length: dim }, (_, i) => Array.from({ length: dim }, (_, j) => (i === j ? c : 0)));
  for (let k = 0; k < a.length; k++)
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) cov[i][j] += a[k] * d.eigenvectors[k * dim + i] * d.eigenvectors[k * dim + j];
  return cov;
}

/** D = A (x) A (x) I3 on HWC-flattened images. */
function denseOperator(a: { rows: number; cols: number; data: Float64Array }): Mat {
  const out: Mat = [];
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.rows; j++)
      for (let ch = 0; ch < 3; ch++) {
        const row = new Array(a.cols * a.cols * 3).fill(0);
        for (let h = 0; h < a.cols; h++) for (let w = 0; w < a.cols; w++) row[(h * a.cols + w) * 3 + ch] = a.data[i * a.cols + h] * a.data[j * a.cols + w];
        out.push(row);
      }
  return out;
}

describe('Gaussian face model: exact posterior in LR space', () => {
  beforeAll(() => usePlainBackend('cpu'));
  const data = syntheticGaussianModel();
  const a1 = degradationMatrix(8, 4, 1.2);
  const s2 = 0.05 ** 2;

  /** The dense posterior; `noise` is a 3x3 colour covariance (row-major) shared by the LR pixels. */
  function reference(model: GaussianFaceModel, y: number[], noise: ArrayLike<number> = [s2, 0, 0, 0, s2, 0, 0, 0, s2]) {
    const { a, c } = model.priorCovariance();
    const cov = denseCovariance(data, a, c);
    const d = denseOperator(a1);
    const dc = matmul(d, cov);
    const m = matmul(dc, transpose(d)).map((row, i) => row.map((v, j) => v + (Math.floor(i / 3) === Math.floor(j / 3) ? noise[(i % 3) * 3 + (j % 3)] : 0)));
    const mu = Array.from(data.mean);
    const res = y.map((v, i) => v - matvec(d, mu)[i]);
    const mean = mu.map((v, p) => v + matvec(transpose(dc), solve(m, res))[p]);
    const std = mu.map((_, p) => {
      const col = dc.map((row) => row[p]);
      return Math.sqrt(cov[p][p] - col.reduce((s, v, i) => s + v * solve(m, col)[i], 0));
    });
    return { mean, std };
  }

  it('the posterior mean and standard deviation equal the dense formulas', () => {
    const model = new GaussianFaceModel(data);
    const before = tf.memory().numTensors;
    const view = new ObservedGaussianModel(model, a1);
    const post = new GaussianPosterior(view, model.priorCovariance(), s2);
    const y = Array.from(new SeededRandom(3).normalArray(12), (v) => 0.5 * v);
    const ref = reference(model, y);
    const mean = post.mean(Float64Array.from(data.mean), Float64Array.from(y));
    const std = post.std();
    expect(tf.memory().numTensors).toBe(before);
    let errMean = 0;
    let errStd = 0;
    for (let p = 0; p < mean.length; p++) {
      errMean = Math.max(errMean, Math.abs(mean[p] - ref.mean[p]));
      errStd = Math.max(errStd, Math.abs(std[p] - ref.std[p]));
    }
    expect(errMean).toBeLessThan(2e-6); // the basis is projected through D in float32 (tfjs)
    expect(errStd).toBeLessThan(1e-4); // float32 products
    model.dispose();
  });

  it('a colour noise covariance (luma and chroma levels) gives the dense formulas too', () => {
    const model = new GaussianFaceModel(data);
    const noise = noiseCovarianceOf({ blur: 1.2, noise: 4, chroma: 15 });
    const post = new GaussianPosterior(new ObservedGaussianModel(model, a1), model.priorCovariance(), noise);
    const y = Array.from(new SeededRandom(6).normalArray(12), (v) => 0.5 * v);
    const ref = reference(model, y, noise);
    const mean = post.mean(Float64Array.from(data.mean), Float64Array.from(y));
    const std = post.std();
    for (let p = 0; p < mean.length; p++) {
      expect(Math.abs(mean[p] - ref.mean[p])).toBeLessThan(2e-6);
      expect(Math.abs(std[p] - ref.std[p])).toBeLessThan(1e-4);
    }
    // Luma and chroma levels differ: the covariance is not white.
    expect(Math.abs(noise[1])).toBeGreaterThan(1e-5);
    model.dispose();
  });

  it('posterior samples converge to that mean and standard deviation', () => {
    const model = new GaussianFaceModel(data);
    const view = new ObservedGaussianModel(model, a1);
    const post = new GaussianPosterior(view, model.priorCovariance(), s2);
    const y = Float64Array.from(new SeededRandom(4).normalArray(12), (v) => 0.5 * v);
    const ref = reference(model, Array.from(y));
    const n = 3000;
    const rng = new SeededRandom(9);
    const sum = new Float64Array(192);
    const sq = new Float64Array(192);
    // Half one at a time, half batched: both must follow the exact posterior.
    const draws = [
      ...Array.from({ length: n / 2 }, () => post.sample(Float64Array.from(data.mean), y, rng)),
      ...post.sampleMany(new Array<Float64Array>(n / 2).fill(Float64Array.from(data.mean)), y, rng),
    ];
    for (const x of draws) {
      for (let p = 0; p < 192; p++) {
        sum[p] += x[p];
        sq[p] += x[p] * x[p];
      }
    }
    for (let p = 0; p < 192; p++) {
      const m = sum[p] / n;
      const sd = Math.sqrt(sq[p] / n - m * m);
      // 5 standard errors of the mean, and of the standard deviation (sd / sqrt(2n)).
      expect(Math.abs(m - ref.mean[p])).toBeLessThan((5 * ref.std[p]) / Math.sqrt(n));
      expect(Math.abs(sd - ref.std[p])).toBeLessThan((5 * ref.std[p]) / Math.sqrt(2 * n));
    }
    model.dispose();
  });

  it("the model's epsilon prediction is Tweedie's formula for N(mean, C)", () => {
    const model = new GaussianFaceModel(data);
    const { a, c } = model.priorCovariance();
    const cov = denseCovariance(data, a, c);
    const t = 300;
    let ab = 1;
    for (let i = 0; i <= t; i++) ab *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / 999);
    const xt = Array.from(new SeededRandom(5).normalArray(192));
    const s2t = (1 - ab) / ab;
    const z = xt.map((v, p) => v / Math.sqrt(ab) - data.mean[p]);
    const shrunk = matvec(cov, solve(cov.map((row, i) => row.map((v, j) => v + (i === j ? s2t : 0))), z));
    const epsRef = xt.map((v, p) => (v - Math.sqrt(ab) * (data.mean[p] + shrunk[p])) / Math.sqrt(1 - ab));
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(xt, [1, 8, 8, 3]);
    const out = model.predict(x, [t]);
    const eps = out.eps.dataSync();
    x.dispose();
    out.eps.dispose();
    expect(tf.memory().numTensors).toBe(before);
    let err = 0;
    for (let p = 0; p < 192; p++) err = Math.max(err, Math.abs(eps[p] - epsRef[p]));
    expect(err).toBeLessThan(1e-4);
    model.dispose();
  });

  it('inconsistent model arrays are refused with a typed error', () => {
    expect(() => new GaussianFaceModel({ ...data, mean: new Float32Array(5) })).toThrow(/mean has 5 values/);
    expect(() => new GaussianFaceModel({ ...data, remainder: 10 })).toThrow(/eigenvalues must descend/);
  });
});
