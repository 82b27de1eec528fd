import * as tf from '@tensorflow/tfjs-core';
import type { LowPass } from '../filters/low-pass.js';

/**
 * The fusion of the paper's eq. 5 with a fixed low-pass `P`: `P(y_hat) + x0 - P(x0)`, computed as
 * `x0 + P(y_hat - x0)` (one filter call; `P` is linear). Not clamped. With `y_hat = A^+ y` and
 * `P = A^+ A` (area-down, nearest-up) this is DDNM's range-null-space step `x0 + A^+(y - A x0)`.
 */
export function fixedFusion(yHat: tf.Tensor4D, x0: tf.Tensor4D, lowPass: LowPass): tf.Tensor4D {
  return tf.tidy(() => tf.add(x0, lowPass.apply(tf.sub(yHat, x0) as tf.Tensor4D)) as tf.Tensor4D);
}
