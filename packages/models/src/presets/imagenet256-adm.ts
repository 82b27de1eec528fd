import { ADM_256_FLAGS, LINEAR_1000_LEARNED_RANGE, type UNetPreset } from './preset.js';

/** OpenAI's unconditional ImageNet 256 ADM `256x256_diffusion_uncond.pt` (552.8M parameters). */
export const IMAGENET256_ADM_UNCOND: UNetPreset = {
  name: 'imagenet256-adm-uncond',
  description:
    'Unconditional ImageNet 256x256 ADM of guided-diffusion (Dhariwal & Nichol, 2021), the prior of ' +
    "DDNM's ImageNet experiments: 256 base channels, two residual blocks per level, attention at 32, " +
    '16 and 8 px with 64-channel heads, scale-shift norm, resblock up/down, learned variance. Not a ' +
    'face model; 2.2 GB in float32.',
  config: {
    ...ADM_256_FLAGS,
    image_size: 256,
    num_channels: 256,
    num_res_blocks: 2,
    attention_resolutions: '32,16,8',
  },
  params: 552_814_086,
  checkpoints: [
    {
      file: '256x256_diffusion_uncond.pt',
      usedBy: 'guided-diffusion (openai/guided-diffusion); DDNM',
      urls: ['https://openaipublic.blob.core.windows.net/diffusion/jul-2021/256x256_diffusion_uncond.pt'],
      sampling: 'timestep_respacing 250',
    },
  ],
  licence: {
    code: 'MIT (openai/guided-diffusion).',
    weights: 'Released with the MIT-licensed repository; no separate weight licence is stated.',
    data: 'ImageNet is licensed for non-commercial research only.',
    commercialUse: 'unclear',
  },
  schedule: LINEAR_1000_LEARNED_RANGE,
};
