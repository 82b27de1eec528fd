/**
 * The default of every `restore()` option that has one: the one place they are set. `restore()`
 * and `restorePhoto()` fill unset options from here; the `difbfsr restore` help, its JSON report and
 * the quality bench's report read it. Grouped as {@link RestoreOptions} is.
 */
export const RESTORE_DEFAULTS = {
  // What runs.
  /** `'posterior'` with the bundled face model (see `RestoreOptions.method`). */
  method: 'auto',
  backend: 'auto',
  /**
   * Posterior samples (chains in one batch). With the control variate, the fidelity mode of 8
   * scored +0.24 dB over `'gaussian'` on dev faces (docs/benchmarks.md); fewer samples cost proportionally less.
   */
  samples: 8,
  fidelity: 1,
  uncertainty: true,
  // The chain.
  scale: 4,
  steps: 100,
  /**
   * `steps` of `method: 'posterior'` when not given (network calls of `samples` images each). Its
   * steps are exact for the Gaussian part of the prior whatever their number (docs/degradation-model.md).
   */
  posteriorSteps: 25,
  strength: 0.4,
  // Optimisation hyper-parameters (method 'diffusion').
  /** The quality bench's tuning sweep found 50 the best with the CFM kernel of 3 (docs/benchmarks.md). */
  warmupIters: 50,
  adamSteps: 1,
  srmLearningRate: 2e-3,
  cfmLearningRate: 5e-3,
  /** tfjs's float32 epsilon; 1e-6 makes the tfjs and ONNX Runtime optimisers agree to one grey level (docs/benchmarks.md, "Adam epsilon"). */
  adamEpsilon: 1e-7,
  srm: true,
  cfm: true,
  srmStart: 'bicubic',
  /** The algorithm page's 7 measured no better (docs/benchmarks.md). */
  cfmKernelSize: 3,
  /**
   * Sigma 0.3 LR pixels for a nearly clean input (the protocol's case 7, effective noise ~4), 1.0 at
   * case 3 (~13), 1.6 at case 0 (~19). On the quality bench (docs/benchmarks.md, "Contraction data
   * term") #4 scored 0.34 dB more than with sigma 1 at every noise level (0.08 and 0.1 tie; a fixed
   * sigma loses at one end or the other).
   */
  lrSigmaPerNoise: 0.08,
  collapseFactor: 3,
  collapseRetries: 1,
  // Per call.
  seed: 0,
  previewEvery: 0,
} as const;
