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
        return tf.matMul(s, tf.transpose(s)); // tfjs-wasm's transposed-operand products are several times slower
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
   * The posterior standard deviation of every HR pixel value, exactly. With `B = Sigma D^T Q` and
   * `M^-1 = K^-1 - K^-1 W H^-1 W^T K^-1`: `var = diag(Sigma) - diag(B K^-1 B^T) + ||L^-1 (B K^-1 W)^T||^2`
   * column by column, where the `U` parts of `B` cost two `rank x rank x pixels` products (tfjs) and
   * the `D^T Q` parts are lifts of `rank` LR images. About 2 s at rank 384 on two WASM threads; a
   * Monte Carlo estimate from {@link sampleMany} is cheaper.
   */
  std(): Float64Array {
    const { a, c } = this.covariance;
    const r = a.length;
    const m = this.view.size;
    const v = this.view.basis;
    const dim = this.view.hrSize * this.view.hrSize * 3;
    // Lf[i] = D^T Q K^-1 v_i: the lift of each eigenvector's observed coefficients over K.
    const lifted = new Float64Array(r * dim);
    for (let i = 0; i < r; i++) lifted.set(this.view.lift(v.subarray(i * m, (i + 1) * m).map((x, j) => x / this.k[j])), i * dim);
    // G = V K^-1 V^T (r x r).
    const g = new Float64Array(r * r);
    for (let i = 0; i < r; i++)
      for (let l = 0; l <= i; l++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += (v[i * m + j] * v[l * m + j]) / this.k[j];
        g[i * r + l] = s;
        g[l * r + i] = s;
      }
    const s1 = new Float32Array(r * r); // diag(a) G diag(a)
    const s2 = new Float32Array(r * r); // L^-1 diag(sqrt(a)) G diag(a)
    const s3 = new Float32Array(r * r); // c L^-1 diag(sqrt(a))
    for (let i = 0; i < r; i++) for (let l = 0; l < r; l++) s1[i * r + l] = a[i] * g[i * r + l] * a[l];
    const lInv = invertLower(this.chol, r);
    for (let i = 0; i < r; i++)
      for (let l = 0; l < r; l++) {
        let s = 0;
        for (let q = 0; q <= i; q++) s += lInv[i * r + q] * this.sqrtA[q] * g[q * r + l];
        s2[i * r + l] = s * a[l];
        s3[i * r + l] = l <= i ? c * lInv[i * r + l] * this.sqrtA[l] : 0;
      }
    // Second term: the columns of L^-1 (B K^-1 W)^T = s2 U + s3 Lf, squared and summed.
    const [t1, t2] = tf.tidy(() => {
      const basis = this.view.model.basisTensor;
      const quad = tf.sum(tf.mul(tf.matMul(tf.tensor2d(s1, [r, r]), basis), basis), 0);
      const y = tf.add(tf.matMul(tf.tensor2d(s2, [r, r]), basis), tf.matMul(tf.tensor2d(s3, [r, r]), tf.tensor2d(Float32Array.from(lifted), [r, dim])));
      return [quad.dataSync(), tf.sum(tf.square(y), 0).dataSync()];
    });
    const vectors = this.view.model.data.eigenvectors;
    const ffDiag = this.liftedDiagonal();
    const out = new Float64Array(dim);
    for (let p = 0; p < dim; p++) {
      let prior = c;
      let cross = 0;
      for (let i = 0; i < r; i++) {
        const u = vectors[i * dim + p];
        prior += a[i] * u * u;
        cross += u * a[i] * lifted[i * dim + p];
      }
      out[p] = Math.sqrt(Math.max(0, prior - t1[p] - 2 * c * cross - c * c * ffDiag[p] + t2[p]));
    }
    return out;
  }

  /** `diag(D^T Q K^-1 Q^T D)`: for `D^T Q = G (x) G (x) I3`, sums of `G[h,i]^2 G[w,j]^2 / k_ij`. */
  private liftedDiagonal(): Float64Array {
    const n = this.view.hrSize;
    const h = this.view.lrSize;
    const g = this.view.liftFactor;
    const out = new Float64Array(n * n * 3);
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        for (let ch = 0; ch < 3; ch++) {
          let s = 0;
          for (let i = 0; i < h; i++) {
            const gy = g.data[y * h + i] ** 2;
            if (gy === 0) continue;
            for (let j = 0; j < h; j++) s += (gy * g.data[x * h + j] ** 2) / this.k[(i * h + j) * 3 + ch];
          }
          out[(y * n + x) * 3 + ch] = s;
        }
    return out;
  }
}

/** `L^-1` of a lower-triangular row-major `L` (row-major, lower triangular). */
function invertLower(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    out[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k] * out[k * n + j];
      out[i * n + j] = -s / l[i * n + i];
    }
  }
  return out;
}
