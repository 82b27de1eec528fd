import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import { DifbfsrError, throwIfAborted } from '../errors.js';
import type { Degradation } from '../degradation/degradation-operator.js';
import { downUpLowPass, toLowPass } from '../filters/low-pass.js';
import { decodeInput, encodeOutput, type DecodedInput, type ImageInput, type RawImage } from '../image/image-io.js';
import { runContraction, type ContractionSettings } from './contraction.js';
import { getDefaultPrior } from '../runtime/face-model.js';
import { optimizerChoiceOf } from '../runtime/create-optimizer.js';
import type { Ablation, RestoreInfo, RestoreMethod, RestoreOptions, RestoreProgress } from './options.js';
import { degradationFor, restoreGaussian, type MethodResult } from './restore-gaussian.js';
import { hasDefaultDegradationEstimator } from '../runtime/face-model.js';
import { DEFAULT_LR_SIGMA_PER_NOISE, lrLowPassForNoise } from './lr-low-pass-for-noise.js';
import { restorePosterior } from './restore-posterior.js';
import { nonNegativeNumber, positiveInt, positiveNumber } from './validate.js';
import { resolveChain } from './chain-settings.js';
import { DEFAULT_ADAM_EPSILON } from './adam-settings.js';

/** The restored image in the same form as the input (tensor of the same rank, or a {@link RawImage}). */
export type RestoreOutput<I extends ImageInput> = I extends tf.Tensor4D ? tf.Tensor4D : I extends tf.Tensor3D ? tf.Tensor3D : RawImage;

const ABLATIONS: Record<Ablation, { srm: boolean; cfm: boolean }> = {
  '#1': { srm: false, cfm: false },
  '#2': { srm: false, cfm: true },
  '#3': { srm: true, cfm: false },
  '#4': { srm: true, cfm: true },
  ddnm: { srm: false, cfm: false },
};

/**
 * Validate options against the input and the prior, and fill in every default.
 * @param degradation what the data term models (see {@link ContractionSettings.degradation}); its
 *   noise sets the default LR low-pass
 */
export function resolveSettings(opts: RestoreOptions, prior: Denoiser, lrHeight: number, lrWidth: number, degradation?: Degradation): ContractionSettings {
  const { scale, tables, startIndex } = resolveChain(opts, prior, lrHeight, lrWidth);
  const switches = opts.ablation ? ABLATIONS[opts.ablation] : { srm: opts.srm ?? true, cfm: opts.cfm ?? true };
  if (!switches) throw new DifbfsrError('INVALID_OPTION', `ablation must be one of ${Object.keys(ABLATIONS).join(', ')}, got ${opts.ablation}`);
  const ddnm = opts.ablation === 'ddnm';
  const lrSigmaPerNoise = nonNegativeNumber('lrSigmaPerNoise', opts.lrSigmaPerNoise ?? DEFAULT_LR_SIGMA_PER_NOISE);
  return {
    prior,
    tables,
    startIndex,
    scale,
    ...switches,
    srmStart: opts.srmStart ?? 'bicubic',
    upsample: ddnm ? 'nearest' : 'bicubic',
    cfmKernelSize: opts.cfmKernelSize ?? 3,
    warmupIters: positiveInt('warmupIters', opts.warmupIters ?? 50, 0),
    adamSteps: positiveInt('adamSteps', opts.adamSteps ?? 1),
    srmLearningRate: positiveNumber('srmLearningRate', opts.srmLearningRate ?? 2e-3),
    cfmLearningRate: positiveNumber('cfmLearningRate', opts.cfmLearningRate ?? 5e-3),
    adamEpsilon: positiveNumber('adamEpsilon', opts.adamEpsilon ?? DEFAULT_ADAM_EPSILON),
    lowPass: ddnm ? downUpLowPass(scale, 'nearest') : toLowPass(opts.lowPass ?? downUpLowPass(scale)),
    lrLowPass: toLowPass(opts.lrLowPass ?? lrLowPassForNoise(degradation?.noise, lrSigmaPerNoise)),
    ...(degradation ? { degradation } : {}),
    optimizer: optimizerChoiceOf(opts.optimizer, opts.backend),
    seed: opts.seed ?? 0,
    collapseFactor: positiveNumber('collapseFactor', opts.collapseFactor ?? 3),
    previewEvery: positiveInt('previewEvery', opts.previewEvery ?? 0, 0),
    onProgress: opts.onProgress,
    signal: opts.signal,
  };
}

/**
 * The degradation the contraction's data term models: the one given, else the registered
 * estimator's estimate; none (area downsampling) when there is neither, as with a custom prior
 * and `@difbfsr/models` not imported.
 */
async function contractionDegradation(y: tf.Tensor4D, options: RestoreOptions): Promise<(Degradation & { estimated: boolean }) | undefined> {
  return options.degradation || hasDefaultDegradationEstimator() ? degradationFor(y, options) : undefined;
}

/** The diffusion method: the conditional diffusion contraction, with reruns after a collapse. */
async function restoreDiffusion(decoded: DecodedInput, options: RestoreOptions): Promise<MethodResult> {
  const prior = options.prior ?? (await getDefaultPrior({ backend: options.backend }));
  const { height, width } = decoded.layout;
  resolveSettings(options, prior, height, width); // bad options and sizes fail before the estimator runs
  const degradation = await contractionDegradation(decoded.rgb, options);
  const settings = resolveSettings(options, prior, height, width, degradation);
  const maxRetries = positiveInt('collapseRetries', options.collapseRetries ?? 1, 0);
  let r = await runContraction(decoded.rgb, settings);
  let retries = 0;
  while (r.collapsed && retries < maxRetries) {
    // An unstable trajectory: rerun the chain with the next seed.
    r.image.dispose();
    const attempt = ++retries;
    const onProgress = settings.onProgress && ((p: RestoreProgress) => settings.onProgress!({ ...p, attempt }));
    r = await runContraction(decoded.rgb, { ...settings, seed: settings.seed + attempt, onProgress });
  }
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
      retries,
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
}

const METHODS: readonly RestoreMethod[] = ['diffusion', 'posterior', 'gaussian'];

/** A per-pixel standard deviation map of a restore, in 0..255 units (HWC, 3 channels). */
export interface UncertaintyMap {
  data: Float32Array;
  width: number;
  height: number;
  channels: 3;
}

/**
 * Restore a degraded low-resolution face (DifBFSR): x`scale` super-resolution by conditional
 * diffusion contraction with a pre-trained prior (or, with `method: 'gaussian'`, the closed-form
 * posterior mean of the Gaussian face model), returning the result and what happened; with the
 * per-pixel posterior standard deviation as `uncertainty` where the method provides one.
 *
 * @param input the LR face, `scale` times smaller than the prior's resolution; 1, 3 or 4 channels
 *   (grey is replicated; alpha is set aside and upscaled bicubically).
 */
export async function restoreWithInfo<I extends ImageInput>(
  input: I,
  options: RestoreOptions = {},
): Promise<{ output: RestoreOutput<I>; info: RestoreInfo; uncertainty?: UncertaintyMap }> {
  throwIfAborted(options.signal);
  const method = options.method ?? 'diffusion';
  if (!METHODS.includes(method)) throw new DifbfsrError('INVALID_OPTION', `method must be one of ${METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const started = performance.now();
  const decoded = decodeInput(input);
  try {
    const run = { diffusion: restoreDiffusion, posterior: restorePosterior, gaussian: restoreGaussian }[method];
    const r = await run(decoded, options);
    const output = encodeOutput(r.image, decoded.layout, decoded.alpha) as RestoreOutput<I>;
    const [, height, width] = r.image.shape;
    r.image.dispose();
    const info: RestoreInfo = { ...r.info, backend: tf.getBackend(), timeMs: performance.now() - started };
    if (!r.std) return { output, info };
    return { output, info, uncertainty: { data: Float32Array.from(r.std, (v) => v * 127.5), width, height, channels: 3 } };
  } finally {
    decoded.rgb.dispose();
    decoded.alpha?.dispose();
  }
}

/**
 * Restore a degraded low-resolution face; the result has the same form as the input, with pixel
 * values in 0..255. See {@link RestoreOptions} for the knobs and {@link restoreWithInfo} for diagnostics.
 *
 * @example
 * ```ts
 * import { restore } from '@difbfsr/core';
 * const hr = await restore(lrImageData, { seed: 1, onProgress: (p) => console.log(p.step, p.total) });
 * ```
 */
export async function restore<I extends ImageInput>(input: I, options: RestoreOptions = {}): Promise<RestoreOutput<I>> {
  return (await restoreWithInfo(input, { ...options, uncertainty: false })).output;
}
