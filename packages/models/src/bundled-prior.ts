import { DifbfsrError, setDefaultPrior, type Denoiser, type PriorRequest } from '@difbfsr/core';
import { loadCheckpoint } from './checkpoint/load.js';
import type { StateDict } from './checkpoint/types.js';
import { UNet } from './unet/unet.js';
import { unetConfigOf } from './unet/checkpoint-config.js';
import { BUNDLED_FACE_TEMPLATE, withFaceTemplate } from './bundled-face-template.js';
import { unetDenoiserFactory } from './unet-denoiser-registry.js';

/**
 * Location of the bundled 64x64 face prior (float16 safetensors with its config in the metadata),
 * shipped inside this package. A `file:` URL in Node, an asset URL for bundlers in browsers.
 * This module sits directly in `src/` so the relative path is the same from `src/` and `dist/`.
 */
export const BUNDLED_PRIOR_URL: URL = new URL('../assets/face64/prior.safetensors', import.meta.url);

/** Name the bundled prior reports in `RestoreInfo.prior` when tfjs runs it. */
const NAME = 'difbfsr-face64(tfjs)';

let stateDict: Promise<StateDict> | undefined;

function bundledStateDict(): Promise<StateDict> {
  stateDict ??= loadCheckpoint(BUNDLED_PRIOR_URL).catch((err: unknown) => {
    stateDict = undefined;
    throw new DifbfsrError('IO', `The bundled face prior could not be loaded from ${BUNDLED_PRIOR_URL.href}`, { cause: err });
  });
  return stateDict;
}

/**
 * Load the bundled face prior as a denoiser: the tfjs U-Net (`backend: 'tfjs'`), ONNX Runtime
 * (`'onnx'`, needs `@difbfsr/onnx`), or ONNX Runtime when it is installed, else tfjs (`'auto'`).
 * It carries its {@link BUNDLED_FACE_TEMPLATE} as `faceTemplate`.
 */
export async function loadBundledPrior(request: Partial<PriorRequest> = {}): Promise<Denoiser> {
  return withFaceTemplate(await loadBundledNetwork(request), BUNDLED_FACE_TEMPLATE);
}

async function loadBundledNetwork(request: Partial<PriorRequest>): Promise<Denoiser> {
  const backend = request.backend ?? 'auto';
  const sd = await bundledStateDict();
  const config = unetConfigOf(sd, 'bundled face prior');
  if (backend !== 'tfjs') {
    const create = await unetDenoiserFactory();
    if (create) return create(config, sd, { backend });
    if (backend === 'onnx') {
      throw new DifbfsrError('BACKEND', "backend 'onnx' needs the optional package @difbfsr/onnx (and onnxruntime-node or onnxruntime-web)");
    }
  }
  return UNet.fromStateDict(config, sd, { name: NAME });
}

/** Make the bundled face prior `restore()`'s default (done when this package is imported). */
export function registerBundledPrior(): void {
  setDefaultPrior(loadBundledPrior);
}
