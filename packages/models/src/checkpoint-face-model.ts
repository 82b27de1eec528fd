import type { FaceModel, FaceTemplate } from '@difbfsr/core';
import { loadCheckpoint } from './checkpoint/load.js';
import type { CheckpointSource } from './checkpoint/source.js';
import type { UNetConfig } from './unet/config.js';
import { unetConfigOf } from './unet/checkpoint-config.js';
import type { UNetSpec } from './unet/unet-spec.js';

/** Options of {@link checkpointFaceModel}. */
export interface CheckpointFaceModelOptions {
  /** The U-Net config; default: the checkpoint's metadata, else the preset its tensors match. */
  config?: UNetConfig;
  /** Reported with the runtime in `RestoreInfo.prior`; default the runtime's own name for the network. */
  name?: string;
  /** Where the prior wants the five landmarks, for `restorePhoto()` (a preset's `faceTemplate`, for example). */
  faceTemplate?: FaceTemplate;
}

/**
 * A U-Net checkpoint (path, URL or bytes, as `loadCheckpoint` takes) as a face model for
 * `setDefaultFaceModel()`: loaded on first use, built on the runtime each restore asks for.
 * Only the prior: the Gaussian model and the degradation estimator are the bundled prior's.
 *
 * @example
 * ```ts
 * setDefaultFaceModel(checkpointFaceModel('ffhq_10m.pt'));
 * const { info } = await restoreWithInfo(lr, { backend: 'onnx' }); // info.prior: 'onnx-unet(256px, cpu)'
 * ```
 */
export function checkpointFaceModel(checkpoint: CheckpointSource, options: CheckpointFaceModelOptions = {}): FaceModel {
  let spec: Promise<UNetSpec> | undefined;
  const network = (): Promise<UNetSpec> => {
    spec ??= loadCheckpoint(checkpoint).then(
      (weights) => ({ config: options.config ?? unetConfigOf(weights), weights, ...(options.name === undefined ? {} : { name: options.name }) }),
      (err: unknown) => {
        spec = undefined;
        throw err;
      },
    );
    return spec;
  };
  return { prior: { network }, ...(options.faceTemplate ? { faceTemplate: options.faceTemplate } : {}) };
}
