import * as tf from '@tensorflow/tfjs-core';
import { gaussianLowPass } from '../filters/low-pass.js';
import { resizeBicubic } from '../image/resize.js';
import { lrConsistencyRmse } from './fidelity-loss.js';

/**
 * How well a result and the bicubic baseline explain the input, for the methods without a data
 * term of their own: RMSE after area downsampling by `scale` and a Gaussian LR low-pass of sigma 1.
 */
export function lrFit(y: tf.Tensor4D, image: tf.Tensor4D, scale: number): { lrRmse: number; baselineLrRmse: number; loss: number } {
  const lowPass = gaussianLowPass(1);
  const [, h, w] = y.shape;
  const [lrRmse, baselineLrRmse] = tf.tidy(() => {
    const lowY = lowPass.apply(y);
    return [lrConsistencyRmse(lowY, image, scale, lowPass), lrConsistencyRmse(lowY, resizeBicubic(y, h * scale, w * scale), scale, lowPass)];
  });
  return { lrRmse, baselineLrRmse, loss: 0.5 * lrRmse * lrRmse };
}

/**
 * The info fields every method without the SRM/CFM optimisation reports alike: no modules, no
 * optimiser, no collapse check or rerun, and {@link lrFit}.
 */
export function unoptimisedInfo(y: tf.Tensor4D, image: tf.Tensor4D, scale: number, seed: number) {
  return { srm: false, cfm: false, seed, ...lrFit(y, image, scale), retries: 0, collapsed: false, optimizer: 'none' } as const;
}
