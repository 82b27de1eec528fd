import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import { DifbfsrError, throwIfAborted } from '../errors.js';
import { predictX0FromEps } from '../diffusion/posterior.js';
import { degradationMatrix, noiseCovarianceOf, type Degradation } from '../degradation/degradation-operator.js';
import type { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';
import { GaussianPosterior } from '../gaussian/gaussian-posterior.js';
import { ObservedGaussianModel } from '../gaussian/observed-gaussian-model.js';
import type { DiffusionTables } from '../schedule/diffusion-schedule.js';
import { SeededRandom } from '../util/seeded-random.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { RestoreProgress } from './options.js';

/** Settings of {@link runPosteriorChain}. */
export interface PosteriorChainSettings {
  prior: Denoiser;
  /** Supplies the start and the covariance of `x0` given `x_t` in each data step. */
  gaussian: GaussianFaceModel;
  degradation: Degradation;
  tables: DiffusionTables;
  /** Index of the first reverse step (the chain runs k = startIndex .. 0). */
  startIndex: number;
  scale: number;
  /** Independent chains, run as one batch (one network call per step for all of them). */
  samples: number;
  seed: number;
  /** Clip the prior's `x0` estimates to [-1, 1] (images). Default true; off for unbounded test priors. */
  clipX0?: boolean;
  /**
   * Also run, with the same random numbers, the chains whose prior is the Gaussian model itself
   * (exact, and cheap: no network), and return {@link PosteriorChainResult.meanEstimate}. Default true.
   */
  controlVariate?: boolean;
  /** Report the first chain's current `x0` sample with the progress every this many steps (0: never). */
  previewEvery?: number;
  onProgress?: (p: RestoreProgress) => void;
  signal?: AbortSignal;
}

/** `samples` posterior samples `[K, H, W, 3]` in [-1, 1] (float64 arrays, HWC-flattened). */
export interface PosteriorChainResult {
  samples: Float64Array[];
  /**
   * The posterior mean estimated with the Gaussian chains as a control variate: the samples' mean,
   * minus the Gaussian chains' mean, plus the Gaussian posterior's exact mean. Unbiased like the
   * samples' mean, and far less noisy: the two sets of chains start alike and share every random
   * number, so most of their spread cancels.
   */
  meanEstimate?: Float64Array;
}

/** One set of K chains: the current `x_t`, its random numbers, and its last `x0` samples. */
interface Chains {
  xt: Float64Array;
  rng: SeededRandom;
  samples: Float64Array[];
}

/**
 * A diffusion posterior sampler for `y = D x + n` with the diffusion prior and the degradation's
 * operator (blur, MATLAB bicubic down) and noise:
 * - start: an exact posterior sample of the Gaussian face model, noised to the start step
 *   (`x_t ~ p(x_t | y)` when the prior is that Gaussian);
 * - each step: the prior's `x0` estimate, then a sample of `x0` given `x_t` and `y` (the Gaussian
 *   conditional centred on that estimate, with the Gaussian model's covariance of `x0` given `x_t`),
 *   and `x_{t-1} ~ q(x_{t-1} | x_t, x0)`: together a draw from `p(x_{t-1} | x_t, y)`;
 * - the result: the last step's `x0` sample.
 * With the Gaussian face model itself as the prior every step is exact, so the chain samples the
 * exact posterior for any number of steps (tested against the closed form).
 */
export async function runPosteriorChain(y: tf.Tensor4D, s: PosteriorChainSettings): Promise<PosteriorChainResult> {
  const [, h, w] = y.shape;
  const res = s.gaussian.resolution;
  if (h * s.scale !== res || w * s.scale !== res || s.prior.resolution !== res) {
    throw new DifbfsrError('INVALID_SIZE', `posterior chain: input ${w}x${h} at scale ${s.scale}, Gaussian model ${res} px, prior ${s.prior.resolution} px do not fit together`);
  }
  const view = new ObservedGaussianModel(s.gaussian, degradationMatrix(res, s.scale, s.degradation.blur));
  const noise = noiseCovarianceOf(s.degradation);
  const yFlat = Float64Array.from(y.dataSync());
  const mean = Float64Array.from(s.gaussian.data.mean);
  const start = new GaussianPosterior(view, s.gaussian.priorCovariance(), noise);
  const chains = startChains(start, mean, yFlat, s);
  const control = (s.controlVariate ?? true) ? { ...chains, xt: chains.xt.slice(), rng: chains.rng.copy() } : undefined;
  const ab = s.tables.alphasCumprod;
  const total = s.startIndex + 1;
  for (let k = s.startIndex; k >= 0; k--) {
    throwIfAborted(s.signal);
    const post = new GaussianPosterior(view, s.gaussian.covarianceGiven(ab[k] / (1 - ab[k])), noise, 'float32');
    await stepChains(chains, s.prior, s.clipX0 ?? true, post, yFlat, s, k);
    if (control) await stepChains(control, s.gaussian, false, post, yFlat, s, k);
    const step = total - k;
    const preview = (s.previewEvery ?? 0) > 0 && (step % s.previewEvery! === 0 || k === 0);
    s.onProgress?.({ phase: 'diffusion', step, total, t: s.tables.timesteps[k], loss: Number.NaN, ...(preview ? { x0: rgbaOf(chains.samples[0], res) } : {}) });
    await yieldToEventLoop();
  }
  if (!control) return { samples: chains.samples };
  return { samples: chains.samples, meanEstimate: controlVariateMean(chains.samples, control.samples, start.mean(mean, yFlat)) };
}

/** K exact posterior samples of the Gaussian face model, noised to the start step. */
function startChains(start: GaussianPosterior, mean: Float64Array, yFlat: Float64Array, s: PosteriorChainSettings): Chains {
  const rng = new SeededRandom(s.seed);
  const dim = mean.length;
  const ab = s.tables.alphasCumprod[s.startIndex];
  const xt = new Float64Array(s.samples * dim);
  start.sampleMany(new Array<Float64Array>(s.samples).fill(mean), yFlat, rng).forEach((x0, i) => {
    const z = rng.normalArray(dim);
    for (let p = 0; p < dim; p++) xt[i * dim + p] = Math.sqrt(ab) * x0[p] + Math.sqrt(1 - ab) * z[p];
  });
  return { xt, rng, samples: [] };
}

/** One reverse step k of every chain: the prior's `x0`, the data step's `x0` sample, then `x_{k-1}`. */
async function stepChains(c: Chains, prior: Denoiser, clip: boolean, post: GaussianPosterior, yFlat: Float64Array, s: PosteriorChainSettings, k: number): Promise<void> {
  const res = s.gaussian.resolution;
  const x0 = await priorX0(prior, s.tables, k, c.xt, s.samples, res, clip);
  c.samples = post.sampleMany(x0, yFlat, c.rng);
  if (k === 0) return;
  const dim = yFlat.length * s.scale * s.scale;
  const c1 = s.tables.posteriorMeanCoef1[k];
  const c2 = s.tables.posteriorMeanCoef2[k];
  const sd = Math.sqrt(s.tables.posteriorVariance[k]);
  const next = new Float64Array(c.xt.length);
  for (let i = 0; i < s.samples; i++) {
    const z = c.rng.normalArray(dim);
    for (let p = 0; p < dim; p++) next[i * dim + p] = c1 * c.samples[i][p] + c2 * c.xt[i * dim + p] + sd * z[p];
  }
  c.xt = next;
}

/** An HWC image in [-1, 1] as RGBA pixels (0..255), for progress previews. */
function rgbaOf(x: Float64Array, res: number): { data: Uint8ClampedArray; width: number; height: number; channels: number } {
  const data = new Uint8ClampedArray(res * res * 4);
  for (let p = 0; p < res * res; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = (x[p * 3 + c] + 1) * 127.5;
    data[p * 4 + 3] = 255;
  }
  return { data, width: res, height: res, channels: 4 };
}

/** `mean(samples) - mean(controls) + exact`, per pixel. */
function controlVariateMean(samples: readonly Float64Array[], controls: readonly Float64Array[], exact: Float64Array): Float64Array {
  const k = samples.length;
  const out = Float64Array.from(exact);
  for (let i = 0; i < k; i++) for (let p = 0; p < out.length; p++) out[p] += (samples[i][p] - controls[i][p]) / k;
  return out;
}

/** The prior's clipped `x0` estimate of every chain, one batched network call. */
async function priorX0(prior: Denoiser, tables: DiffusionTables, k: number, xt: Float64Array, n: number, res: number, clip: boolean): Promise<Float64Array[]> {
  const x = tf.tensor4d(Float32Array.from(xt), [n, res, res, 3]);
  try {
    const out = await prior.predict(x, new Array<number>(n).fill(tables.timesteps[k]));
    const x0 = predictX0FromEps(tables, k, x, out.eps, clip);
    out.eps.dispose();
    out.v?.dispose();
    const flat = x0.dataSync();
    x0.dispose();
    const dim = res * res * 3;
    return Array.from({ length: n }, (_, i) => Float64Array.from(flat.subarray(i * dim, (i + 1) * dim)));
  } finally {
    x.dispose();
  }
}
