import { registerRuntime, type DenoiserFactory } from '@difbfsr/core';
import { UNet } from './unet/unet.js';
import { unetSpecOf } from './unet/unet-spec.js';

/** The tfjs runtime's denoiser: the guided-diffusion U-Net on the active tfjs backend. */
export const TFJS_UNET_DENOISER: DenoiserFactory = {
  devices: ['auto', 'cpu'],
  create(spec) {
    const { config, weights, name } = unetSpecOf(spec);
    return UNet.fromStateDict(config, weights, name === undefined ? {} : { name: `${name}(tfjs)` });
  },
};

/** Register the tfjs U-Net as runtime `'tfjs'`'s denoiser (done when this package is imported). */
export function registerTfjsUNet(): void {
  registerRuntime('tfjs', { denoiser: TFJS_UNET_DENOISER });
}
