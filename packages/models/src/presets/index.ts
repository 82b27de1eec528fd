export type { UNetPreset, CheckpointDownload, LicenceInfo, DiffusionScheduleInfo } from './preset.js';
export { FFHQ256_P2 } from './ffhq256-p2.js';
export { FFHQ512_DIFFACE, FFHQ256_DIFFACE } from './difface.js';
export { IMAGENET256_ADM_UNCOND } from './imagenet256-adm.js';
export { UNET_PRESETS, getPreset } from './registry.js';
export { detectPreset, type TensorShapeSource } from './detect-preset.js';
export { ffhqFaceTemplate } from './ffhq-face-template.js';
