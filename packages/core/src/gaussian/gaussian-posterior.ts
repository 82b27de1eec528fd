import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { cholesky, choleskySolve } from '../linalg/cholesky.js';
import type { SeededRandom } from '../util/seeded-random.js';
import type { LowRankCovariance } from './gaussian-face-model.js';
import type { ObservedGaussianModel } from './observed-gaussian-model.js';

/**
 * The exact posterior of `x ~ N(m, Sigma)` given `y = D x + n`, `n ~ N(0, s^2 I)`, for a covariance
 * of the model's form `Sigma = U diag(a) U^T + c I`:
 * mean `m + Sigma D^T M^-1 (y - D m)` with `M = D Sigma D^T + s^2 I`.
 *
 * All algebra is in LR space and the model's rank: in the rotated basis of
 * {@link ObservedGaussianModel}, `M = K + W W^T` with `K = c diag(spectrum) + s^2 I` diagonal and
 * `W = V^T diag(sqrt(a))`, so by Woodbury only the `rank x rank` matrix `H = I + W^T K^-1 W` is
 * factorised (never a 12288 x 12288 one). The prior mean `m` is free per call, so the same
 * factorisation serves the closed-form restorer (`m` = the face mean) and a diffusion chain's
 * data step (`m` = the prior's `x0` estimate, `Sigma` = the covariance of `x0` given `x_t`).
 */
export class GaussianPosterior {
  private readonly k: Float64Array;
  private readonly sqrtA: Float64Array;
  private readonly chol: Float64Array;

  /**
   * @param noiseVariance `s^2` in [-1, 1] units (`(2 noise / 255)^2` for a noise level on the 0..255 scale).
   * @throws DifbfsrError `INVALID_OPTION` for a negative or non-finite noise variance.
   */
  /**
   * @param precision of the `rank x rank` product `H`: `'float64'` (default; plain JavaScript) or
   *   `'float32'` (a tfjs matrix product, several times faster at rank 512, for a diffusion chain's
   *   per-step posteriors where `H` is well conditioned).
   */
  constructor(
    readonly view: ObservedGaussianModel,
    readonly covariance: LowRankCovariance,
    readonly noiseVariance: number,
    precision: 'float64' | 'float32' = 'float64',
  ) {
    if (!(Number.isFinite(noiseVariance) && noiseVariance >= 0)) {
      throw new DifbfsrError('INVALID_OPTION', `noise variance must be a finite number >= 0, got ${noiseVariance}`);
    }
    const { a, c } = covariance;
    this.k = view.spectrum.map((e) => c * e + noiseVariance);
    this.sqrtA = a.map(Math.sqrt);
    this.chol = cholesky(this.woodburyCore(precision), a.length);
  }

  /** `H = I + diag(sqrt(a)) V K^-1 V^T diag(sqrt(a))`, `[rank, rank]`. */
  private woodburyCore(precision: 'float64' | 'float32'): Float64Array {
    const r = this.sqrtA.length;
    const m = this.view.size;
    const v = this.view.basis;
    const scaled = new Float64Array(r * m);
    for (let i = 0; i < r; i++) for (let j = 0; j < m; j++) scaled[i * m + j] = (this.sqrtA[i] * v[i * m + j]) / Math.sqrt(this.k[j]);
    if (precision === 'float32') {
      const product = tf.tidy(() => {
        const s = tf.tensor2d(Float32Array.from(scaled), [r, m]);
        return tf.matMul(s, s, false, true);
      });
      const h = Float64Array.from(product.dataSync());
      product.dispose();
      for (let i = 0; i < r; i++) h[i * r + i] += 1;
      return h;
    }
    const h = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      const ri = i * m;
      for (let l = 0; l <= i; l++) {
        const rl = l * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += scaled[ri + j] * scaled[rl + j];
        h[i * r + l] = s;
        h[l * r + i] = s;
      }
      h[i * r + i] += 1;
    }
    return h;
  }

  /** `M^-1 res` for a rotated LR residual. */
  private solve(res: Float64Array): Float64Array {
    const r = this.sqrtA.length;
    const m = this.view.size;
    const v = this.view.basis;
    const u = res.map((x, j) => x / this.k[j]);
    const z = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += v[i * m + j] * u[j];
      z[i] = this.sqrtA[i] * s;
    }
    const q = choleskySolve(this.chol, r, z).map((x, i) => x * this.sqrtA[i]);
    for (let i = 0; i < r; i++) {
      const qi = q[i];
      if (qi !== 0) for (let j = 0; j < m; j++) u[j] -= (v[i * m + j] * qi) / this.k[j];
    }
    return u;
  }

  /** `Sigma D^T Q w = U (a * (V w)) + c D^T Q w`: an HR image. */
  private gain(w: Float64Array): Float64Array {
    const { a, c } = this.covariance;
    const r = a.length;
    const m = this.view.size;
    const v = this.view.basis;
    const out = this.view.lift(w);
    for (let p = 0; p < out.length; p++) out[p] *= c;
    const vectors = this.view.model.data.eigenvectors;
    const dim = out.length;
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += v[i * m + j] * w[j];
      const coef = a[i] * s;
      if (coef !== 0) for (let p = 0; p < dim; p++) out[p] += coef * vectors[i * dim + p];
    }
    return out;
  }

  /** Check a flattened HR prior mean and an LR observation against the model's sizes. */
  private check(priorMean: Float64Array, y: Float64Array): void {
    const hr = this.view.hrSize * this.view.hrSize * 3;
    if (priorMean.length !== hr || y.length !== this.view.size) {
      throw new DifbfsrError('INVALID_SIZE', `posterior needs a ${hr}-value HR mean and a ${this.view.size}-value LR image; got ${priorMean.length} and ${y.length}`);
    }
  }

  /** The posterior mean for prior mean `priorMean` (HR, HWC-flattened) and observation `y` (LR, HWC-flattened). */
  mean(priorMean: Float64Array, y: Float64Array): Float64Array {
    this.check(priorMean, y);
    const yRot = this.view.rotate(y);
    const dm = this.view.observe(priorMean);
    const g = this.gain(this.solve(yRot.map((v, j) => v - dm[j])));
    return g.map((v, p) => v + priorMean[p]);
  }

  /**
   * One exact posterior sample (Matheron's rule): draw `x' ~ N(m, Sigma)` and `n' ~ N(0, s^2 I)`,
   * return `x' + Sigma D^T M^-1 (y - D x' - n')`.
   */
  sample(priorMean: Float64Array, y: Float64Array, rng: SeededRandom): Float64Array {
    this.check(priorMean, y);
    const { a, c } = this.covariance;
    const dim = priorMean.length;
    const xi = rng.normalArray(a.length);
    const zeta = rng.normalArray(dim);
    const nu = rng.normalArray(this.view.size);
    const vectors = this.view.model.data.eigenvectors;
    const sqrtC = Math.sqrt(c);
    const draw = priorMean.map((m, p) => m + sqrtC * zeta[p]);
    for (let i = 0; i < a.length; i++) {
      const coef = Math.sqrt(a[i]) * xi[i];
      for (let p = 0; p < dim; p++) draw[p] += coef * vectors[i * dim + p];
    }
    const yRot = this.view.rotate(y);
    const dx = this.view.observe(draw);
    const s = Math.sqrt(this.noiseVariance);
    const g = this.gain(this.solve(yRot.map((v, j) => v - dx[j] - s * nu[j])));
    return g.map((v, p) => v + draw[p]);
  }

  /**
   * One posterior sample for each prior mean (the same `y`), the big products batched on tfjs:
   * as {@link sample}, for the chains of a diffusion posterior sampler.
   */
  sampleMany(priorMeans: readonly Float64Array[], y: Float64Array, rng: SeededRandom): Float64Array[] {
    for (const m of priorMeans) this.check(m, y);
    const { a, c } = this.covariance;
    const r = a.length;
    const n = priorMeans.length;
    const dim = priorMeans[0].length;
    const xi = rng.normalArray(n * r);
    for (let i = 0; i < n * r; i++) xi[i] *= this.sqrtA[i % r];
    const zeta = rng.normalArray(n * dim);
    const nu = rng.normalArray(n * this.view.size);
    const sqrtC = Math.sqrt(c);
    const lowRank = this.basisProduct(xi, n);
    const draws = priorMeans.map((m, i) => m.map((v, p) => v + lowRank[i * dim + p] + sqrtC * zeta[i * dim + p]));
    const yRot = this.view.rotate(y);
    const s = Math.sqrt(this.noiseVariance);
    const ws = draws.map((d, i) => {
      const dx = this.view.observe(d);
      return this.solve(yRot.map((v, j) => v - dx[j] - s * nu[i * this.view.size + j]));
    });
    const coefs = new Float64Array(n * r);
    ws.forEach((w, i) => coefs.set(this.project(w).map((v, l) => v * a[l]), i * r));
    const gains = this.basisProduct(coefs, n);
    return draws.map((d, i) => {
      const lifted = this.view.lift(ws[i]);
      return d.map((v, p) => v + gains[i * dim + p] + c * lifted[p]);
    });
  }

  /** `V w` (`[rank]`) for rotated LR coefficients `w`. */
  private project(w: Float64Array): Float64Array {
    const r = this.sqrtA.length;
    const m = this.view.size;
    const v = this.view.basis;
    const out = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += v[i * m + j] * w[j];
      out[i] = s;
    }
    return out;
  }

  /** `coefs U` for `n` rows of `rank` coefficients (a tfjs product): `n` HR images, flattened. */
  private basisProduct(coefs: Float64Array, n: number): Float64Array {
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(coefs), [n, this.sqrtA.length]), this.view.model.basisTensor));
    const values = Float64Array.from(out.dataSync());
    out.dispose();
    return values;
  }

  /**
   * The posterior standard deviation of every HR pixel value, exactly:
   * `diag(Sigma) - diag(B K^-1 B^T) + ||rows of B K^-1 W L^-T||^2` with `B = Sigma D^T Q` and
   * `L L^T = H`. Costs a few `12288 x 768 x rank` products (tfjs).
   */
  std(): Float64Array {
    const { a, c } = this.covariance;
    const r = a.length;
    const m = this.view.size;
    const model = this.view.model;
    const dim = model.data.mean.length;
    const lift = tf.tidy(() => {
      // D^T Q as [m, dim]: the lift of every unit coefficient.
      const rows = new Float32Array(m * dim);
      const unit = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        unit[j] = 1;
        rows.set(this.view.lift(unit), j * dim);
        unit[j] = 0;
      }
      return tf.tensor2d(rows, [m, dim]);
    });
    const lInvT = invertLowerTransposed(this.chol, r);
    const variance = tf.tidy(() => {
      const vT = tf.tensor2d(Float32Array.from(this.view.basis), [r, m]);
      const bT = tf.add(tf.matMul(tf.mul(vT, tf.tensor2d(Float32Array.from(a), [r, 1])), model.basisTensor, true, false), tf.mul(lift, c)); // [m, dim]
      const invSqrtK = tf.tensor2d(Float32Array.from(this.k, (x) => 1 / Math.sqrt(x)), [m, 1]);
      const t1 = tf.sum(tf.square(tf.mul(bT, invSqrtK)), 0);
      const w = tf.mul(vT, tf.tensor2d(Float32Array.from(this.sqrtA), [r, 1])); // W^T [r, m]
      const y = tf.matMul(tf.tensor2d(lInvT, [r, r]), tf.matMul(tf.mul(w, tf.reshape(tf.square(invSqrtK), [1, m])), bT), true, false); // [r, dim]
      const t2 = tf.sum(tf.square(y), 0);
      const prior = tf.add(tf.sum(tf.mul(tf.square(model.basisTensor), tf.tensor2d(Float32Array.from(a), [r, 1])), 0), c);
      return tf.relu(tf.add(tf.sub(prior, t1), t2));
    });
    const out = Float64Array.from(variance.dataSync(), Math.sqrt);
    variance.dispose();
    lift.dispose();
    return out;
  }
}

/** `L^-T` of a lower-triangular row-major `L`, as float32 row-major (for the `std` products). */
function invertLowerTransposed(l: Float64Array, n: number): Float32Array {
  // Column j of L^-1 solves L x = e_j; L^-T is its transpose.
  const out = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const x = new Float64Array(n);
    x[j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k] * x[k];
      x[i] = -s / l[i * n + i];
    }
    for (let i = 0; i < n; i++) out[j * n + i] = x[i];
  }
  return out;
}
