import { DifbfsrError } from '../errors.js';
import { gaussianRestore } from '../gaussian/gaussian-restore.js';
import { getDefaultGaussianModel } from '../runtime/face-model.js';
import { unoptimisedInfo } from './lr-fit.js';
import { inputDegradation } from './input-degradation.js';
import type { RestoreMethodRun } from './method-result.js';

/** `method: 'gaussian'`: the Gaussian face model's exact posterior mean and standard deviation. */
export const restoreGaussian: RestoreMethodRun = async (decoded, { run, chain, call }) => {
  const { scale } = chain;
  const y = decoded.rgb;
  const model = run.gaussianModel ?? (await getDefaultGaussianModel());
  const [, h, w] = y.shape;
  if (h * scale !== model.resolution || w * scale !== model.resolution) {
    const need = model.resolution / scale;
    throw new DifbfsrError('INVALID_SIZE', `Input is ${w}x${h}; at scale ${scale} the Gaussian face model (${model.resolution}x${model.resolution}) needs ${need}x${need}`);
  }
  const degradation = await inputDegradation(y, run.degradation);
  const { image, std } = gaussianRestore(y, model, degradation, scale, { uncertainty: run.uncertainty, seed: call.seed });
  return {
    image,
    ...(std ? { std } : {}),
    info: {
      method: 'gaussian',
      degradation,
      steps: 0,
      startTimestep: 0,
      ...unoptimisedInfo(y, image, scale, call.seed),
      prior: model.name,
    },
  };
};
