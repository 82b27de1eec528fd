import type { Denoiser } from '../denoiser.js';
import type { RuntimeChoice } from '../runtime/runtime-registry.js';
import type { RESTORE_DEFAULTS } from './restore-defaults.js';
import type { OptimizerChoice } from '../runtime/create-optimizer.js';
import type { LowPassLike } from '../filters/low-pass.js';
import type { Schedule } from '../schedule/diffusion-schedule.js';
import type { RawImage } from '../types/image.js';
import type { Degradation } from '../degradation/degradation-operator.js';
import type { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';

/**
 * The four ablations of the paper's table 4 (`'#1'`: no SRM, no CFM; `'#2'`: CFM only; `'#3'`: SRM
 * only; `'#4'`: both, the default), and `'ddnm'`, a zero-shot baseline: no SRM and no CFM,
 * `y_hat = A^+ y` (nearest replication) and the fixed filter `A^+ A` (area-down, nearest-up, which
 * replaces `lowPass`), so each step is DDNM's range-null-space projection
 * `x_hat = x0 + A^+(y - A x0)` with `A` the area downsampling (Wang et al. 2023).
 */
export type Ablation = '#1' | '#2' | '#3' | '#4' | 'ddnm';

/** A progress report of {@link restore}. */
export interface RestoreProgress {
  /** `'warmup'`: SRM warm-up iterations; `'diffusion'`: reverse steps (one network call each). */
  phase: 'warmup' | 'diffusion';
  /** 1-based index within the phase. */
  step: number;
  /** Steps in the phase. */
  total: number;
  /** Original timestep of the network call (diffusion phase). */
  t?: number;
  /** Loss of eq. 3 after this step's updates. */
  loss: number;
  /** The current x0 estimate as an RGBA image, on the steps chosen by `previewEvery`. */
  x0?: RawImage;
  /** On a chain rerun after a collapse (see `collapseRetries`): 1 for the first rerun, and so on. */
  attempt?: number;
}

/**
 * How a face is restored:
 * - `'diffusion'`: DifBFSR's conditional diffusion contraction (SRM and CFM, see `ablation`);
 * - `'posterior'` (the default with the bundled face model): a diffusion posterior sampler for the input's estimated degradation (a Gaussian
 *   posterior start, and each step's `x0` drawn given `x_t` and the input), `samples` chains at once,
 *   combined by `fidelity`;
 * - `'gaussian'`: the closed-form posterior mean of the Gaussian face model for the input's
 *   degradation (milliseconds, faithful, no generated detail).
 * `'posterior'` (with `samples` > 1) and `'gaussian'` return a per-pixel standard deviation as
 * `restoreWithInfo()`'s uncertainty map.
 */
export type RestoreMethod = 'diffusion' | 'posterior' | 'gaussian';

/**
 * What runs: the method, the models and runtimes it runs on, and the degradation it assumes.
 * Defaults: {@link RESTORE_DEFAULTS}.
 */
export interface MethodOptions {
  /**
   * See {@link RestoreMethod}. Default `'auto'`: `'posterior'` when a Gaussian face model goes with
   * the prior (`gaussianModel` given; one the prior carries, as `Denoiser.gaussianModel`, which the
   * bundled prior from `getDefaultPrior()` does; or, with no prior given, the registered face
   * model's) and no `ablation` is asked for, else `'diffusion'`. `RestoreInfo.method` says which ran.
   */
  method?: RestoreMethod | 'auto';
  /**
   * How the input was degraded (blur in HR pixels, effective noise on the 0..255 scale), when you
   * know it; by default it is estimated with the registered degradation estimator
   * (`estimateDegradation`). Every method's data term models it; for `'diffusion'` its operator `D`
   * (the blur, then MATLAB bicubic down) takes the result to the LR grid in the loss, the warm-up
   * and the collapse check, and its noise sets the default `lrLowPass` (`lrSigmaPerNoise`). With no
   * degradation given and no estimator registered (a custom prior without `@difbfsr/models`),
   * `'diffusion'` uses area downsampling instead, and `RestoreInfo.degradation` is absent.
   */
  degradation?: Degradation;
  /**
   * `method: 'posterior'`: how many posterior samples to draw (chains run as one batch). Their mean
   * is the fidelity mode; their per-pixel standard deviation the uncertainty map.
   */
  samples?: number;
  /**
   * `method: 'posterior'`: 1 returns the mean of the samples (most faithful), 0 the first sample
   * (most generated detail); in between, `mean + (1 - fidelity) (sample - mean)`.
   */
  fidelity?: number;
  /**
   * Compute `restoreWithInfo()`'s per-pixel uncertainty map where the method has one (`restore()`,
   * which returns only the image, skips it). For `'gaussian'` it costs 48 extra exact posterior
   * samples; for `'posterior'` it is the spread of the `samples` (K > 1) already drawn.
   */
  uncertainty?: boolean;
  /** The Gaussian face model of `method: 'gaussian'` and `'posterior'`. Default: the registered face model's. */
  gaussianModel?: GaussianFaceModel;
  /** The diffusion prior. Default: the registered face model's (the bundled face prior of `@difbfsr/models`). */
  prior?: Denoiser;
  /**
   * The runtime that builds the default prior (ignored when `prior` is given): `'tfjs'`, `'onnx'`
   * (ONNX Runtime, registered by importing `@difbfsr/onnx`), another registered runtime, or
   * `'auto'`: the registered runtimes by priority, the first that starts (ONNX Runtime when
   * installed, else tfjs). `RestoreInfo.prior` names the denoiser that ran. Also picks the SRM/CFM
   * optimiser unless `optimizer` is given, so `'onnx'` runs both on ONNX Runtime.
   */
  backend?: RuntimeChoice;
  /**
   * What runs the per-image SRM/CFM optimisation: a registered runtime (`'tfjs'`: autodiff on the
   * active tfjs backend; `'onnx'`: ONNX Runtime, hand-derived gradients), `'auto'` (by priority, the
   * first that starts), or your own factory. Default: `backend`. Filters without a linear-operator
   * description (`LowPass.separable`, for example plain functions) keep it on tfjs;
   * `RestoreInfo.optimizer` says what ran and `RestoreInfo.optimizerFallback` why, when a runtime
   * was stepped over.
   */
  optimizer?: OptimizerChoice;
}

/** The diffusion chain. Defaults: {@link RESTORE_DEFAULTS}. */
export interface ChainOptions {
  /** Upscaling factor (power of two). */
  scale?: number;
  /** Number of reverse steps, i.e. network calls. */
  steps?: number;
  /**
   * Where the chain starts, as a fraction of T = 1000: higher is more generative, lower more
   * faithful to the input (0.4: original t ~ 400).
   */
  strength?: number;
  /** guided-diffusion respacing of the 1000-step chain ("250", "ddim100", "25,25"). Default derived from `steps / strength`. */
  respacing?: string;
  /** A custom schedule (its own betas and timesteps) instead of the linear 1000-step one. */
  schedule?: Schedule;
}

/** Optimisation hyper-parameters of `method: 'diffusion'` (the SRM and CFM, the data term, the collapse check). Defaults: {@link RESTORE_DEFAULTS}. */
export interface OptimisationOptions {
  /** SRM Adam iterations before the chain starts (on `x_hat = S(y)`). */
  warmupIters?: number;
  /** Adam steps per module per diffusion step. */
  adamSteps?: number;
  /** Adam learning rate of the SRM (paper alpha). */
  srmLearningRate?: number;
  /** Adam learning rate of the CFM (paper beta). */
  cfmLearningRate?: number;
  /**
   * Adam's epsilon (added to `sqrt(v_hat)`) for both modules. The loss's gradients are small, so it
   * matters: 1e-6 makes the tfjs and ONNX Runtime optimisers agree to one grey level (67-80 dB
   * instead of ~41) for 0.04 dB less PSNR on the quality bench, 1e-5 makes them identical for
   * 0.15 dB less (docs/benchmarks.md, "Adam epsilon").
   */
  adamEpsilon?: number;
  /** Learn the SRM (otherwise `y_hat` is bicubic). */
  srm?: boolean;
  /** Learn the CFM filter (otherwise the fixed `lowPass`). */
  cfm?: boolean;
  /** Shorthand for the `srm`/`cfm` switches of the paper's table 4, or the `'ddnm'` baseline; overrides them (`'ddnm'` also `lowPass`). */
  ablation?: Ablation;
  /** SRM start: bicubic residual or deep-image-prior. */
  srmStart?: 'bicubic' | 'dip';
  /** CFM kernel side (odd). */
  cfmKernelSize?: number;
  /**
   * The fixed low-pass `P_f` of the fusion: with the CFM off, `x_hat = x0 + P(y_hat - x0)`; with
   * the CFM on, its learned kernels filter what `P` passes, `x_hat = x0 + psi(P(y_hat - x0))`, so the
   * band above `P`'s cut-off is always the prior's. Default area-down x scale + bicubic-up
   * (nearest-up for `ablation: 'ddnm'`, which ignores this option).
   */
  lowPass?: LowPassLike;
  /**
   * The LR low-pass `L` of the loss. Default Gaussian with sigma `lrSigmaPerNoise * noise` LR
   * pixels, `noise` the degradation's (see `degradation`): the noisier the input, the less of its
   * high band the fit looks at. Sigma 1 when there is no degradation (area downsampling).
   */
  lrLowPass?: LowPassLike;
  /** How the default LR low-pass widens with the input's noise: LR pixels of sigma per grey level of effective noise (0..255 scale). */
  lrSigmaPerNoise?: number;
  /**
   * Collapse check: a result whose LR projection misses the input (RMSE after the LR low-pass,
   * [-1, 1] units) by more than this factor times the bicubic baseline's miss, or times 0.01 (about
   * 1.3 grey levels) when the baseline misses by less, is a collapse: the SRM output is returned
   * instead, or the bicubic upsampling when the SRM output misses the input as well. The floor
   * keeps clean inputs, which bicubic already fits almost exactly, from flagging ordinary results
   * (they miss by at most 0.014 on the quality bench); collapses miss by 0.036 (partial: striped
   * texture) to 0.5.
   */
  collapseFactor?: number;
  /**
   * How many times a collapsed chain is rerun, the k-th rerun with seed `seed + k`, before a
   * fallback is returned. A collapse is an unstable trajectory of the Adam updates (about one
   * restore in 200 on the quality bench) and another seed's usually is not. 0 returns the fallback at once.
   */
  collapseRetries?: number;
}

/** Settings of one call. Defaults: {@link RESTORE_DEFAULTS}. */
export interface CallOptions {
  /** Seed of every random draw (module init, start noise, step noise, posterior samples): an integer >= 0. */
  seed?: number;
  /** Progress callback. */
  onProgress?: (progress: RestoreProgress) => void;
  /** Attach the x0 estimate to every n-th progress report (0: never). */
  previewEvery?: number;
  /** Cancels the restore; the promise rejects with `AbortError`. */
  signal?: AbortSignal;
}

/**
 * Options of {@link restore}: every field is optional, given flat (`restore(img, { steps, seed })`),
 * and belongs to one of four kinds: {@link MethodOptions} (what runs), {@link ChainOptions} (the
 * chain), {@link OptimisationOptions} (hyper-parameters) and {@link CallOptions} (per call).
 * Defaults: {@link RESTORE_DEFAULTS}.
 */
export interface RestoreOptions extends MethodOptions, ChainOptions, OptimisationOptions, CallOptions {}

/** What happened during a restore. */
export interface RestoreInfo {
  /** The method that ran. */
  method: RestoreMethod;
  /** Posterior samples drawn and how they were combined (`method: 'posterior'`). */
  samples?: number;
  fidelity?: number;
  /**
   * The degradation the data term used, and whether it was estimated (rather than given). Absent
   * for `'diffusion'` when it used area downsampling (no degradation given, no estimator registered).
   */
  degradation?: Degradation & { estimated: boolean };
  /** Network calls of the chain (each rerun after a collapse makes as many again). */
  steps: number;
  /** Original timestep where the chain started. */
  startTimestep: number;
  /** Which modules were learned. */
  srm: boolean;
  cfm: boolean;
  seed: number;
  /** Final loss of eq. 3. */
  loss: number;
  /** LR-consistency RMSE of the result and of the bicubic baseline (after the LR low-pass, [-1, 1] units). */
  lrRmse: number;
  baselineLrRmse: number;
  /** Chains rerun after a collapse (0..`collapseRetries`); the result comes from seed `seed + retries`. */
  retries: number;
  /** True when the result is a fallback: every chain collapsed (see `collapseFallback` for what was returned). */
  collapsed: boolean;
  /** After a collapse: `'srm'` (the SRM output was returned) or `'bicubic'` (the SRM output missed the input too). */
  collapseFallback?: 'srm' | 'bicubic';
  /** Name of the prior that ran. */
  prior: string;
  /** What ran the SRM/CFM optimisation (`'tfjs'`, `'onnx(cpu)'`, or a custom optimiser's name). */
  optimizer: string;
  /** Why the ONNX Runtime optimiser that was asked for (or `'auto'` would pick) did not run, when it did not. */
  optimizerFallback?: string;
  /** Active tfjs backend. */
  backend: string;
  /** Wall time in milliseconds. */
  timeMs: number;
}
