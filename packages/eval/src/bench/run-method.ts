import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, lrConsistencyRmse, resizeBicubic, restoreWithInfo, type Degradation, type RestoreOptions } from '@difbfsr/core';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../image.js';
import { SrRegressor } from './sr-regressor.js';
import type { Method } from './methods.js';
import { lrLowPassOf, posteriorOptionsOf, restoreOptionsOf, type RestoreOverrides } from './restore-overrides.js';

/** A method's output on one LR face and what restore() said about it. */
export interface MethodRun {
  readonly output: RgbImage;
  /** LR-consistency RMSE after the LR low-pass, [-1, 1] units (restore's `RestoreInfo.lrRmse`). */
  readonly lrRmse: number;
  /** The same for the bicubic upsampling of the input. */
  readonly baselineLrRmse: number;
  /** Chains rerun after a collapse (restore's `RestoreInfo.retries`; absent in records made before reruns existed). */
  readonly retries?: number;
  /** The result is a fallback: every chain collapsed. */
  readonly collapsed: boolean;
  /** Wall time of the method on this image, ms. */
  readonly timeMs: number;
  /** The prior and the SRM/CFM optimiser that ran, and the tfjs backend (`'-'` for bicubic). */
  readonly prior: string;
  readonly optimizer: string;
  readonly backend: string;
  /** Network calls made and the timestep the chain started at (0 for bicubic). */
  readonly steps: number;
  readonly startTimestep: number;
}

/** uint8 RGB `[1, h, w, 3]` in [-1, 1]. */
function toUnit(img: RgbImage): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]), 127.5), 1));
}

/**
 * The paper's Input column: bicubic x`scale` upsampling of the LR face (core's `resizeBicubic`,
 * the same interpolation restore()'s SRM starts from), rounded to uint8; with its LR consistency.
 */
function bicubic(lr: RgbImage, scale: number, o: RestoreOverrides): MethodRun {
  const started = performance.now();
  const { output, lrRmse } = tf.tidy(() => {
    const y = toUnit(lr);
    const up = resizeBicubic(y, lr.height * scale, lr.width * scale);
    const pixels = tf.clipByValue(tf.round(tf.mul(tf.add(up, 1), 127.5)), 0, 255);
    const lowPass = lrLowPassOf(o);
    const rmse = lrConsistencyRmse(lowPass.apply(y), tf.sub(tf.div(pixels, 127.5), 1) as tf.Tensor4D, scale, lowPass);
    return { output: { width: lr.width * scale, height: lr.height * scale, data: Uint8Array.from(pixels.dataSync()) }, lrRmse: rmse };
  });
  const timeMs = performance.now() - started;
  return { output, lrRmse, baselineLrRmse: lrRmse, collapsed: false, timeMs, prior: '-', optimizer: '-', backend: tf.getBackend(), steps: 0, startTimestep: 0 };
}

/** Where the `regressor` rows read the anchor's weights (`tools/sr-anchor/train.py`; `DIFBFSR_SR_ANCHOR` overrides). */
export const SR_ANCHOR_PATH = process.env.DIFBFSR_SR_ANCHOR ?? fileURLToPath(new URL('../../../../tools/sr-anchor/runs/regressor.safetensors', import.meta.url));

let regressor: Promise<SrRegressor> | undefined;

/** The anchor regressor's output, timed like the other methods. */
async function regress(lr: RgbImage, scale: number, o: RestoreOverrides): Promise<MethodRun> {
  if (scale !== 4) throw new DifbfsrError('INVALID_OPTION', `the SR regressor anchor is x4 only, got scale ${scale}`);
  regressor ??= SrRegressor.load(SR_ANCHOR_PATH);
  const model = await regressor;
  const started = performance.now();
  const { output, lrRmse } = tf.tidy(() => {
    const y = toUnit(lr);
    const pixels = tf.clipByValue(tf.round(tf.mul(tf.add(model.predict(y), 1), 127.5)), 0, 255);
    const lowPass = lrLowPassOf(o);
    const rmse = lrConsistencyRmse(lowPass.apply(y), tf.sub(tf.div(pixels, 127.5), 1) as tf.Tensor4D, scale, lowPass);
    return { output: { width: lr.width * scale, height: lr.height * scale, data: Uint8Array.from(pixels.dataSync()) }, lrRmse: rmse };
  });
  const timeMs = performance.now() - started;
  const baselineLrRmse = bicubic(lr, scale, o).lrRmse;
  return { output, lrRmse, baselineLrRmse, collapsed: false, timeMs, prior: 'sr-anchor', optimizer: '-', backend: tf.getBackend(), steps: 0, startTimestep: 0 };
}

/** restore() options of a method (not bicubic); `truth` is what `'gaussian-oracle'` (and the ablations, with the oracle override) are given. */
function optionsOf(method: Exclude<Method, 'bicubic' | 'regressor'>, o: RestoreOverrides, truth: Degradation | undefined): RestoreOptions {
  if (method === 'gaussian') return { method: 'gaussian' };
  if (method === 'gaussian-oracle') {
    if (!truth) throw new DifbfsrError('INVALID_OPTION', "method 'gaussian-oracle' needs the true degradation of the face");
    return { method: 'gaussian', degradation: truth };
  }
  if (method === 'posterior') return { ...posteriorOptionsOf(o), method: 'posterior' };
  return restoreOptionsOf(method, o, truth);
}

/**
 * Run one method on an LR face: `bicubic`, restore()'s closed form, or restore() with
 * `ablation: method` and the overrides.
 * @param extra options that do not change the result (progress, cancellation)
 * @param truth the face's true degradation (for `'gaussian-oracle'` and the oracle override)
 */
export async function runMethod(
  method: Method,
  lr: RgbImage,
  o: RestoreOverrides,
  extra: Pick<RestoreOptions, 'onProgress' | 'signal'> = {},
  scale = 4,
  truth?: Degradation,
): Promise<MethodRun> {
  if (method === 'bicubic') return bicubic(lr, scale, o);
  if (method === 'regressor') return regress(lr, scale, o);
  const { output, info } = await restoreWithInfo({ data: lr.data, width: lr.width, height: lr.height, channels: 3 }, { ...optionsOf(method, o, truth), ...extra, scale });
  return {
    output: { width: output.width, height: output.height, data: Uint8Array.from(output.data) },
    lrRmse: info.lrRmse,
    baselineLrRmse: info.baselineLrRmse,
    retries: info.retries,
    collapsed: info.collapsed,
    timeMs: info.timeMs,
    prior: info.prior,
    optimizer: info.optimizer,
    backend: info.backend,
    steps: info.steps,
    startTimestep: info.startTimestep,
  };
}
