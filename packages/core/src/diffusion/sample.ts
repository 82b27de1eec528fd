import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import { throwIfAborted } from '../errors.js';
import type { DiffusionTables } from '../schedule/diffusion-schedule.js';
import { SeededRandom } from '../util/seeded-random.js';
import { yieldToEventLoop } from '../util/yield.js';
import { posteriorLogVariance, posteriorMean, predictX0FromEps, reverseStep } from './posterior.js';

/** Options of {@link sampleAncestral}. */
export interface SampleOptions {
  /** Batch size (default 1). */
  batch?: number;
  /** Seed of the start noise and every step's noise (default 0). */
  seed?: number;
  /** Clip x0 to [-1, 1] at every step (default true, as every face checkpoint is sampled). */
  clipDenoised?: boolean;
  onProgress?: (step: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Unconditional ancestral sampling from pure noise (guided-diffusion `p_sample_loop`) on a
 * (respaced) chain: at each step x0 from epsilon, the posterior mean and the fixed or learned-range
 * variance. Returns `[batch, R, R, 3]` in [-1, 1].
 */
export async function sampleAncestral(prior: Denoiser, tables: DiffusionTables, options: SampleOptions = {}): Promise<tf.Tensor4D> {
  const { batch = 1, seed = 0, clipDenoised = true, onProgress, signal } = options;
  const rng = new SeededRandom(seed);
  const r = prior.resolution;
  const n = tables.betas.length;
  let xt = rng.normal<tf.Rank.R4>([batch, r, r, 3]);
  try {
    for (let k = n - 1; k >= 0; k--) {
      throwIfAborted(signal);
      const out = await prior.predict(xt, new Array<number>(batch).fill(tables.timesteps[k]));
      const next = tf.tidy(() => {
        const x0 = predictX0FromEps(tables, k, xt, out.eps, clipDenoised);
        const mean = posteriorMean(tables, k, x0, xt);
        return reverseStep(k, mean, posteriorLogVariance(tables, k, out.v), rng.normal<tf.Rank.R4>([batch, r, r, 3]));
      });
      out.eps.dispose();
      out.v?.dispose();
      xt.dispose();
      xt = next;
      onProgress?.(n - k, n);
      await yieldToEventLoop();
    }
    return xt;
  } catch (e) {
    xt.dispose();
    throw e;
  }
}
