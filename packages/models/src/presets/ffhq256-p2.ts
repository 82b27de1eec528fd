import { ffhqFaceTemplate } from './ffhq-face-template.js';
import { ADM_256_FLAGS, LINEAR_1000_LEARNED_RANGE, type UNetPreset } from './preset.js';

const P2_ILVR_ONEDRIVE = 'https://1drv.ms/f/s!AkQjJhxDm0Fyhqp_4gkYjwVRBe8V_w';

/**
 * guided-diffusion FFHQ 256 (93.6M parameters): P2-weighting's `ffhq_p2.pt` and ILVR's
 * `ffhq_10m.pt`, which DPS also uses. Same architecture for both files.
 */
export const FFHQ256_P2: UNetPreset = {
  name: 'ffhq256-p2',
  description:
    'Unconditional FFHQ 256x256 face prior from P2-weighting (Choi et al., CVPR 2022) and ILVR ' +
    '(Choi et al., ICCV 2021), also used by DPS: the "lightweight" 93.6M-parameter guided-diffusion ' +
    'U-Net (128 channels, one residual block per level, attention at 16x16 and in the middle with ' +
    '64-channel heads, scale-shift norm, resblock up/down, learned variance).',
  config: {
    ...ADM_256_FLAGS,
    image_size: 256,
    num_channels: 128,
    num_res_blocks: 1,
    attention_resolutions: '16',
  },
  params: 93_563_910,
  checkpoints: [
    {
      file: 'ffhq_p2.pt',
      usedBy: 'P2-weighting (jychoi118/P2-weighting)',
      urls: [P2_ILVR_ONEDRIVE, 'https://drive.google.com/drive/folders/1bcWh3XuQzdct4-UPTrIX-lvs47OiLaOM'],
      sampling: 'timestep_respacing 250',
    },
    {
      file: 'ffhq_10m.pt',
      usedBy: 'ILVR (jychoi118/ilvr_adm); DPS (DPS2022/diffusion-posterior-sampling)',
      urls: [P2_ILVR_ONEDRIVE, 'https://drive.google.com/drive/folders/1jElnRoFv7b31fG0v6pTSQkelbSX3xGZh'],
      sampling: 'ILVR: timestep_respacing 100, down_N 32, range_t 20; DPS: 1000 DDPM steps',
    },
  ],
  licence: {
    code: 'MIT (P2-weighting, ILVR; OpenAI copyright retained). The DPS repository has no licence file.',
    weights: 'No licence is stated for the weights.',
    data: 'FFHQ images are CC BY-NC-SA 4.0 (non-commercial).',
    commercialUse: 'unclear',
  },
  schedule: LINEAR_1000_LEARNED_RANGE,
  faceTemplate: ffhqFaceTemplate(256),
};
