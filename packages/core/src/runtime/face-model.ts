import type { DegradationEstimator } from '../degradation/degradation-estimator.js';
import type { Denoiser } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';
import type { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';
import { BlendedDenoiser, type BlendWeights } from '../priors/blended-denoiser.js';
import type { FaceTemplate } from '../types/face.js';
import { createDenoiser, type DenoiserRequest } from './create-denoiser.js';
import { checkRuntimeChoice, type NetworkSpec } from './runtime-registry.js';

/**
 * Everything `restore()` uses when no model is passed: the diffusion prior (a network that a
 * registered runtime builds, or a ready denoiser), where its training faces had their landmarks,
 * and its companions: the Gaussian face model and the degradation estimator fitted to the same
 * faces. Loaders run on first use. `@difbfsr/models` registers its bundled face model on import.
 */
export interface FaceModel {
  /** The prior: a network (config and weights, built on the runtime a restore asks for), or a denoiser factory. */
  readonly prior?: { network(): Promise<NetworkSpec> } | { denoiser(): Denoiser | Promise<Denoiser> };
  /** The framing `restorePhoto()` aligns faces to, carried by the prior as `faceTemplate`. */
  readonly faceTemplate?: FaceTemplate;
  /** The Gaussian face model of `method: 'gaussian'` and the posterior sampler. */
  readonly gaussianModel?: () => Promise<GaussianFaceModel>;
  /**
   * With a Gaussian model: the network's weight per timestep against it. The default prior is then
   * their {@link BlendedDenoiser} (the network where it denoises better, the Gaussian model where it does).
   */
  readonly priorBlend?: BlendWeights;
  /** The estimator of the input's degradation, when a restore is not given one. */
  readonly degradationEstimator?: () => Promise<DegradationEstimator>;
}

let model: FaceModel = {};
let priors = new Map<string, Promise<Denoiser>>();
let gaussian: Promise<GaussianFaceModel> | undefined;
let estimator: Promise<DegradationEstimator> | undefined;

/** Make `next` the default face model (`undefined`: none); what was loaded of the previous one is forgotten. */
export function setDefaultFaceModel(next: FaceModel | undefined): void {
  model = next ?? {};
  priors = new Map();
  gaussian = undefined;
  estimator = undefined;
}

/** `load()`, retried on the next call when it fails. */
function once<T>(load: () => Promise<T>, forget: () => void): Promise<T> {
  return load().catch((e: unknown) => {
    forget();
    throw e;
  });
}

function missing(what: string, option: string): DifbfsrError {
  return new DifbfsrError('INVALID_OPTION', `No ${what}: pass options.${option}, or import "@difbfsr/models" to register the bundled face model`);
}

async function buildPrior(request: DenoiserRequest): Promise<Denoiser> {
  const source = model.prior;
  if (!source) throw missing('prior', 'prior');
  const network = 'network' in source ? await createDenoiser(await source.network(), request) : await source.denoiser();
  const prior: Denoiser = model.priorBlend ? new BlendedDenoiser(network, await getDefaultGaussianModel(), model.priorBlend) : network;
  if (model.faceTemplate && !prior.faceTemplate) Object.defineProperty(prior, 'faceTemplate', { value: model.faceTemplate, enumerable: true });
  return prior;
}

/**
 * The default face model's prior on a runtime and device (default `'auto'`), built on first use
 * and shared: do not dispose it.
 * @throws DifbfsrError `INVALID_OPTION` for an unknown backend or when no face model with a prior is
 *   registered, and what {@link createDenoiser} throws.
 */
export function getDefaultPrior(request: DenoiserRequest = {}): Promise<Denoiser> {
  try {
    checkRuntimeChoice('backend', request.backend ?? 'auto');
  } catch (e) {
    return Promise.reject(e);
  }
  const key = `${request.backend ?? 'auto'}/${request.device ?? 'auto'}`;
  let prior = priors.get(key);
  if (!prior) {
    prior = once(() => buildPrior(request), () => priors.delete(key));
    priors.set(key, prior);
  }
  return prior;
}

/** The default Gaussian face model. @throws DifbfsrError `INVALID_OPTION` when none is registered. */
export function getDefaultGaussianModel(): Promise<GaussianFaceModel> {
  const load = model.gaussianModel;
  if (!load) return Promise.reject(missing('Gaussian face model', 'gaussianModel'));
  gaussian ??= once(load, () => (gaussian = undefined));
  return gaussian;
}

/** Whether a default Gaussian face model is registered (it may still fail to load). */
export function hasDefaultGaussianModel(): boolean {
  return model.gaussianModel !== undefined;
}

/** Whether a default degradation estimator is registered (it may still fail to load). */
export function hasDefaultDegradationEstimator(): boolean {
  return model.degradationEstimator !== undefined;
}

/** The default degradation estimator. @throws DifbfsrError `INVALID_OPTION` when none is registered. */
export function getDefaultDegradationEstimator(): Promise<DegradationEstimator> {
  const load = model.degradationEstimator;
  if (!load) return Promise.reject(missing('degradation estimator', 'degradation'));
  estimator ??= once(load, () => (estimator = undefined));
  return estimator;
}
