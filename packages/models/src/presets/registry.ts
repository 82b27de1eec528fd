import { DifbfsrError } from '@difbfsr/core';
import { FFHQ256_DIFFACE, FFHQ512_DIFFACE } from './difface.js';
import { FFHQ256_P2 } from './ffhq256-p2.js';
import { IMAGENET256_ADM_UNCOND } from './imagenet256-adm.js';
import type { UNetPreset } from './preset.js';

/** Every known guided-diffusion checkpoint family. */
export const UNET_PRESETS: readonly UNetPreset[] = [FFHQ256_P2, FFHQ512_DIFFACE, FFHQ256_DIFFACE, IMAGENET256_ADM_UNCOND];

/**
 * The preset called `name`.
 * @throws DifbfsrError `INVALID_OPTION` listing the known names.
 */
export function getPreset(name: string): UNetPreset {
  const preset = UNET_PRESETS.find((p) => p.name === name);
  if (!preset) {
    throw new DifbfsrError('INVALID_OPTION', `Unknown UNet preset "${name}"; known: ${UNET_PRESETS.map((p) => p.name).join(', ')}`);
  }
  return preset;
}
