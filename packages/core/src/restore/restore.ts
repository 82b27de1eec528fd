import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import { DifbfsrError, throwIfAborted } from '../errors.js';
import { downUpLowPass, gaussianLowPass, toLowPass } from '../filters/low-pass.js';
import { decodeInput, encodeOutput, type ImageInput, type RawImage } from '../image/image-io.js';
import { diffusionTables, linearSchedule } from '../schedule/diffusion-schedule.js';
import { runContraction, type ContractionSettings } from './contraction.js';
import { getDefaultPrior } from './default-prior.js';
import { optimizerChoiceOf } from './optimizer-choice.js';
import type { Ablation, RestoreInfo, RestoreOptions, RestoreProgress } from './options.js';
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

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new DifbfsrError('INVALID_OPTION', `${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function positiveNumber(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new DifbfsrError('INVALID_OPTION', `${name} must be a positive number, got ${v}`);
  return v;
}

/**
 * What to do about an input that is not `res / scale` pixels square: resize it to that size, or
 * use the scale that fits it when there is one (a power of two of at least 2).
 */
function sizeHint(res: number, scale: number, lrHeight: number, lrWidth: number): string {
  const need = res / scale;
  if (!Number.isInteger(need)) return `use a scale that divides ${res}`;
  const fitting = res / lrWidth;
  const other = lrWidth === lrHeight && fitting >= 2 && Number.isInteger(Math.log2(fitting)) ? `, or use scale ${fitting}` : '';
  return `resize the face to ${need}x${need} first${other}`;
}

/** Validate options against the input and the prior, and fill in every default. */
export function resolveSettings(opts: RestoreOptions, prior: Denoiser, lrHeight: number, lrWidth: number): ContractionSettings {
  const scale = opts.scale ?? 4;
  if (!Number.isInteger(Math.log2(scale)) || scale < 2) {
    throw new DifbfsrError('INVALID_OPTION', `scale must be a power of two (2, 4, 8, ...), got ${scale}`);
  }
  const res = prior.resolution;
  if (lrHeight * scale !== res || lrWidth * scale !== res) {
    const hint = sizeHint(res, scale, lrHeight, lrWidth);
    throw new DifbfsrError(
      'INVALID_SIZE',
      `Input is ${lrWidth}x${lrHeight}; at scale ${scale} that gives ${lrWidth * scale}x${lrHeight * scale}, but the prior works at ${res}x${res}: ${hint}`,
    );
  }
  const strength = opts.strength ?? 0.4;
  if (!(strength > 0 && strength <= 1)) throw new DifbfsrError('INVALID_OPTION', `strength must be in (0, 1], got ${strength}`);
  const steps = positiveInt('steps', opts.steps ?? 100);
  const schedule = opts.schedule ?? linearSchedule(opts.respacing ?? String(Math.round(steps / strength)));
  const tables = diffusionTables(schedule);
  // With an explicit respacing or schedule, `strength` picks the start among its steps.
  const startIndex =
    opts.schedule || opts.respacing ? Math.min(tables.betas.length, Math.round(strength * tables.betas.length)) - 1 : Math.min(steps, tables.betas.length) - 1;
  if (startIndex < 0) throw new DifbfsrError('INVALID_OPTION', `strength ${strength} leaves no step of the ${tables.betas.length}-step chain`);
  const switches = opts.ablation ? ABLATIONS[opts.ablation] : { srm: opts.srm ?? true, cfm: opts.cfm ?? true };
  if (!switches) throw new DifbfsrError('INVALID_OPTION', `ablation must be one of ${Object.keys(ABLATIONS).join(', ')}, got ${opts.ablation}`);
  const ddnm = opts.ablation === 'ddnm';
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
    lrLowPass: toLowPass(opts.lrLowPass ?? gaussianLowPass(1)),
    optimizer: optimizerChoiceOf(opts.optimizer, opts.backend),
    seed: opts.seed ?? 0,
    collapseFactor: positiveNumber('collapseFactor', opts.collapseFactor ?? 3),
    previewEvery: positiveInt('previewEvery', opts.previewEvery ?? 0, 0),
    onProgress: opts.onProgress,
    signal: opts.signal,
  };
}

/**
 * Restore a degraded low-resolution face (DifBFSR): x`scale` super-resolution by conditional
 * diffusion contraction with a pre-trained prior, returning the result and what happened.
 *
 * @param input the LR face, `scale` times smaller than the prior's resolution; 1, 3 or 4 channels
 *   (grey is replicated; alpha is set aside and upscaled bicubically).
 */
export async function restoreWithInfo<I extends ImageInput>(input: I, options: RestoreOptions = {}): Promise<{ output: RestoreOutput<I>; info: RestoreInfo }> {
  throwIfAborted(options.signal);
  const started = performance.now();
  const prior = options.prior ?? (await getDefaultPrior({ backend: options.backend }));
  const decoded = decodeInput(input);
  try {
    const settings = resolveSettings(options, prior, decoded.layout.height, decoded.layout.width);
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
    const output = encodeOutput(r.image, decoded.layout, decoded.alpha) as RestoreOutput<I>;
    r.image.dispose();
    return {
      output,
      info: {
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
        backend: tf.getBackend(),
        timeMs: performance.now() - started,
      },
    };
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
  return (await restoreWithInfo(input, options)).output;
}
