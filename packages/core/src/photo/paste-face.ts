import * as tf from '@tensorflow/tfjs-core';
import { warpAffine } from './affine-warp.js';
import type { FloatImage } from '../types/image.js';
import { clipRect, readWindow, writeWindow, type PixelRect } from './pixel-window.js';
import { composeAffine, invertAffine, squareBounds, translation, type Affine2D } from './similarity-transform.js';

/** Where a face was pasted and how its colour compares with what it covered. */
export interface PasteResult {
  /** The output pixels the face touched. */
  region: PixelRect;
  /**
   * Mean RGB difference (0..255 units), restored face minus the image it replaced, weighted by the
   * blending mask: the colour shift the restoration brought.
   */
  colourShift: [number, number, number];
}

/**
 * Paste a restored face into `image` in place: the face (`[1, s, s, 3]`, 0..255) is warped back with
 * the inverse of `toFace` (which maps image pixel-edge coordinates to face coordinates) and blended
 * over the image with `mask` (`[1, s, s, 1]`, in face coordinates). Pixels where the warped mask is 0
 * are left exactly as they were. Returns undefined when the face lies outside the image.
 */
export function pasteFace(image: FloatImage, face: tf.Tensor4D, mask: tf.Tensor4D, toFace: Affine2D): PasteResult | undefined {
  const size = face.shape[1];
  const { lo, hi } = squareBounds(invertAffine(toFace), size);
  const x0 = Math.floor(lo.x);
  const y0 = Math.floor(lo.y);
  const x1 = Math.ceil(hi.x);
  const y1 = Math.ceil(hi.y);
  const region = clipRect({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, image.width, image.height);
  if (!region) return undefined;
  const map = composeAffine(toFace, translation(region.x, region.y));
  const [blended, shift] = tf.tidy(() => {
    const bg = readWindow(image, region);
    const fg = warpAffine(face, map, region.height, region.width);
    const m = warpAffine(mask, map, region.height, region.width);
    const diff = tf.mul(m, tf.sub(fg, bg));
    const weight = tf.maximum(tf.sum(m), 1e-6);
    return [tf.add(bg, diff), tf.div(tf.sum(diff, [0, 1, 2]), weight)];
  });
  writeWindow(image, region, blended.dataSync());
  const s = shift.dataSync();
  tf.dispose([blended, shift]);
  return { region, colourShift: [s[0], s[1], s[2]] };
}
