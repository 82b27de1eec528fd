import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../errors.js';
import { decodeInput, encodeOutput, type ImageInput } from '../image/image-io.js';
import type { FloatImage, RawImage } from '../types/image.js';
import type { RestoreMethodRun } from './method-result.js';
import type { RestoreInfo, RestoreMethod, RestoreOptions } from './options.js';
import { resolveRestoreOptions, type ResolvedRestoreOptions } from './resolve-options.js';
import { restoreDiffusion } from './restore-diffusion.js';
import { restoreGaussian } from './restore-gaussian.js';
import { restorePosterior } from './restore-posterior.js';

/** The restored image in the same form as the input (tensor of the same rank, or a {@link RawImage}). */
export type RestoreOutput<I extends ImageInput> = I extends tf.Tensor4D ? tf.Tensor4D : I extends tf.Tensor3D ? tf.Tensor3D : I extends RawImage<infer D> ? RawImage<D> : RawImage;

const METHODS: Record<RestoreMethod, RestoreMethodRun> = { diffusion: restoreDiffusion, posterior: restorePosterior, gaussian: restoreGaussian };

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
): Promise<{ output: RestoreOutput<I>; info: RestoreInfo; uncertainty?: FloatImage }> {
  throwIfAborted(options.signal);
  return restoreResolved(input, resolveRestoreOptions(options));
}

/** {@link restoreWithInfo} with options already checked (`restorePhoto()` checks them once for every face). */
export async function restoreResolved<I extends ImageInput>(
  input: I,
  options: ResolvedRestoreOptions,
): Promise<{ output: RestoreOutput<I>; info: RestoreInfo; uncertainty?: FloatImage }> {
  throwIfAborted(options.call.signal);
  const started = performance.now();
  const decoded = decodeInput(input);
  try {
    const r = await METHODS[options.run.method](decoded, options);
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
