import { DifbfsrError, gaussianLowPass, identityLowPass, RESTORE_DEFAULTS, type Ablation, type Degradation, type LowPass, type OptimizerChoice, type RestoreOptions, type RuntimeChoice } from '@difbfsr/core';

/** The restore() options the bench can override, as restore() types them (unset: `RESTORE_DEFAULTS`). */
type RestoreKnobs = Pick<
  RestoreOptions,
  'steps' | 'strength' | 'warmupIters' | 'cfmKernelSize' | 'lrSigmaPerNoise' | 'adamSteps' | 'srmLearningRate' | 'cfmLearningRate' | 'adamEpsilon' | 'srmStart' | 'samples' | 'fidelity'
>;

/** The restore() options the bench can override, and its own (JSON-able, so they are hashed into each result's key). */
export interface RestoreOverrides extends Readonly<RestoreKnobs> {
  readonly seed: number;
  /** What runs the default prior and the SRM/CFM optimisation. */
  readonly backend: RuntimeChoice;
  readonly optimizer?: Exclude<OptimizerChoice, Function>;
  /** Sigma (LR pixels) of the Gaussian LR low-pass of the loss; 0 = identity. */
  readonly lrSigma?: number;
  /**
   * `'oracle'`: the ablations are given the face's true degradation (the protocol case's blur and
   * the measured effective noise) instead of estimating it. `'area'`: the runner registers no
   * degradation estimator, so the ablations' data term uses area downsampling (as before issue #20).
   */
  readonly degradation?: 'oracle' | 'area';
}

/** The restore() settings a run of the bench uses: its overrides over `RESTORE_DEFAULTS` (for its log). */
export function effectiveSettings(o: RestoreOverrides): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  // Not `method`: the bench's method list sets it per restore.
  const defaults = Object.fromEntries(Object.entries(RESTORE_DEFAULTS).filter(([k]) => k !== 'method'));
  return { ...defaults, ...given };
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
