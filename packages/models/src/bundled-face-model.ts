import { DifbfsrError, setDefaultFaceModel, type BlendWeights, type DegradationEstimator, type FaceModel, type GaussianFaceModel } from '@difbfsr/core';
import { loadCheckpoint } from './checkpoint/load.js';
import type { StateDict } from './checkpoint/types.js';
import blend from '../assets/face64/blend.json';
import { BUNDLED_FACE_TEMPLATE } from './bundled-face-template.js';
import { CnnDegradationEstimator } from './degradation-estimator/cnn-degradation-estimator.js';
import { gaussianModelFromStateDict } from './gaussian/gaussian-model-from-state-dict.js';
import { unetConfigOf } from './unet/checkpoint-config.js';
import type { UNetSpec } from './unet/unet-spec.js';

/**
 * Location of the bundled 64x64 face prior (float16 safetensors with its config in the metadata),
 * shipped inside this package. A `file:` URL in Node, an asset URL for bundlers in browsers.
 * This module sits directly in `src/` so the relative path is the same from `src/` and `dist/`.
 */
export const BUNDLED_PRIOR_URL: URL = new URL('../assets/face64/prior.safetensors', import.meta.url);

/**
 * The bundled prior's Gaussian face model (`tools/gaussian-prior/fit.py`: mean, leading eigenvectors
 * and remainder of the training faces' covariance, float16).
 */
export const BUNDLED_GAUSSIAN_MODEL_URL: URL = new URL('../assets/face64/gaussian.safetensors', import.meta.url);

/** The bundled degradation estimator (`tools/degradation-estimator/train.py`) for 16x16 inputs at scale 4. */
export const BUNDLED_DEGRADATION_ESTIMATOR_URL: URL = new URL('../assets/face64/degradation-estimator.safetensors', import.meta.url);

/** The bundled network's name: `RestoreInfo.prior` reports it with the runtime (`difbfsr-face64(tfjs)`). */
const NAME = 'difbfsr-face64';

async function load<T>(url: URL, what: string, build: (sd: StateDict) => T): Promise<T> {
  const sd = await loadCheckpoint(url).catch((err: unknown) => {
    throw new DifbfsrError('IO', `The bundled ${what} could not be loaded from ${url.href}`, { cause: err });
  });
  return build(sd);
}

let network: Promise<UNetSpec> | undefined;

/** The bundled face prior as a network (config and weights, loaded once), for any registered runtime. */
export function loadBundledNetwork(): Promise<UNetSpec> {
  network ??= load(BUNDLED_PRIOR_URL, 'face prior', (weights) => ({ config: unetConfigOf(weights, 'bundled face prior'), weights, name: NAME })).catch((err: unknown) => {
    network = undefined;
    throw err;
  });
  return network;
}

/** Load the bundled Gaussian face model (a {@link GaussianFaceModel}: also a closed-form `Denoiser`). */
export function loadBundledGaussianModel(): Promise<GaussianFaceModel> {
  return load(BUNDLED_GAUSSIAN_MODEL_URL, 'Gaussian face model', (sd) => gaussianModelFromStateDict(sd, 'difbfsr-face64-gaussian'));
}

/** Load the bundled degradation estimator. */
export function loadBundledDegradationEstimator(): Promise<DegradationEstimator> {
  return load(BUNDLED_DEGRADATION_ESTIMATOR_URL, 'degradation estimator', (sd) => new CnnDegradationEstimator(sd, 'difbfsr-face64-degradation'));
}

/** The blend of blend.json (written by tools/train-prior/blend.py; `bands` and `meanColour` since the 2026-12-06 exports). */
function blendWeights(file: { t: number[]; w: number[]; bands?: { ranges: number[][]; w: number[][] }; meanColour?: number[] }): BlendWeights {
  const { t, w, bands, meanColour } = file;
  return {
    t,
    w,
    ...(bands ? { bands: { ranges: bands.ranges.map(([a, b]) => [a, b] as const), w: bands.w } } : {}),
    ...(meanColour ? { meanColour } : {}),
  };
}

/**
 * The bundled face model: the 64x64 face prior, its face template, and the Gaussian face model and
 * degradation estimator fitted to the same faces. The default prior is the network blended with the
 * Gaussian face model per timestep and per eigen-band of the Gaussian model (`assets/face64/blend.json`,
 * fitted by `tools/train-prior/blend.py`: the network keeps most weight along the model's leading
 * components and loses it first in the rest of the image space as t grows).
 */
export const BUNDLED_FACE_MODEL: FaceModel = {
  prior: { network: loadBundledNetwork },
  faceTemplate: BUNDLED_FACE_TEMPLATE,
  gaussianModel: loadBundledGaussianModel,
  priorBlend: blendWeights(blend),
  degradationEstimator: loadBundledDegradationEstimator,
};

/** Make the bundled face model `restore()`'s default (done when this package is imported). */
export function registerBundledFaceModel(): void {
  setDefaultFaceModel(BUNDLED_FACE_MODEL);
}
