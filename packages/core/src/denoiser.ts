import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { GaussianFaceModel } from './gaussian/gaussian-face-model.js';
import type { FaceTemplate } from './types/face.js';

/** What a prior returns for one call: epsilon and, for learned-range priors, the variance value. */
export interface DenoiserOutput {
  /** Predicted noise, NHWC `[B, H, W, 3]`. Owned by the caller, who disposes it. */
  eps: Tensor4D;
  /**
   * Learned-range variance interpolation value `v` in [-1, 1], NHWC `[B, H, W, 3]`
   * (guided-diffusion's channels 3..5). Absent for epsilon-only priors. Owned by the caller.
   */
  v?: Tensor4D;
}

/**
 * An epsilon-predicting diffusion prior trained with T = 1000 steps.
 *
 * This is the only contact point between the pipeline and a network: the tfjs U-Net of
 * `@difbfsr/models`, an ONNX Runtime session, or a closed-form test prior all implement it.
 */
export interface Denoiser {
  /** Native square resolution in pixels (64 for the bundled prior, 256 for FFHQ-256). */
  readonly resolution: number;
  /** True when the prior predicts the learned-range variance value `v`. */
  readonly learnedVariance: boolean;
  /** Short description shown in reports (for example `tfjs-unet(ffhq256-p2)`). */
  readonly name?: string;
  /**
   * Where the prior's training faces had their eyes, nose tip and mouth corners: the framing that
   * `restorePhoto()` aligns faces to. Optional; the bundled face prior has one.
   */
  readonly faceTemplate?: FaceTemplate;
  /**
   * The Gaussian face model that goes with this prior (the bundled prior blends with one): with it,
   * `restore()`'s `method: 'auto'` is the posterior sampler, which uses it as its control variate.
   */
  readonly gaussianModel?: GaussianFaceModel;
  /**
   * Predict epsilon for a batch.
   * @param x `x_t`, NHWC `[B, H, W, 3]`, values nominally in [-1, 1]. Not disposed by the denoiser.
   * @param t ORIGINAL timesteps (0..999), one per batch item (respaced chains map to them).
   */
  predict(x: Tensor4D, t: readonly number[]): DenoiserOutput | Promise<DenoiserOutput>;
  /** Release weights and sessions. */
  dispose?(): void;
}
