import { DifbfsrError, throwIfAborted } from '../errors.js';
import { getDefaultPrior } from '../runtime/face-model.js';
import type { FaceTemplate } from '../types/face.js';
import { scaleFaceTemplate } from './face-template.js';
import type { FaceCrop, FaceReport, PhotoOptions, PhotoResult } from './photo-options.js';
import type { RawImage } from '../types/image.js';
import { decodeRawImage, encodeRawImage, rawImageShape } from '../image/raw-pixels.js';
import type { PhotoRun } from './photo-run.js';
import { checkPixelLimit } from './pixel-limit.js';
import { resolvePhotoOptions } from './resolve-photo-options.js';
import { restoreAligned } from './restore-aligned.js';
import { restoreFaces } from './restore-faces.js';
import { selectFaces } from './select-faces.js';
import { upscaleBackground } from './upscale-background.js';

/**
 * Check the options, the photo's size against `maxPixels` (before decoding it) and the prior, and
 * set up the run shared by every face.
 */
async function prepareRun(image: RawImage, options: PhotoOptions): Promise<PhotoRun> {
  const { photo, restore } = resolvePhotoOptions(options);
  if (!photo.aligned && !options.detector) {
    throw new DifbfsrError('INVALID_OPTION', 'restorePhoto needs options.detector (for example FaceApiDetector from @difbfsr/faces), or aligned: true');
  }
  const { scale } = restore.chain;
  const { width, height } = rawImageShape(image);
  checkPixelLimit({ width, height, scale, maxPixels: photo.maxPixels });
  const pixels = decodeRawImage(image);
  const prior = restore.run.prior ?? (await getDefaultPrior({ backend: restore.run.backend }));
  if (prior.resolution % scale !== 0) throw new DifbfsrError('INVALID_OPTION', `scale ${scale} does not divide the prior's resolution ${prior.resolution}`);
  const progress = options.onProgress ?? (() => {});
  return { pixels, prior, scale, side: prior.resolution / scale, photo, restore: { ...restore, run: { ...restore.run, prior } }, progress, signal: options.signal };
}

/** Detect the faces, then mark those that will not be restored (`selectFaces`). */
async function findFaces(run: PhotoRun, options: PhotoOptions): Promise<FaceReport[]> {
  const { photo, prior, side, signal } = run;
  const { width, height } = run.pixels.rgb;
  const minFaceSize = photo.minFaceSize ?? Math.round(0.75 * side);
  const detected = await options.detector!.detect(run.pixels.rgb, {
    minFaceSize,
    signal,
    onProgress: ({ done, total }) => run.progress({ stage: 'detect', done, total }),
  });
  throwIfAborted(signal);
  const faces: FaceReport[] = detected.map((d) => ({ box: d.box, score: d.score, landmarks: d.landmarks }));
  selectFaces(faces, { width, height, minFaceSize, maxFaceSize: photo.maxFaceSize ?? prior.resolution, onlyCenterFace: photo.onlyCenterFace, maxFaces: photo.maxFaces });
  return faces;
}

/** `crops` (one per restored face) in the order of `faces`, undefined for the skipped ones. */
function cropsInFaceOrder(faces: readonly FaceReport[], crops: FaceCrop[]): Array<FaceCrop | undefined> {
  let k = 0;
  return faces.map((f) => (f.skipped ? undefined : crops[k++]));
}

/**
 * Restore every face of a photo (GFPGAN / CodeFormer style): detect faces and their five landmarks,
 * align each to the prior's face template at the prior's input size (`prior.resolution / scale`),
 * restore it with `restoreWithInfo()`, warp it back and blend it with a feathered mask over the
 * photo upscaled `scale` times with Lanczos3. Grey, grey + alpha, RGB and RGBA photos in 8 or 16 bits
 * come back in the same form (alpha upscaled with Lanczos3 and reattached). A photo whose input or
 * result would have more than `maxPixels` pixels is refused before any work.
 *
 * @example
 * ```ts
 * import { restorePhoto } from '@difbfsr/core';
 * import { FaceApiDetector } from '@difbfsr/faces';
 * import '@difbfsr/models'; // the bundled face model: prior, face template, degradation estimator
 * const { image, faces } = await restorePhoto(photo, { detector: await FaceApiDetector.load(), seed: 1 });
 * ```
 * @throws DifbfsrError `INVALID_OPTION` (no detector, no template, bad option), `IMAGE_TOO_LARGE`
 *   (over `maxPixels`), input errors of `decodeRawImage`, `AbortError` when `signal` fires, and
 *   whatever `restore()` throws.
 */
export async function restorePhoto(image: RawImage, options: PhotoOptions = {}): Promise<PhotoResult> {
  throwIfAborted(options.signal);
  const started = performance.now();
  const run = await prepareRun(image, options);
  const template: FaceTemplate | undefined = options.template ?? run.prior.faceTemplate;
  if (run.photo.aligned) return restoreAligned(run, template, started);
  if (!template) {
    throw new DifbfsrError('INVALID_OPTION', `The prior ${run.prior.name ?? ''} has no face template: pass options.template (five points in its ${run.prior.resolution}px output)`);
  }
  const lrTemplate = scaleFaceTemplate(template, run.side);
  const faces = await findFaces(run, options);
  const { rgb, alpha } = await upscaleBackground(run);
  const crops = await restoreFaces(run, faces.filter((f) => !f.skipped), rgb, lrTemplate);
  return {
    image: encodeRawImage(rgb, alpha?.data, run.pixels.layout),
    faces,
    ...(run.photo.faceCrops ? { crops: cropsInFaceOrder(faces, crops) } : {}),
    scale: run.scale,
    detector: options.detector!.name ?? 'custom',
    warnings: [],
    timeMs: performance.now() - started,
  };
}
