import type { DegradationEstimator } from '../degradation/degradation-estimator.js';
import { DifbfsrError } from '../errors.js';
import type { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';

/** The default prior's companions: its Gaussian face model and its degradation estimator, loaded on first use. */
export interface FaceModelCompanions {
  gaussian?: () => Promise<GaussianFaceModel>;
  estimator?: () => Promise<DegradationEstimator>;
}

let companions: FaceModelCompanions = {};
let gaussian: Promise<GaussianFaceModel> | undefined;
let estimator: Promise<DegradationEstimator> | undefined;

/** Register the default Gaussian face model and degradation estimator (`@difbfsr/models` does on import). */
export function setFaceModelCompanions(next: FaceModelCompanions): void {
  companions = next;
  gaussian = undefined;
  estimator = undefined;
}

function once<T>(load: (() => Promise<T>) | undefined, what: string, option: string, reset: () => void): Promise<T> {
  if (!load) return Promise.reject(new DifbfsrError('INVALID_OPTION', `No ${what}: pass options.${option}, or import "@difbfsr/models" to register the bundled one`));
  return load().catch((e: unknown) => {
    reset();
    throw e;
  });
}

/** The default Gaussian face model. @throws DifbfsrError `INVALID_OPTION` when none is registered. */
export function getDefaultGaussianModel(): Promise<GaussianFaceModel> {
  gaussian ??= once(companions.gaussian, 'Gaussian face model', 'gaussianModel', () => (gaussian = undefined));
  return gaussian;
}

/** Whether a default degradation estimator is registered (it may still fail to load). */
export function hasDefaultDegradationEstimator(): boolean {
  return companions.estimator !== undefined;
}

/** The default degradation estimator. @throws DifbfsrError `INVALID_OPTION` when none is registered. */
export function getDefaultDegradationEstimator(): Promise<DegradationEstimator> {
  estimator ??= once(companions.estimator, 'degradation estimator', 'degradation', () => (estimator = undefined));
  return estimator;
}
