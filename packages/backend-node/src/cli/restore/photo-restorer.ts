import { restorePhoto, type Denoiser, type FaceDetector, type PhotoOptions, type PhotoProgress } from '@difbfsr/core';
import { faceFiles } from './face-crops.js';
import type { PixelImage } from './image-file.js';
import type { ImageRestorer, RestoreHooks } from './image-restorer.js';

/** What {@link photoRestorer} restores with. */
export interface PhotoRestorerOptions {
  prior: Denoiser;
  /** Finds the faces; undefined with `photo.aligned`. */
  detector?: FaceDetector;
  /** `restorePhoto()`'s photo-level options and the `restore()` options for each face. */
  photo: Omit<PhotoOptions, 'prior' | 'detector' | 'onProgress' | 'signal' | 'faceCrops'>;
  /** Also return each restored face's crops before and after. */
  saveFaces: boolean;
  /** Also return each restored face's uncertainty map as a heat map. */
  saveUncertainty: boolean;
}

/** Forward a `restorePhoto()` progress report: counted stages, and each face's paste. */
function forwardProgress(p: PhotoProgress, hooks: RestoreHooks): void {
  if (p.stage !== 'face') hooks.onProgress(p.stage, p.done, p.total);
  else if (p.restore) hooks.onProgress(`face ${p.face}/${p.faces} ${p.restore.phase}`, p.restore.step, p.restore.total);
  else if (p.step === 'paste') hooks.onStage(`face ${p.face}/${p.faces} paste`);
}

/**
 * The restorer of the `restore` command: `restorePhoto()` on each image (faces found by the
 * detector, or the whole image as one aligned face), the result in the input's channels and bit
 * depth, and the files of each restored face that `saveFaces` and `saveUncertainty` ask for, from
 * what `restorePhoto()` restored.
 */
export function photoRestorer(options: PhotoRestorerOptions): ImageRestorer {
  const { prior, detector, photo, saveFaces, saveUncertainty } = options;
  const faceCrops = saveFaces || saveUncertainty;
  return async (image, hooks) => {
    const result = await restorePhoto(image, { ...photo, prior, detector, faceCrops, signal: hooks.signal, onProgress: (p) => forwardProgress(p, hooks) });
    const output = { ...result.image, channels: image.channels } as PixelImage;
    return {
      image: output,
      faces: result.faces.map((report, k) => ({ report, ...faceFiles(result.crops?.[k], { saveFaces, saveUncertainty }) })),
      ...(result.detector ? { detector: result.detector } : {}),
      warnings: result.warnings,
    };
  };
}
