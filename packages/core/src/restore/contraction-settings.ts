import type { Denoiser } from '../denoiser.js';
import type { Degradation } from '../degradation/degradation-operator.js';
import { downUpLowPass } from '../filters/low-pass.js';
import type { ChainSettings } from './chain-settings.js';
import type { ContractionSettings } from './contraction.js';
import { lrLowPassForNoise } from './lr-low-pass-for-noise.js';
import type { ResolvedRestoreOptions } from './resolve-options.js';

/**
 * The settings of one contraction: checked options on `prior`'s chain, with the filters that depend
 * on the scale (the fixed low-pass) and on the degradation (the default LR low-pass follows its noise).
 * @param degradation what the data term models (see {@link ContractionSettings.degradation})
 */
export function contractionSettingsOf(r: ResolvedRestoreOptions, prior: Denoiser, chain: ChainSettings, degradation?: Degradation): ContractionSettings {
  const o = r.optimisation;
  const { scale } = chain;
  return {
    prior,
    ...chain,
    srm: o.srm,
    cfm: o.cfm,
    srmStart: o.srmStart,
    upsample: o.ddnm ? 'nearest' : 'bicubic',
    cfmKernelSize: o.cfmKernelSize,
    warmupIters: o.warmupIters,
    adamSteps: o.adamSteps,
    srmLearningRate: o.srmLearningRate,
    cfmLearningRate: o.cfmLearningRate,
    adamEpsilon: o.adamEpsilon,
    lowPass: o.ddnm ? downUpLowPass(scale, 'nearest') : (o.lowPass ?? downUpLowPass(scale)),
    lrLowPass: o.lrLowPass ?? lrLowPassForNoise(degradation?.noise, o.lrSigmaPerNoise),
    ...(degradation ? { degradation } : {}),
    optimizer: r.run.optimizer,
    seed: r.call.seed,
    collapseFactor: o.collapseFactor,
    previewEvery: r.call.previewEvery,
    onProgress: r.call.onProgress,
    signal: r.call.signal,
  };
}
