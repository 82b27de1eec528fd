import { ffhqFaceTemplate } from './ffhq-face-template.js';
import { LINEAR_1000_LEARNED_RANGE, type LicenceInfo, type UNetPreset } from './preset.js';

const DIFFACE_LICENCE: LicenceInfo = {
  code: 'S-Lab License 1.0 (zsyOAOA/DifFace): non-commercial use only.',
  weights: 'Released under the same S-Lab License 1.0: non-commercial use only.',
  data: 'FFHQ images are CC BY-NC-SA 4.0 (non-commercial).',
  commercialUse: 'forbidden',
};

/** The flags both DifFace priors share: learned variance, 64-channel heads, scale-shift norm, convolutional resampling. */
const DIFFACE_FLAGS = {
  learn_sigma: true,
  num_head_channels: 64,
  use_scale_shift_norm: true,
  dropout: 0,
  resblock_updown: false,
  use_fp16: false,
  use_new_attention_order: false,
} as const;

/**
 * DifFace's FFHQ 512 prior `iddpm_ffhq512_ema500000.pth` (159.8M parameters): a guided-diffusion
 * U-Net with per-level residual block counts and absolute attention resolutions.
 */
export const FFHQ512_DIFFACE: UNetPreset = {
  name: 'ffhq512-difface',
  description:
    'Unconditional FFHQ 512x512 face prior of DifFace (Yue & Loy, 2022): 32 base channels, ' +
    'multipliers 1,2,4,8,8,16,16 with 1,2,2,2,2,3,4 residual blocks per level, attention at 32, 16 ' +
    'and 8 px with 64-channel heads, scale-shift norm, convolutional down/upsampling, learned variance.',
  config: {
    image_size: 512,
    num_channels: 32,
    num_res_blocks: [1, 2, 2, 2, 2, 3, 4],
    channel_mult: [1, 2, 4, 8, 8, 16, 16],
    attention_resolutions: [32, 16, 8],
    ...DIFFACE_FLAGS,
  },
  params: 159_788_454,
  checkpoints: [
    {
      file: 'iddpm_ffhq512_ema500000.pth',
      usedBy: 'DifFace (zsyOAOA/DifFace); may be wrapped with a `module.` prefix, which the loader strips',
      urls: ['https://github.com/zsyOAOA/DifFace/releases/download/V1.0/iddpm_ffhq512_ema500000.pth'],
      sampling: "restoration: respacing 'ddim250', start at t = 400, 100 steps, eta 0.5",
    },
  ],
  licence: DIFFACE_LICENCE,
  schedule: LINEAR_1000_LEARNED_RANGE,
  faceTemplate: ffhqFaceTemplate(512),
};

/** DifFace's FFHQ 256 prior `iddpm_ffhq256_ema750000.pth` (124.1M parameters), used for inpainting. */
export const FFHQ256_DIFFACE: UNetPreset = {
  name: 'ffhq256-difface',
  description:
    'Unconditional FFHQ 256x256 face prior of DifFace (used for its inpainting task): 128 base ' +
    'channels, multipliers 1,1,2,2,4,4, two residual blocks per level, attention at 16 and 8 px with ' +
    '64-channel heads, scale-shift norm, convolutional down/upsampling, learned variance.',
  config: {
    image_size: 256,
    num_channels: 128,
    num_res_blocks: 2,
    channel_mult: [1, 1, 2, 2, 4, 4],
    attention_resolutions: [16, 8],
    ...DIFFACE_FLAGS,
  },
  params: 124_056_710,
  checkpoints: [
    {
      file: 'iddpm_ffhq256_ema750000.pth',
      usedBy: 'DifFace (zsyOAOA/DifFace), inpainting',
      urls: ['https://github.com/zsyOAOA/DifFace/releases/download/V1.0/iddpm_ffhq256_ema750000.pth'],
    },
  ],
  licence: DIFFACE_LICENCE,
  schedule: LINEAR_1000_LEARNED_RANGE,
  faceTemplate: ffhqFaceTemplate(256),
};
