import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser, DenoiserOutput } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';
import { linearBetas } from '../schedule/beta-schedules.js';

/**
 * A Gaussian model of faces `x ~ N(mean, C)` with `C = U diag(eigenvalues - remainder) U^T + remainder I`:
 * the leading eigenvectors of the training faces' covariance and an isotropic remainder that keeps
 * its trace. Pixel values in [-1, 1], HWC-flattened.
 */
export interface GaussianFaceModelData {
  /** Square resolution of the faces. */
  readonly resolution: number;
  /** `resolution^2 * 3` values. */
  readonly mean: Float32Array;
  /** The `rank` leading eigenvalues of the covariance, descending. */
  readonly eigenvalues: Float64Array;
  /** `rank` orthonormal eigenvectors, row-major `[rank, resolution^2 * 3]`. */
  readonly eigenvectors: Float32Array;
  /** Variance of every direction outside the eigenvectors (the mean of the discarded eigenvalues). */
  readonly remainder: number;
}

/**
 * A covariance of the model's form `U diag(a) U^T + c I` (U: the model's eigenvectors, `a >= 0`,
 * `c > 0`): the prior's own, or that of `x0` given a noisy `x_t` ({@link GaussianFaceModel.covarianceGiven}).
 */
export interface LowRankCovariance {
  readonly a: Float64Array;
  readonly c: number;
}

function checkData(d: GaussianFaceModelData): void {
  const dim = d.resolution * d.resolution * 3;
  const rank = d.eigenvalues.length;
  const fail = (msg: string) => {
    throw new DifbfsrError('SHAPE_MISMATCH', `Gaussian face model: ${msg}`);
  };
  if (!(Number.isInteger(d.resolution) && d.resolution > 0)) fail(`resolution must be a positive integer, got ${d.resolution}`);
  if (d.mean.length !== dim) fail(`mean has ${d.mean.length} values, expected ${dim} (${d.resolution}x${d.resolution}x3)`);
  if (rank < 1 || d.eigenvectors.length !== rank * dim) fail(`eigenvectors have ${d.eigenvectors.length} values, expected ${rank} x ${dim}`);
  if (!(Number.isFinite(d.remainder) && d.remainder > 0)) throw new DifbfsrError('NON_FINITE', `Gaussian face model: remainder variance must be positive, got ${d.remainder}`);
  for (let i = 0; i < rank; i++) {
    const v = d.eigenvalues[i];
    if (!(Number.isFinite(v) && v >= d.remainder && (i === 0 || v <= d.eigenvalues[i - 1]))) {
      throw new DifbfsrError('NON_FINITE', `Gaussian face model: eigenvalues must descend to at least the remainder ${d.remainder}; eigenvalue ${i} is ${v}`);
    }
  }
}

/**
 * The Gaussian face model as a diffusion prior: its exact (Tweedie) epsilon predictor, so it plugs in
 * wherever a {@link Denoiser} does, and the pieces its closed-form posterior needs. Holds two tensors
 * (mean and eigenvectors); call {@link dispose} when done.
 */
export class GaussianFaceModel implements Denoiser {
  readonly resolution: number;
  readonly learnedVariance = false;
  readonly name: string;
  readonly rank: number;
  /** The model's arrays (read-only by convention). */
  readonly data: GaussianFaceModelData;
  /** `[1, resolution^2 * 3]`. */
  readonly meanTensor: tf.Tensor2D;
  /** `[rank, resolution^2 * 3]`. */
  readonly basisTensor: tf.Tensor2D;
  private readonly alphasCumprod: Float64Array;

  /** @throws DifbfsrError `SHAPE_MISMATCH` or `NON_FINITE` for inconsistent arrays. */
  constructor(data: GaussianFaceModelData, options: { name?: string; betas?: Float64Array } = {}) {
    checkData(data);
    this.data = data;
    this.resolution = data.resolution;
    this.rank = data.eigenvalues.length;
    this.name = options.name ?? `gaussian-face(${data.resolution}px, rank ${this.rank})`;
    const dim = data.mean.length;
    this.meanTensor = tf.tensor2d(data.mean, [1, dim]);
    this.basisTensor = tf.tensor2d(data.eigenvectors, [this.rank, dim]);
    const betas = options.betas ?? linearBetas(1000);
    this.alphasCumprod = new Float64Array(betas.length);
    let p = 1;
    betas.forEach((b, i) => (this.alphasCumprod[i] = p *= 1 - b));
  }

  /** The prior covariance: `a = eigenvalues - remainder`, `c = remainder`. */
  priorCovariance(): LowRankCovariance {
    const { eigenvalues, remainder } = this.data;
    return { a: eigenvalues.map((v) => v - remainder), c: remainder };
  }

  /**
   * The covariance of `x0` given `x_t = sqrt(abar) x0 + sqrt(1 - abar) eps`, with signal-to-noise
   * ratio `snr = abar / (1 - abar)`: `(C^-1 + snr I)^-1`, eigenvalue by eigenvalue `v / (1 + snr v)`.
   */
  covarianceGiven(snr: number): LowRankCovariance {
    const { eigenvalues, remainder } = this.data;
    const c = remainder / (1 + snr * remainder);
    return { a: eigenvalues.map((v) => v / (1 + snr * v) - c), c };
  }

  /** Tweedie's `E[x0 | x_t]` for flattened `x_t / sqrt(abar) - mean` rows `z` `[B, D]`, as a deviation from the mean. */
  private shrink(z: tf.Tensor2D, snrs: readonly number[]): tf.Tensor2D {
    const gains: number[][] = [];
    const isotropic: number[] = [];
    for (const snr of snrs) {
      const { a, c } = this.covarianceGiven(snr);
      // x0 - mean = Sigma_{0|t} snr z; Sigma_{0|t} = U diag(a) U^T + c I.
      gains.push(Array.from(a, (ai) => ai * snr));
      isotropic.push(c * snr);
    }
    // U z as [rank, B] (tfjs-wasm's transposed-operand products are several times slower).
    const proj = tf.transpose(tf.matMul(this.basisTensor, tf.transpose(z)));
    const low = tf.matMul(tf.mul(proj, tf.tensor2d(gains)), this.basisTensor);
    return tf.add(low, tf.mul(z, tf.tensor2d(isotropic, [snrs.length, 1]))) as tf.Tensor2D;
  }

  predict(x: tf.Tensor4D, t: readonly number[]): DenoiserOutput {
    const [b, h, w, ch] = x.shape;
    if (h !== this.resolution || w !== this.resolution || ch !== 3 || t.length !== b) {
      throw new DifbfsrError('INVALID_SIZE', `Gaussian face model works on [B, ${this.resolution}, ${this.resolution}, 3] with one timestep per item; got [${x.shape}] and ${t.length} timesteps`);
    }
    return tf.tidy(() => {
      const ab = t.map((ti) => this.alphasCumprod[ti]);
      const flat = tf.reshape(x, [b, h * w * ch]) as tf.Tensor2D;
      const z = tf.sub(tf.div(flat, tf.tensor2d(ab.map(Math.sqrt), [b, 1])), this.meanTensor) as tf.Tensor2D;
      const x0 = tf.add(this.shrink(z, ab.map((a) => a / (1 - a))), this.meanTensor);
      const eps = tf.div(tf.sub(flat, tf.mul(x0, tf.tensor2d(ab.map(Math.sqrt), [b, 1]))), tf.tensor2d(ab.map((a) => Math.sqrt(1 - a)), [b, 1]));
      return { eps: tf.reshape(eps, [b, h, w, ch]) as tf.Tensor4D };
    });
  }

  dispose(): void {
    this.meanTensor.dispose();
    this.basisTensor.dispose();
  }
}
