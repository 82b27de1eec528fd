import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { degradationMatrix, noiseVarianceOf, type Degradation } from '../degradation/degradation-operator.js';
import type { GaussianFaceModel } from './gaussian-face-model.js';
import { GaussianPosterior } from './gaussian-posterior.js';
import { ObservedGaussianModel } from './observed-gaussian-model.js';
import { SeededRandom } from '../util/seeded-random.js';

/** The closed-form restoration of one face: the posterior mean, and its per-pixel standard deviation when asked for. */
export interface GaussianRestoration {
  /** `[1, H, W, 3]` in [-1, 1]. */
  readonly image: tf.Tensor4D;
  /** Posterior standard deviation of every HR value (HWC), [-1, 1] units: a Monte Carlo estimate (see `uncertaintySamples`). */
  readonly std?: Float64Array;
}

/** Exact posterior samples behind the uncertainty map of {@link gaussianRestore} (relative error of each std about 1 / sqrt(2 n) = 10%). */
export const UNCERTAINTY_SAMPLES = 48;

/** The exact posterior of a Gaussian face model for one LR face and a degradation. */
export function gaussianPosteriorOf(model: GaussianFaceModel, degradation: Degradation, scale: number): GaussianPosterior {
  const view = new ObservedGaussianModel(model, degradationMatrix(model.resolution, scale, degradation.blur));
  return new GaussianPosterior(view, model.priorCovariance(), noiseVarianceOf(degradation));
}

/**
 * Restore an LR face `y` (`[1, h, w, 3]` in [-1, 1], `h * scale` = the model's resolution) with the
 * closed-form posterior mean of a Gaussian face model for `y = D x + n` (D: `degradation.blur` then
 * MATLAB bicubic down by `scale`; n: white noise of `degradation.noise`).
 * @throws DifbfsrError `INVALID_SIZE` when the input does not fit the model at this scale.
 */
export function gaussianRestore(
  y: tf.Tensor4D,
  model: GaussianFaceModel,
  degradation: Degradation,
  scale: number,
  options: { uncertainty?: boolean; seed?: number } = {},
): GaussianRestoration {
  const [, h, w] = y.shape;
  if (h * scale !== model.resolution || w * scale !== model.resolution) {
    throw new DifbfsrError('INVALID_SIZE', `Input is ${w}x${h}; at scale ${scale} the Gaussian face model needs ${model.resolution / scale}x${model.resolution / scale}`);
  }
  const post = gaussianPosteriorOf(model, degradation, scale);
  const prior = Float64Array.from(model.data.mean);
  const yFlat = Float64Array.from(y.dataSync());
  const mean = post.mean(prior, yFlat);
  const image = tf.tidy(() => tf.clipByValue(tf.tensor4d(Float32Array.from(mean), [1, model.resolution, model.resolution, 3]), -1, 1) as tf.Tensor4D);
  if (!options.uncertainty) return { image };
  // The exact std() costs seconds; exact samples give a map within ~10% in a fraction of that.
  const draws = post.sampleMany(new Array<Float64Array>(UNCERTAINTY_SAMPLES).fill(prior), yFlat, new SeededRandom(options.seed ?? 0));
  const std = mean.map((m, p) => Math.sqrt(draws.reduce((acc, d) => acc + (d[p] - m) ** 2, 0) / UNCERTAINTY_SAMPLES));
  return { image, std };
}
