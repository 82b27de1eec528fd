import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser.js';
import { DifbfsrError, throwIfAborted } from '../errors.js';
import { resizeBicubic } from '../image/resize.js';
import { getDefaultPrior } from '../runtime/face-model.js';
import type { RestoreOptions } from '../restore/options.js';
import { restoreWithInfo } from '../restore/restore.js';
import { alignFace } from './align-face.js';
import type { FiveLandmarks } from '../types/face.js';
import { featherMask } from './feather-mask.js';
import { scaleFaceTemplate } from './face-template.js';
import type { FaceTemplate } from '../types/face.js';
import { pasteFace } from './paste-face.js';
import type { FaceReport, PhotoOptions, PhotoProgress, PhotoResult } from './photo-options.js';
import { decodePhoto, encodePhoto, photoShape, type PhotoImage, type PhotoPixels } from './photo-pixels.js';
import { checkPixelLimit, DEFAULT_MAX_PIXELS } from './pixel-limit.js';
import { readWindow, type PixelPlane } from './pixel-window.js';
import { selectFaces } from './select-faces.js';
import { composeAffine, scaling } from './similarity-transform.js';
import { resizeLanczos, upscaleLanczos } from './upscale-lanczos.js';

/** Settings shared by every face of one call. */
interface PhotoRun {
  pixels: PhotoPixels;
  prior: Denoiser;
  scale: number;
  /** Side of the low-resolution aligned crop: `prior.resolution / scale`. */
  side: number;
  restoreOptions: RestoreOptions;
  progress: (p: PhotoProgress) => void;
  signal?: AbortSignal;
}

function checkPositive(name: string, v: number | undefined, integer = false): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) {
    throw new DifbfsrError('INVALID_OPTION', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
}

/** Check the photo-level options that need neither the photo's pixels nor the prior; returns the scale. */
function checkPhotoOptions(options: PhotoOptions): number {
  const { minFaceSize, maxFaceSize, maxFaces, maxPixels, feather = 0.125, scale = 4 } = options;
  checkPositive('minFaceSize', minFaceSize);
  checkPositive('maxFaceSize', maxFaceSize);
  checkPositive('maxFaces', maxFaces, true);
  checkPositive('maxPixels', maxPixels, true);
  if (!(feather > 0 && feather <= 0.5)) throw new DifbfsrError('INVALID_OPTION', `feather must be in (0, 0.5], got ${feather}`);
  if (!options.aligned && !options.detector) {
    throw new DifbfsrError('INVALID_OPTION', 'restorePhoto needs options.detector (for example FaceApiDetector from @difbfsr/faces), or aligned: true');
  }
  if (!(scale >= 2 && Number.isInteger(Math.log2(scale)))) {
    throw new DifbfsrError('INVALID_OPTION', `scale must be a power of two (2, 4, 8, ...), got ${scale}`);
  }
  return scale;
}

function checkScaleFits(scale: number, prior: Denoiser): void {
  if (prior.resolution % scale !== 0) {
    throw new DifbfsrError('INVALID_OPTION', `scale ${scale} does not divide the prior's resolution ${prior.resolution}`);
  }
}

/**
 * Restore every face of a photo (GFPGAN / CodeFormer style): detect faces and their five landmarks,
 * align each to the prior's face template at the prior's input size (`prior.resolution / scale`),
 * restore it with {@link restoreWithInfo}, warp it back and blend it with a feathered mask over the
 * photo upscaled `scale` times with Lanczos3. Grey, grey + alpha, RGB and RGBA photos in 8 or 16 bits
 * come back in the same form (alpha upscaled with Lanczos3 and reattached). A photo whose input or
 * result would have more than `maxPixels` pixels is refused before any work.
 *
 * @example
 * ```ts
 * import { restorePhoto } from '@difbfsr/core';
 * import { FaceApiDetector } from '@difbfsr/faces';
 * import '@difbfsr/models'; // the bundled prior and its face template
 * const { image, faces } = await restorePhoto(photo, { detector: await FaceApiDetector.load(), seed: 1 });
 * ```
 * @throws DifbfsrError `INVALID_OPTION` (no detector, no template, bad option), `IMAGE_TOO_LARGE`
 *   (over `maxPixels`), input errors of {@link decodePhoto}, `AbortError` when `signal` fires, and
 *   whatever `restore()` throws.
 */
export async function restorePhoto(image: PhotoImage, options: PhotoOptions = {}): Promise<PhotoResult> {
  const { detector, template, aligned, onlyCenterFace, minFaceSize, maxFaceSize, maxFaces, maxPixels, feather = 0.125, onProgress, signal, ...rest } = options;
  throwIfAborted(signal);
  const started = performance.now();
  const scale = checkPhotoOptions(options);
  const { width, height } = photoShape(image);
  checkPixelLimit({ width, height, scale, maxPixels: maxPixels ?? DEFAULT_MAX_PIXELS });
  const pixels = decodePhoto(image);
  const prior = options.prior ?? (await getDefaultPrior({ backend: options.backend }));
  checkScaleFits(scale, prior);
  const run: PhotoRun = {
    pixels,
    prior,
    scale,
    side: prior.resolution / scale,
    restoreOptions: { ...rest, prior, scale },
    progress: (p) => onProgress?.(p),
    signal,
  };
  const faceTemplate = template ?? prior.faceTemplate;
  if (aligned) return restoreAligned(run, faceTemplate, started);
  if (!faceTemplate || !detector) {
    throw new DifbfsrError('INVALID_OPTION', `The prior ${prior.name ?? ''} has no face template: pass options.template (five points in its ${prior.resolution}px output)`);
  }
  const lrTemplate = scaleFaceTemplate(faceTemplate, run.side);
  const rules = {
    width,
    height,
    minFaceSize: minFaceSize ?? Math.round(0.75 * run.side),
    maxFaceSize: maxFaceSize ?? prior.resolution,
    onlyCenterFace: onlyCenterFace ?? false,
    maxFaces: maxFaces ?? Infinity,
  };
  const detected = await detector.detect(pixels.rgb, {
    minFaceSize: rules.minFaceSize,
    signal,
    onProgress: ({ done, total }) => run.progress({ stage: 'detect', done, total }),
  });
  throwIfAborted(signal);
  const faces: FaceReport[] = detected.map((d) => ({ box: d.box, score: d.score, landmarks: d.landmarks }));
  selectFaces(faces, rules);

  const { rgb, alpha } = await upscaleBackground(run);
  await restoreFaces(run, faces.filter((f) => !f.skipped), rgb, { lrTemplate, feather });
  return {
    image: encodePhoto(rgb, alpha?.data, pixels.layout),
    faces,
    scale,
    detector: detector.name ?? 'custom',
    warnings: [],
    timeMs: performance.now() - started,
  };
}

/**
 * Align each chosen face to `lrTemplate` (the template at the low-resolution crop's side), restore
 * it, and paste it into the upscaled photo `rgb` (in place), filling in each face's report.
 */
async function restoreFaces(run: PhotoRun, chosen: FaceReport[], rgb: PixelPlane, blend: { lrTemplate: FiveLandmarks; feather: number }): Promise<void> {
  const { prior, scale, signal } = run;
  const mask = featherMask(prior.resolution, blend.feather * prior.resolution);
  try {
    for (const [k, face] of chosen.entries()) {
      const at = { stage: 'face', face: k + 1, faces: chosen.length } as const;
      run.progress({ ...at, step: 'align' });
      const { crop, toCrop, padded } = alignFace(run.pixels.rgb, face.landmarks!, blend.lrTemplate, run.side);
      let restored: tf.Tensor3D;
      try {
        run.progress({ ...at, step: 'restore' });
        const r = await restoreWithInfo(crop, { ...run.restoreOptions, signal, onProgress: (p) => run.progress({ ...at, step: 'restore', restore: p }) });
        restored = r.output;
        face.restore = r.info;
      } finally {
        crop.dispose();
      }
      run.progress({ ...at, step: 'paste' });
      // output pixels -> photo pixels -> low-resolution crop -> restored crop (scale times larger)
      const toFace = composeAffine(scaling(scale), composeAffine(toCrop, scaling(1 / scale)));
      const face4 = tf.expandDims(restored, 0) as tf.Tensor4D;
      restored.dispose();
      try {
        const pasted = pasteFace(rgb, face4, mask, toFace);
        Object.assign(face, { toCrop, padded, region: pasted?.region, colourShift: pasted?.colourShift });
      } finally {
        face4.dispose();
      }
    }
  } finally {
    mask.dispose();
  }
}

/** The photo's RGB and alpha upscaled with Lanczos3, with progress per tile. */
async function upscaleBackground(run: PhotoRun): Promise<{ rgb: PixelPlane; alpha?: PixelPlane }> {
  const { pixels, scale, signal } = run;
  const { width, height } = pixels.rgb;
  const onTile = (done: number, total: number) => run.progress({ stage: 'background', done, total });
  const rgb = await upscaleLanczos({ ...pixels.rgb, channels: 3 }, scale, { signal, onTile });
  const alpha = pixels.alpha ? await upscaleLanczos({ data: pixels.alpha, width, height, channels: 1 }, scale, { signal }) : undefined;
  return { rgb, alpha };
}

/** `aligned` input: the whole (square) image is one face in the template's framing. */
async function restoreAligned(run: PhotoRun, template: FaceTemplate | undefined, started: number): Promise<PhotoResult> {
  const { pixels, side, scale, prior, signal } = run;
  const { width, height } = pixels.rgb;
  if (width !== height) throw new DifbfsrError('INVALID_SIZE', `An aligned face must be square, got ${width}x${height}`);
  const { rgb: background, alpha } = await upscaleBackground(run);
  const at = { stage: 'face', face: 1, faces: 1 } as const;
  run.progress({ ...at, step: 'align' });
  const crop = tf.tidy(() => {
    const x = readWindow({ ...pixels.rgb, channels: 3 }, { x: 0, y: 0, width, height });
    return tf.squeeze(width === side ? x : resizeBicubic(x, side, side, true), [0]) as tf.Tensor3D;
  });
  let restored: tf.Tensor3D;
  let info;
  try {
    run.progress({ ...at, step: 'restore' });
    ({ output: restored, info } = await restoreWithInfo(crop, { ...run.restoreOptions, signal, onProgress: (p) => run.progress({ ...at, step: 'restore', restore: p }) }));
  } finally {
    crop.dispose();
  }
  run.progress({ ...at, step: 'paste' });
  // The restored face, resized to the result's size tile by tile: the whole result is never a tensor.
  const out = width * scale;
  const restoredPlane: PixelPlane = { data: (await restored.data()) as Float32Array, width: prior.resolution, height: prior.resolution, channels: 3 };
  restored.dispose();
  const sized = out === prior.resolution ? restoredPlane : await resizeLanczos(restoredPlane, out, out, { antialias: true, signal });
  const face: FaceReport = {
    box: { x: 0, y: 0, width, height },
    score: 1,
    landmarks: template ? scaleFaceTemplate(template, width) : undefined,
    region: { x: 0, y: 0, width: out, height: out },
    colourShift: meanDifference(sized.data, background.data),
    restore: info,
  };
  const warnings = tinyFaceWarning(width, side);
  return { image: encodePhoto(sized, alpha?.data, pixels.layout), faces: [face], scale, warnings, timeMs: performance.now() - started };
}

/** Per-channel mean of `a - b` over two RGB planes of the same size. */
function meanDifference(a: Float32Array, b: Float32Array): [number, number, number] {
  const sums = [0, 0, 0];
  for (let i = 0; i < a.length; i++) sums[i % 3] += a[i] - b[i];
  const n = a.length / 3;
  return [sums[0] / n, sums[1] / n, sums[2] / n];
}

/** An aligned face less than half the prior's input side is mostly enlarged blur: say so. */
function tinyFaceWarning(width: number, side: number): string[] {
  if (2 * width >= side) return [];
  const factor = Number((side / width).toFixed(1));
  return [`The ${width}x${width} face is far below the prior's ${side}x${side} input: it was enlarged ${factor} times before restoring, so the result holds little of the face itself`];
}
