import * as tf from '@tensorflow/tfjs-core';
import type { DiffusionTables } from '../schedule/diffusion-schedule.js';

/**
 * x0 from epsilon (guided-diffusion `_predict_xstart_from_eps`; DifBFSR step 1):
 * `x0 = sqrt(1/abar_k) x_t - sqrt(1/abar_k - 1) eps`, clipped to [-1, 1] when `clip`.
 */
export function predictX0FromEps(
  tables: DiffusionTables,
  k: number,
  xt: tf.Tensor4D,
  eps: tf.Tensor4D,
  clip = true,
): tf.Tensor4D {
  return tf.tidy(() => {
    const abar = tables.alphasCumprod[k];
    const x0 = tf.sub(tf.mul(xt, Math.sqrt(1 / abar)), tf.mul(eps, Math.sqrt(1 / abar - 1)));
    return (clip ? tf.clipByValue(x0, -1, 1) : x0) as tf.Tensor4D;
  });
}

/** Forward noising `q(x_k | x_0)`: `sqrt(abar_k) x0 + sqrt(1 - abar_k) noise`. */
export function qSample(tables: DiffusionTables, k: number, x0: tf.Tensor4D, noise: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const abar = tables.alphasCumprod[k];
    return tf.add(tf.mul(x0, Math.sqrt(abar)), tf.mul(noise, Math.sqrt(1 - abar))) as tf.Tensor4D;
  });
}

/**
 * Posterior mean of `q(x_{k-1} | x_k, x_0)` (paper eq. 8):
 * `mu = coef1_k x0 + coef2_k x_t`.
 */
export function posteriorMean(tables: DiffusionTables, k: number, x0: tf.Tensor4D, xt: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(
    () => tf.add(tf.mul(x0, tables.posteriorMeanCoef1[k]), tf.mul(xt, tables.posteriorMeanCoef2[k])) as tf.Tensor4D,
  );
}

/**
 * Log variance of the reverse step.
 * - Fixed (no `v`): the clipped posterior log variance of step k, as a scalar.
 * - Learned range (guided-diffusion `LEARNED_RANGE`): `frac = (v + 1) / 2`,
 *   `logvar = frac log(beta_k) + (1 - frac) posterior_log_variance_clipped_k`.
 */
export function posteriorLogVariance(tables: DiffusionTables, k: number, v?: tf.Tensor4D): tf.Tensor {
  const minLog = tables.posteriorLogVarianceClipped[k];
  if (!v) return tf.scalar(minLog);
  const maxLog = Math.log(tables.betas[k]);
  return tf.tidy(() => {
    const frac = tf.div(tf.add(v, 1), 2);
    return tf.add(tf.mul(frac, maxLog), tf.mul(tf.sub(1, frac), minLog));
  });
}

/**
 * One ancestral reverse step: `x_{k-1} = mu + [k > 0] exp(logvar / 2) z`.
 * @param noise standard normal `z`, same shape as `mean` (ignored at k = 0).
 */
export function reverseStep(k: number, mean: tf.Tensor4D, logVariance: tf.Tensor, noise: tf.Tensor4D): tf.Tensor4D {
  if (k === 0) return tf.clone(mean);
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVariance, 0.5)), noise)) as tf.Tensor4D);
}
