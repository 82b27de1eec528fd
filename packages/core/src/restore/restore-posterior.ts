import * as tf from '@tensorflow/tfjs-core';
import { gaussianLowPass } from '../filters/low-pass.js';
import type { DecodedInput } from '../image/image-io.js';
import { resizeBicubic } from '../image/resize.js';
import { getDefaultPrior } from '../runtime/face-model.js';
import { getDefaultGaussianModel } from '../runtime/face-model.js';
import { lrConsistencyRmse } from './fidelity-loss.js';
import type { RestoreOptions } from './options.js';
import { runPosteriorChain } from './posterior-chain.js';
import { degradationFor, type MethodResult } from './restore-gaussian.js';
import { resolveChain } from './chain-settings.js';
import { positiveInt, unitInterval } from './validate.js';

/**
 * Combine K posterior samples: their mean (the fidelity mode, approaching the posterior mean as K
 * grows), moved back towards the first sample by `1 - fidelity`; and the samples' per-pixel
 * standard deviation (K > 1).
 */
export function combineSamples(samples: readonly Float64Array[], fidelity: number): { image: Float64Array; std?: Float64Array } {
  const k = samples.length;
  const dim = samples[0].length;
  const mean = new Float64Array(dim);
  for (const s of samples) for (let p = 0; p < dim; p++) mean[p] += s[p] / k;
  const image = mean.map((m, p) => m + (1 - fidelity) * (samples[0][p] - m));
  if (k < 2) return { image };
  const std = new Float64Array(dim);
  for (const s of samples) for (let p = 0; p < dim; p++) std[p] += (s[p] - mean[p]) ** 2 / (k - 1);
  return { image, std: std.map(Math.sqrt) };
}

/** `method: 'posterior'`: the diffusion posterior sampler, K chains in one batch, combined. */
export async function restorePosterior(decoded: DecodedInput, options: RestoreOptions): Promise<MethodResult> {
  const y = decoded.rgb;
  const [, h, w] = y.shape;
  const prior = options.prior ?? (await getDefaultPrior({ backend: options.backend }));
  const { scale, tables, startIndex } = resolveChain(options, prior, h, w);
  const samples = positiveInt('samples', options.samples ?? 1);
  const fidelity = unitInterval('fidelity', options.fidelity ?? 1);
  const gaussian = options.gaussianModel ?? (await getDefaultGaussianModel());
  const degradation = await degradationFor(y, options);
  const seed = options.seed ?? 0;
  const chain = await runPosteriorChain(y, { prior, gaussian, degradation, tables, startIndex, scale, samples, seed, onProgress: options.onProgress, signal: options.signal });
  const combined = combineSamples(chain.samples, fidelity);
  const res = prior.resolution;
  const image = tf.tidy(() => tf.clipByValue(tf.tensor4d(Float32Array.from(combined.image), [1, res, res, 3]), -1, 1) as tf.Tensor4D);
  const lowPass = gaussianLowPass(1);
  const [lrRmse, baselineLrRmse] = tf.tidy(() => {
    const lowY = lowPass.apply(y);
    return [lrConsistencyRmse(lowY, image, scale, lowPass), lrConsistencyRmse(lowY, resizeBicubic(y, res, res), scale, lowPass)];
  });
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
      srm: false,
      cfm: false,
      seed,
      loss: 0.5 * lrRmse * lrRmse,
      lrRmse,
      baselineLrRmse,
      retries: 0,
      collapsed: false,
      prior: prior.name ?? 'custom',
      optimizer: 'none',
    },
  };
}
