import * as tf from '@tensorflow/tfjs-core';
import { getDefaultGaussianModel, getDefaultPrior } from '../runtime/face-model.js';
import { resolveChain } from './chain-settings.js';
import { unoptimisedInfo } from './lr-fit.js';
import { inputDegradation } from './input-degradation.js';
import type { RestoreMethodRun } from './method-result.js';
import { runPosteriorChain } from './posterior-chain.js';

/**
 * Combine K posterior samples: the estimate of the posterior mean (the fidelity mode; `meanEstimate`
 * when given, else the samples' mean), moved back towards the first sample by `1 - fidelity`; and
 * the samples' per-pixel standard deviation (K > 1).
 */
export function combineSamples(samples: readonly Float64Array[], fidelity: number, meanEstimate?: Float64Array): { image: Float64Array; std?: Float64Array } {
  const k = samples.length;
  const dim = samples[0].length;
  const mean = new Float64Array(dim);
  for (const s of samples) for (let p = 0; p < dim; p++) mean[p] += s[p] / k;
  const centre = meanEstimate ?? mean;
  const image = centre.map((m, p) => m + (1 - fidelity) * (samples[0][p] - m));
  if (k < 2) return { image };
  const std = new Float64Array(dim);
  for (const s of samples) for (let p = 0; p < dim; p++) std[p] += (s[p] - mean[p]) ** 2 / (k - 1);
  return { image, std: std.map(Math.sqrt) };
}

/** `method: 'posterior'`: the diffusion posterior sampler, K chains in one batch, combined. */
export const restorePosterior: RestoreMethodRun = async (decoded, options) => {
  const { run, call } = options;
  const y = decoded.rgb;
  const [, h, w] = y.shape;
  const prior = run.prior ?? (await getDefaultPrior({ backend: run.backend }));
  const { scale, tables, startIndex } = resolveChain(options.chain, prior, h, w);
  const gaussian = run.gaussianModel ?? (await getDefaultGaussianModel());
  const degradation = await inputDegradation(y, run.degradation);
  const { samples, fidelity } = run;
  const chain = await runPosteriorChain(y, { prior, gaussian, degradation, tables, startIndex, scale, samples, seed: call.seed, previewEvery: call.previewEvery, onProgress: call.onProgress, signal: call.signal });
  const combined = combineSamples(chain.samples, fidelity, chain.meanEstimate);
  const res = prior.resolution;
  const image = tf.tidy(() => tf.clipByValue(tf.tensor4d(Float32Array.from(combined.image), [1, res, res, 3]), -1, 1) as tf.Tensor4D);
  return {
    image,
    ...(combined.std ? { std: combined.std } : {}),
    info: {
      method: 'posterior',
      degradation,
      samples,
      fidelity,
      steps: startIndex + 1,
      startTimestep: tables.timesteps[startIndex],
      ...unoptimisedInfo(y, image, scale, call.seed),
      prior: prior.name ?? 'custom',
    },
  };
};
