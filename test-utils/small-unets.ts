import { writeFileSync } from 'node:fs';
import { saveSafetensors, type UNetConfig } from '@difbfsr/models';
import { randomUNetTensors } from '../packages/onnx/test/random-state-dict.js';

/**
 * ffhq256-p2's architecture (guided-diffusion: channel multipliers 1,1,2,2,4,4, one residual block
 * per level, attention at 16 px and in the middle, scale-shift norm, resblock up/down, learned
 * variance) at a sixteenth of its width: 32 base channels, 1/16 of its work per forward.
 */
export const SMALL_FFHQ256: UNetConfig = {
  image_size: 256,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '',
  learn_sigma: true,
  attention_resolutions: '16',
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: true,
};

/**
 * ffhq512-difface's kind of network (DifFace's U-Net: per-level residual block counts, absolute
 * attention resolutions as a list, convolutional down/upsampling, learned variance) at 512 px,
 * narrowed to 32..128 channels.
 */
export const SMALL_DIFFACE512: UNetConfig = {
  image_size: 512,
  num_channels: 32,
  num_res_blocks: [1, 1, 1, 1, 1, 1, 2],
  channel_mult: [1, 1, 1, 2, 2, 4, 4],
  learn_sigma: true,
  attention_resolutions: [16, 8],
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: false,
};

/** Write `config` with seeded random weights and the config in the metadata, as safetensors (a checkpoint of no preset). */
export function writeSmallUNet(path: string, config: UNetConfig, seed = 1): void {
  writeFileSync(path, saveSafetensors(randomUNetTensors(config, seed), { config: JSON.stringify(config) }));
}
