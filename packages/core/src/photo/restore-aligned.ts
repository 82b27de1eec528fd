import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { resizeBicubic } from '../image/resize.js';
import type { FaceTemplate } from '../types/face.js';
import { faceCropOf } from './face-crop.js';
import { scaleFaceTemplate } from './face-template.js';
import type { FaceCrop, FaceReport, PhotoResult } from './photo-options.js';
import { encodeRawImage } from '../image/raw-pixels.js';
import { restoreCrop, type PhotoRun, type RestoredCrop } from './photo-run.js';
import type { FloatImage } from '../types/image.js';
import { readWindow } from './pixel-window.js';
import { resizeLanczos } from './upscale-lanczos.js';
import { upscaleBackground } from './upscale-background.js';

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

/** The whole photo, resized to the prior's input side, as the crop to restore `[side, side, 3]`. */
function wholeCrop(run: PhotoRun): tf.Tensor3D {
  const { width, height } = run.pixels.rgb;
  return tf.tidy(() => {
    const x = readWindow({ ...run.pixels.rgb, channels: 3 }, { x: 0, y: 0, width, height });
    return tf.squeeze(width === run.side ? x : resizeBicubic(x, run.side, run.side, true), [0]) as tf.Tensor3D;
  });
}

/** Restore the whole photo as one face; with `faceCrops`, what was restored of it. */
async function restoreWhole(run: PhotoRun): Promise<{ restored: RestoredCrop; crops?: FaceCrop[] }> {
  const crop = wholeCrop(run);
  try {
    const restored = await restoreCrop(run, crop, 1, 1);
    return run.photo.faceCrops ? { restored, crops: [faceCropOf(crop, restored)] } : { restored };
  } finally {
    crop.dispose();
  }
}

/** The restored face (`[S, S, 3]`, disposed here) resized to `out` pixels square, tile by tile: the whole result is never a tensor. */
async function sizedResult(restored: tf.Tensor3D, out: number, signal?: AbortSignal): Promise<FloatImage> {
  const [size] = restored.shape;
  const plane: FloatImage = { data: (await restored.data()) as Float32Array, width: size, height: size, channels: 3 };
  restored.dispose();
  return out === size ? plane : resizeLanczos(plane, out, out, { antialias: true, signal });
}

/** `aligned` input: the whole (square) image is one face in the template's framing. */
export async function restoreAligned(run: PhotoRun, template: FaceTemplate | undefined, started: number): Promise<PhotoResult> {
  const { pixels, side, scale } = run;
  const { width, height } = pixels.rgb;
  if (width !== height) throw new DifbfsrError('INVALID_SIZE', `An aligned face must be square, got ${width}x${height}`);
  const { rgb: background, alpha } = await upscaleBackground(run);
  run.progress({ stage: 'face', face: 1, faces: 1, step: 'align' });
  const { restored, crops } = await restoreWhole(run);
  run.progress({ stage: 'face', face: 1, faces: 1, step: 'paste' });
  const out = width * scale;
  const sized = await sizedResult(restored.output, out, run.signal);
  const face: FaceReport = {
    box: { x: 0, y: 0, width, height },
    score: 1,
    landmarks: template ? scaleFaceTemplate(template, width) : undefined,
    region: { x: 0, y: 0, width: out, height: out },
    colourShift: meanDifference(sized.data, background.data),
    restore: restored.info,
  };
  const image = encodeRawImage(sized, alpha?.data, pixels.layout);
  return { image, faces: [face], ...(crops ? { crops } : {}), scale, warnings: tinyFaceWarning(width, side), timeMs: performance.now() - started };
}
