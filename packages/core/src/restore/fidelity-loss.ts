import * as tf from '@tensorflow/tfjs-core';
import type { LowPass, SeparableOperator } from '../filters/low-pass.js';
import { applySeparable } from '../image/apply-separable.js';
import { downsampleArea } from '../image/resize.js';

/**
 * How the data term takes an HR image to the LR grid: area downsampling by an integer factor, or a
 * separable operator (the contraction's degradation operator `D`, see `lrProjection`).
 */
export type LrProjection = number | SeparableOperator;

function toLr(x: tf.Tensor4D, down: LrProjection): tf.Tensor4D {
  return typeof down === 'number' ? downsampleArea(x, down) : applySeparable(x, down.rows, down.cols);
}

/**
 * The data term of the paper's eq. 3, `L_s = 1/2 mean((L(y) - L(D x_hat))^2)`, `D` = `down`.
 * @param lowY `L(y)`, precomputed once per image.
 */
export function fidelityLoss(lowY: tf.Tensor4D, xHat: tf.Tensor4D, down: LrProjection, lrLowPass: LowPass): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.squaredDifference(lowY, lrLowPass.apply(toLr(xHat, down)))), 0.5) as tf.Scalar);
}

/** RMSE between `L(y)` and `L(D x)`, `D` = `down`: how well an HR image explains the input. */
export function lrConsistencyRmse(lowY: tf.Tensor4D, x: tf.Tensor4D, down: LrProjection, lrLowPass: LowPass): number {
  const loss = fidelityLoss(lowY, x, down, lrLowPass);
  const v = loss.dataSync()[0];
  loss.dispose();
  return Math.sqrt(2 * v);
}
