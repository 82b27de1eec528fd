import type * as tf from '@tensorflow/tfjs-core';
import type { Degradation } from './degradation-operator.js';

/**
 * Blind estimation of how a low-resolution face was degraded (see {@link Degradation}): the
 * Gaussian blur in HR pixels and the effective noise level. `@difbfsr/models` ships one trained for
 * the bundled prior's 16x16 inputs at scale 4.
 */
export interface DegradationEstimator {
  /** Short description for reports. */
  readonly name: string;
  /**
   * Estimate the degradation of one LR face.
   * @param y `[1, h, w, 3]`, values in [-1, 1]. Not disposed.
   */
  estimate(y: tf.Tensor4D): Degradation | Promise<Degradation>;
  /** Release weights. */
  dispose?(): void;
}
