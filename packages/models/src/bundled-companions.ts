import { DifbfsrError, setFaceModelCompanions, type DegradationEstimator, type GaussianFaceModel } from '@difbfsr/core';
import { loadCheckpoint } from './checkpoint/load.js';
import { CnnDegradationEstimator } from './degradation-estimator/cnn-degradation-estimator.js';
import { gaussianModelFromStateDict } from './gaussian/gaussian-model-from-state-dict.js';
import type { StateDict } from './checkpoint/types.js';

/**
 * The bundled prior's Gaussian face model (`tools/gaussian-prior/fit.py`: mean, leading eigenvectors
 * and remainder of the training faces' covariance, float16). Sits in `src/` like {@link BUNDLED_PRIOR_URL}.
 */
export const BUNDLED_GAUSSIAN_MODEL_URL: URL = new URL('../assets/face64/gaussian.safetensors', import.meta.url);

/** The bundled degradation estimator (`tools/degradation-estimator/train.py`) for 16x16 inputs at scale 4. */
export const BUNDLED_DEGRADATION_ESTIMATOR_URL: URL = new URL('../assets/face64/degradation-estimator.safetensors', import.meta.url);

async function load<T>(url: URL, what: string, build: (sd: StateDict) => T): Promise<T> {
  const sd = await loadCheckpoint(url).catch((err: unknown) => {
    throw new DifbfsrError('IO', `The bundled ${what} could not be loaded from ${url.href}`, { cause: err });
  });
  return build(sd);
}

/** Load the bundled Gaussian face model (a {@link GaussianFaceModel}: also a closed-form `Denoiser`). */
export function loadBundledGaussianModel(): Promise<GaussianFaceModel> {
  return load(BUNDLED_GAUSSIAN_MODEL_URL, 'Gaussian face model', (sd) => gaussianModelFromStateDict(sd, 'difbfsr-face64-gaussian'));
}

/** Load the bundled degradation estimator. */
export function loadBundledDegradationEstimator(): Promise<DegradationEstimator> {
  return load(BUNDLED_DEGRADATION_ESTIMATOR_URL, 'degradation estimator', (sd) => new CnnDegradationEstimator(sd, 'difbfsr-face64-degradation'));
}

/** Make them `restore()`'s defaults (done when this package is imported). */
export function registerBundledCompanions(): void {
  setFaceModelCompanions({ gaussian: loadBundledGaussianModel, estimator: loadBundledDegradationEstimator });
}
