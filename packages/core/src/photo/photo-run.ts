import type * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import type { RestoreInfo } from '../restore/options.js';
import type { ResolvedRestoreOptions } from '../restore/resolve-options.js';
import { restoreResolved } from '../restore/restore.js';
import type { FloatImage } from '../types/image.js';
import type { PhotoProgress } from './photo-options.js';
import type { DecodedRawImage } from '../image/raw-pixels.js';
import type { ResolvedPhotoLevel } from './resolve-photo-options.js';

/** Settings shared by every face of one `restorePhoto()` call. */
export interface PhotoRun {
  pixels: DecodedRawImage;
  prior: Denoiser;
  scale: number;
  /** Side of the low-resolution aligned crop: `prior.resolution / scale`. */
  side: number;
  photo: ResolvedPhotoLevel;
  /** The `restore()` options of each face, with the prior. */
  restore: ResolvedRestoreOptions;
  progress: (p: PhotoProgress) => void;
  signal?: AbortSignal;
}

/** One face restored: the output `[S, S, 3]` (0..255, owned by the caller), what happened, and the uncertainty map if any. */
export interface RestoredCrop {
  output: tf.Tensor3D;
  info: RestoreInfo;
  uncertainty?: FloatImage;
}

/**
 * Restore one aligned crop (`[side, side, 3]`, 0..255, not disposed) as face `face` of `faces`,
 * reporting its steps as the face's progress; the uncertainty map only when crops are returned.
 */
export function restoreCrop(run: PhotoRun, crop: tf.Tensor3D, face: number, faces: number): Promise<RestoredCrop> {
  const at = { stage: 'face', face, faces, step: 'restore' } as const;
  run.progress(at);
  const { restore } = run;
  return restoreResolved(crop, {
    ...restore,
    run: { ...restore.run, uncertainty: run.photo.faceCrops && restore.run.uncertainty },
    call: { ...restore.call, onProgress: (p) => run.progress({ ...at, restore: p }) },
  });
}
