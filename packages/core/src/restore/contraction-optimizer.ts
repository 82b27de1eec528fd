import type * as tf from '@tensorflow/tfjs-core';
import type { LowPass, SeparableOperator } from '../filters/low-pass.js';
import type { ConditionalFusionModule } from '../modules/cfm.js';
import type { SuperResolutionModule } from '../modules/srm.js';

/**
 * The per-image optimisation problem of one restore: the LR face, the SRM and CFM as initialised
 * from the run's seed (the same whatever optimiser runs), and the settings of their Adam updates.
 * Every tensor belongs to the caller, who disposes it after the optimiser.
 */
export interface ContractionProblem {
  /** The LR face `[1, h, w, 3]` in [-1, 1]. */
  readonly y: tf.Tensor4D;
  /** `L(y)`, the LR low-pass of `y` (the target of the loss), `[1, h, w, 3]`. */
  readonly lowY: tf.Tensor4D;
  /** `y_hat` when the SRM is not learned: the bicubic or nearest upsampling of `y`, `[1, H, W, 3]`. */
  readonly upsampled: tf.Tensor4D;
  /** The SRM with its initial weights (not changed by optimisers that keep their own copy). */
  readonly srm: SuperResolutionModule;
  /** The CFM with its initial weights. */
  readonly cfm: ConditionalFusionModule;
  readonly scale: number;
  /** Learn the SRM (else `y_hat` is `upsampled`). */
  readonly learnSrm: boolean;
  /** Learn the CFM (else the fusion uses the fixed `lowPass` alone). */
  readonly learnCfm: boolean;
  /** Adam steps per module per diffusion step. */
  readonly adamSteps: number;
  readonly srmLearningRate: number;
  readonly cfmLearningRate: number;
  /** Adam's epsilon for both modules. */
  readonly adamEpsilon: number;
  /**
   * The fixed low-pass `P_f`: the fusion's filter when the CFM is not learned (`x0 + P(y_hat - x0)`),
   * and the band the learned CFM's kernels filter when it is (`x0 + psi(P(y_hat - x0))`).
   */
  readonly lowPass: LowPass;
  /** The LR low-pass `L` of the loss. */
  readonly lrLowPass: LowPass;
  /**
   * `D`, the HR -> LR operator of the loss `1/2 mean((L(y) - L(D x_hat))^2)`: the resolved
   * degradation's blur then MATLAB bicubic down, or area downsampling when there is none
   * (`lrProjection`). Rows act on the height (`[h, H]`), columns on the width (`[w, W]`).
   */
  readonly lrProjection: SeparableOperator;
}

/** The fused estimate of one diffusion step and the loss of its last update. */
export interface ContractionStep {
  /** `x_hat`, clamped to [-1, 1], `[1, H, W, 3]`; owned by the caller. */
  xHat: tf.Tensor4D;
  /** The loss of eq. 3 computed by the step's last Adam update (before it), or of `x_hat` when nothing is learned. */
  loss: number;
}

/**
 * What owns and optimises the SRM and CFM of one image (paper eq. 4): tfjs autodiff, or a
 * hand-derived gradient on another runtime (`@difbfsr/onnx`). Every implementation runs the
 * same updates in the same order, so a seed gives the same result up to float rounding, which
 * Adam's steps amplify to a few grey levels at the default `adamEpsilon`.
 */
export interface ContractionOptimizer {
  /** What runs the updates, reported as `RestoreInfo.optimizer` (for example `'tfjs'`). */
  readonly name: string;
  /** The current `y_hat`: `S(y)` with the current SRM weights, or `upsampled`. Owned by the caller. */
  yHat(): Promise<tf.Tensor4D>;
  /** One warm-up Adam step of the SRM alone on the loss of `x_hat = S(y)`; returns that loss. */
  warmupStep(): Promise<number>;
  /**
   * The updates of one diffusion step given the prior's estimate `x0` (not disposed): `adamSteps`
   * times [one SRM step on the loss of the fusion of `S(y)` and `x0`; `y_hat` recomputed; one CFM
   * step with `y_hat` fixed], then the fusion of `y_hat` and `x0`, clamped.
   */
  diffusionStep(x0: tf.Tensor4D): Promise<ContractionStep>;
  /** Release what the optimiser holds (not the problem's modules or tensors). */
  dispose(): void;
}

/** Creates the optimiser of one image. */
export type ContractionOptimizerFactory = (problem: ContractionProblem) => ContractionOptimizer | Promise<ContractionOptimizer>;
