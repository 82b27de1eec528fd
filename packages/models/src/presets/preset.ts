import type { FaceTemplate } from '@difbfsr/core';
import type { UNetConfig } from '../unet/config.js';

/** The diffusion process a checkpoint was trained with (guided-diffusion's `create_gaussian_diffusion` args). */
export interface DiffusionScheduleInfo {
  /** Training steps T. */
  steps: 1000;
  /** Beta schedule: guided-diffusion's linear 1e-4 .. 0.02 (scaled by 1000 / T). */
  noiseSchedule: 'linear';
  /** What the first output channels predict. */
  prediction: 'epsilon';
  /** `learned-range`: channels 3..5 interpolate log beta_t and the clipped posterior log variance. */
  variance: 'learned-range' | 'fixed-small';
  /** False: the U-Net receives integer timesteps 0..999. */
  rescaleTimesteps: false;
}

/** Where users obtain a checkpoint file, and on what terms. */
export interface CheckpointDownload {
  /** File name as published. */
  file: string;
  /** Projects that publish or use the file. */
  usedBy: string;
  /** Download locations (the publishers' own links). */
  urls: string[];
  /** Suggested sampling (as in the publishers' scripts). */
  sampling?: string;
}

/** Licence terms, as far as the publishers state them. */
export interface LicenceInfo {
  /** Licence of the code the weights were released with. */
  code: string;
  /** Terms of the weights themselves. */
  weights: string;
  /** Terms of the training data. */
  data: string;
  /** `forbidden` when a licence excludes it; `unclear` when nothing grants it (treat as not allowed). */
  commercialUse: 'forbidden' | 'unclear';
}

/** A published guided-diffusion checkpoint family: its architecture and how to get and use it. */
export interface UNetPreset {
  /** Identifier, e.g. `ffhq256-p2`. */
  name: string;
  /** One-paragraph description. */
  description: string;
  /** Architecture, as guided-diffusion's `create_model` arguments. */
  config: UNetConfig;
  /** Parameter count of the state dict. */
  params: number;
  /** Checkpoint files with this exact architecture. */
  checkpoints: CheckpointDownload[];
  licence: LicenceInfo;
  schedule: DiffusionScheduleInfo;
  /**
   * Where the checkpoint's training faces have their eyes, nose tip and mouth corners, in its
   * `image_size` output: the framing `restorePhoto()` aligns detected faces to. The FFHQ presets
   * carry the FFHQ alignment template; absent for models that are not face priors.
   */
  faceTemplate?: FaceTemplate;
}

/** The schedule every face checkpoint here was trained with. */
export const LINEAR_1000_LEARNED_RANGE: DiffusionScheduleInfo = {
  steps: 1000,
  noiseSchedule: 'linear',
  prediction: 'epsilon',
  variance: 'learned-range',
  rescaleTimesteps: false,
};

/**
 * The flags guided-diffusion's 256 px scripts share (class-free, learned variance, 64-channel
 * heads, scale-shift norm, resblock up/down, the default channel multipliers of the size).
 */
export const ADM_256_FLAGS = {
  channel_mult: '',
  learn_sigma: true,
  class_cond: false,
  num_heads: 4,
  num_head_channels: 64,
  num_heads_upsample: -1,
  use_scale_shift_norm: true,
  dropout: 0.0,
  resblock_updown: true,
  use_fp16: false,
  use_new_attention_order: false,
} as const;
