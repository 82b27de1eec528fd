import * as tf from '@tensorflow/tfjs-core';
import type { LowPass } from '../filters/low-pass.js';
import { downsampleArea } from '../image/resize.js';

/**
 * The data term of the paper's eq. 3, `L_s = 1/2 mean((L(y) - L(down_s(x_hat)))^2)`.
 * @param lowY `L(y)`, precomputed once per image.
 */
export function fidelityLoss(lowY: tf.Tensor4D, xHat: tf.Tensor4D, scale: number, lrLowPass: LowPass): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.squaredDifference(lowY, lrLowPass.apply(downsampleArea(xHat, scale)))), 0.5) as tf.Scalar);
}

/** RMSE between `L(y)` and `L(down_s(x))`: how well an HR image explains the input. */
export function lrConsistencyRmse(lowY: tf.Tensor4D, x: tf.Tensor4D, scale: number, lrLowPass: LowPass): number {
  const loss = fidelityLoss(lowY, x, scale, lrLowPass);
  const v = loss.dataSync()[0];
  loss.dispose();
  return Math.sqrt(2 * v);
}
