import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser, DenoiserOutput } from '../denoiser.js';
import { linearBetas } from '../schedule/beta-schedules.js';

/** Options of {@link GaussianPrior}. */
export interface GaussianPriorOptions {
  /** Square resolution the prior claims (default 16). */
  resolution?: number;
  /** Data mean `m` (default 0). */
  mean?: number;
  /** Data standard deviation `s` (default 0.5). */
  std?: number;
  /** The training betas (default linear, T = 1000). */
  betas?: Float64Array;
}

/**
 * The exact epsilon predictor for data `x0 ~ N(m, s^2 I)`:
 * `E[eps | x_t] = sqrt(1 - abar_t) (x_t - sqrt(abar_t) m) / (abar_t s^2 + 1 - abar_t)`.
 * A closed-form reference prior for tests and for checking samplers.
 */
export class GaussianPrior implements Denoiser {
  readonly resolution: number;
  readonly learnedVariance = false;
  readonly name: string;
  private readonly mean: number;
  private readonly variance: number;
  private readonly alphasCumprod: Float64Array;

  constructor(options: GaussianPriorOptions = {}) {
    const { resolution = 16, mean = 0, std = 0.5, betas = linearBetas(1000) } = options;
    this.resolution = resolution;
    this.mean = mean;
    this.variance = std * std;
    this.name = `gaussian(m=${mean}, s=${std})`;
    this.alphasCumprod = new Float64Array(betas.length);
    let p = 1;
    betas.forEach((b, i) => {
      p *= 1 - b;
      this.alphasCumprod[i] = p;
    });
  }

  predict(x: tf.Tensor4D, t: readonly number[]): DenoiserOutput {
    return tf.tidy(() => {
      const ab = t.map((ti) => this.alphasCumprod[ti]);
      const shape: [number, number, number, number] = [t.length, 1, 1, 1];
      const gain = tf.tensor4d(ab.map((a) => Math.sqrt(1 - a) / (a * this.variance + 1 - a)), shape);
      const shift = tf.tensor4d(ab.map((a) => Math.sqrt(a) * this.mean), shape);
      return { eps: tf.mul(tf.sub(x, shift), gain) as tf.Tensor4D };
    });
  }
}
