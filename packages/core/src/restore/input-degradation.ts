import type * as tf from '@tensorflow/tfjs-core';
import type { Degradation } from '../degradation/degradation-operator.js';
import { getDefaultDegradationEstimator } from '../runtime/face-model.js';

/** The degradation a restore uses: the one given (already checked), else the registered estimator's estimate for `y`. */
export async function inputDegradation(y: tf.Tensor4D, given: Degradation | undefined): Promise<Degradation & { estimated: boolean }> {
  if (given) return { ...given, estimated: false };
  const estimator = await getDefaultDegradationEstimator();
  return { ...(await estimator.estimate(y)), estimated: true };
}
