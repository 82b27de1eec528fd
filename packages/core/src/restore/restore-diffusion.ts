import type * as tf from '@tensorflow/tfjs-core';
import type { Degradation } from '../degradation/degradation-operator.js';
import { getDefaultPrior, hasDefaultDegradationEstimator } from '../runtime/face-model.js';
import { resolveChain } from './chain-settings.js';
import { runContraction, type ContractionResult, type ContractionSettings } from './contraction.js';
import { contractionSettingsOf } from './contraction-settings.js';
import { inputDegradation } from './input-degradation.js';
import type { RestoreMethodRun } from './method-result.js';
import type { RestoreProgress } from './options.js';

/**
 * The degradation the contraction's data term models: the one given, else the registered
 * estimator's estimate; none (area downsampling) when there is neither, as with a custom prior
 * and `@difbfsr/models` not imported.
 */
async function contractionDegradation(y: tf.Tensor4D, given: Degradation | undefined): Promise<(Degradation & { estimated: boolean }) | undefined> {
  return given || hasDefaultDegradationEstimator() ? inputDegradation(y, given) : undefined;
}

/** Run the contraction, and rerun a collapsed chain with the next seeds, up to `retries` times. */
async function contractWithReruns(y: tf.Tensor4D, settings: ContractionSettings, retries: number): Promise<{ result: ContractionResult; reruns: number }> {
  let result = await runContraction(y, settings);
  let reruns = 0;
  while (result.collapsed && reruns < retries) {
    // An unstable trajectory: rerun the chain with the next seed.
    result.image.dispose();
    const attempt = ++reruns;
    const onProgress = settings.onProgress && ((p: RestoreProgress) => settings.onProgress!({ ...p, attempt }));
    result = await runContraction(y, { ...settings, seed: settings.seed + attempt, onProgress });
  }
  return { result, reruns };
}

/** `method: 'diffusion'`: the conditional diffusion contraction, with reruns after a collapse. */
export const restoreDiffusion: RestoreMethodRun = async (decoded, options) => {
  const prior = options.run.prior ?? (await getDefaultPrior({ backend: options.run.backend }));
  const { height, width } = decoded.layout;
  const chain = resolveChain(options.chain, prior, height, width); // a wrong size fails before the estimator runs
  const degradation = await contractionDegradation(decoded.rgb, options.run.degradation);
  const settings = contractionSettingsOf(options, prior, chain, degradation);
  const { result: r, reruns } = await contractWithReruns(decoded.rgb, settings, options.optimisation.collapseRetries);
  return {
    image: r.image,
    info: {
      method: 'diffusion',
      ...(degradation ? { degradation } : {}),
      steps: settings.startIndex + 1,
      startTimestep: settings.tables.timesteps[settings.startIndex],
      srm: settings.srm,
      cfm: settings.cfm,
      seed: settings.seed,
      retries: reruns,
      loss: r.loss,
      lrRmse: r.lrRmse,
      baselineLrRmse: r.baselineLrRmse,
      collapsed: r.collapsed,
      ...(r.collapseFallback ? { collapseFallback: r.collapseFallback } : {}),
      prior: prior.name ?? 'custom',
      optimizer: r.optimizer,
      ...(r.optimizerFallback ? { optimizerFallback: r.optimizerFallback } : {}),
    },
  };
};
