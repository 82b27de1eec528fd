import { DifbfsrError, gaussianLowPass, identityLowPass, type Ablation, type Degradation, type LowPass, type OptimizerChoice, type RuntimeChoice, type RestoreOptions } from '@difbfsr/core';

/** The restore() options the bench can override (JSON-able, so they are hashed into each result's key). */
export interface RestoreOverrides {
  readonly seed: number;
  /** What runs the default prior and the SRM/CFM optimisation. */
  readonly backend: RuntimeChoice;
  readonly optimizer?: Exclude<OptimizerChoice, Function>;
  readonly steps?: number;
  readonly strength?: number;
  readonly warmupIters?: number;
  readonly cfmKernelSize?: number;
  /** Sigma (LR pixels) of the Gaussian LR low-pass of the loss; 0 = identity. */
  readonly lrSigma?: number;
  /** restore()'s `lrSigmaPerNoise`: how the default LR low-pass widens with the degradation's noise. */
  readonly lrSigmaPerNoise?: number;
  /**
   * `'oracle'`: the ablations are given the face's true degradation (the protocol case's blur and
   * the measured effective noise) instead of estimating it. `'area'`: the runner registers no
   * degradation estimator, so the ablations' data term uses area downsampling (as before issue #20).
   */
  readonly degradation?: 'oracle' | 'area';
  readonly adamSteps?: number;
  readonly srmLearningRate?: number;
  readonly cfmLearningRate?: number;
  readonly adamEpsilon?: number;
  readonly srmStart?: 'bicubic' | 'dip';
  /** Posterior samples and their blend (`method: 'posterior'`). */
  readonly samples?: number;
  readonly fidelity?: number;
}

/** The LR low-pass the overrides ask for (restore's default, Gaussian sigma 1, when unset). */
export function lrLowPassOf(o: RestoreOverrides): LowPass {
  if (o.lrSigma === undefined) return gaussianLowPass(1);
  return o.lrSigma === 0 ? identityLowPass : gaussianLowPass(o.lrSigma);
}

/** restore() options of the posterior sampler with these overrides (the ones it reads). */
export function posteriorOptionsOf(o: RestoreOverrides): RestoreOptions {
  const { seed, backend, steps, strength, samples, fidelity } = o;
  return { seed, backend, steps, strength, samples, fidelity };
}

/**
 * restore() options for an ablation with these overrides (unset ones keep restore's defaults).
 * @param truth the face's true degradation, given to restore() when the overrides ask for the oracle
 */
export function restoreOptionsOf(ablation: Ablation, o: RestoreOverrides, truth?: Degradation): RestoreOptions {
  const { lrSigma, samples: _samples, fidelity: _fidelity, degradation, ...rest } = o;
  if (degradation === 'oracle' && !truth) throw new DifbfsrError('INVALID_OPTION', 'the oracle degradation override needs the true degradation of the face');
  return { ...rest, ablation, ...(lrSigma === undefined ? {} : { lrLowPass: lrLowPassOf(o) }), ...(degradation === 'oracle' ? { degradation: truth } : {}) };
}
