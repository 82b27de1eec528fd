import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { gaussianLowPass } from '../filters/low-pass.js';
import { gaussianRestore } from '../gaussian/gaussian-restore.js';
import { resizeBicubic } from '../image/resize.js';
import type { DecodedInput } from '../image/image-io.js';
import { getDefaultDegradationEstimator, getDefaultGaussianModel } from '../runtime/face-model.js';
import { lrConsistencyRmse } from './fidelity-loss.js';
import type { RestoreInfo, RestoreOptions } from './options.js';
import type { Degradation } from '../degradation/degradation-operator.js';

/** A restored image `[1, H, W, 3]` in [-1, 1], what happened, and the per-pixel posterior std ([-1, 1] units, HWC). */
export interface MethodResult {
  image: tf.Tensor4D;
  info: Omit<RestoreInfo, 'backend' | 'timeMs'>;
  std?: Float64Array;
}

/** The degradation a restore uses: the one given, else the registered estimator's estimate for `y`. */
export async function degradationFor(y: tf.Tensor4D, options: RestoreOptions): Promise<Degradation & { estimated: boolean }> {
  if (options.degradation) {
    const { blur, noise, chroma } = options.degradation;
    const ok = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v >= 0);
    if (!(ok(blur) && ok(noise) && ok(chroma) && blur !== undefined && noise !== undefined)) {
      throw new DifbfsrError('INVALID_OPTION', `degradation must have finite blur >= 0 and noise >= 0 (and chroma >= 0 if given), got ${JSON.stringify(options.degradation)}`);
    }
    return { blur, noise, ...(chroma === undefined ? {} : { chroma }), estimated: false };
  }
  const estimator = await getDefaultDegradationEstimator();
  return { ...(await estimator.estimate(y)), estimated: true };
}

/** `method: 'gaussian'`: the Gaussian face model's exact posterior mean and standard deviation. */
export async function restoreGaussian(decoded: DecodedInput, options: RestoreOptions): Promise<MethodResult> {
  const scale = options.scale ?? 4;
  const y = decoded.rgb;
  const model = options.gaussianModel ?? (await getDefaultGaussianModel());
  const [, h, w] = y.shape;
  if (h * scale !== model.resolution || w * scale !== model.resolution) {
    const need = model.resolution / scale;
    throw new DifbfsrError('INVALID_SIZE', `Input is ${w}x${h}; at scale ${scale} the Gaussian face model (${model.resolution}x${model.resolution}) needs ${need}x${need}`);
  }
  const degradation = await degradationFor(y, options);
  const { image, std } = gaussianRestore(y, model, degradation, scale, { uncertainty: options.uncertainty ?? true, seed: options.seed ?? 0 });
  const lowPass = gaussianLowPass(1);
  const [lrRmse, baselineLrRmse] = tf.tidy(() => {
    const lowY = lowPass.apply(y);
    return [lrConsistencyRmse(lowY, image, scale, lowPass), lrConsistencyRmse(lowY, resizeBicubic(y, h * scale, w * scale), scale, lowPass)];
  });
  return {
    image,
    ...(std ? { std } : {}),
    info: {
      method: 'gaussian',
      degradation,
      steps: 0,
      startTimestep: 0,
      srm: false,
      cfm: false,
      seed: options.seed ?? 0,
      loss: 0.5 * lrRmse * lrRmse,
      lrRmse,
      baselineLrRmse,
      retries: 0,
      collapsed: false,
      prior: model.name,
      optimizer: 'none',
    },
  };
}
