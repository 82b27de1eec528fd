import * as tf from '@tensorflow/tfjs-core';
import type { Affine2D } from './similarity-transform.js';

/** How samples outside the source are filled: zeros, mirrored content, or the nearest edge pixel. */
export type WarpFill = 'constant' | 'reflect' | 'nearest';

/**
 * Resample `src` (`[1, h, w, c]`) on an `outHeight x outWidth` grid with bilinear interpolation:
 * output pixel centre `p` takes the source value at `map(p)`. Both sides use pixel-edge coordinates
 * (pixel `(i, j)` is centred at `(j + 0.5, i + 0.5)`). Runs `tf.image.transform`, whose kernel exists
 * on the cpu, wasm and webgl backends.
 */
export function warpAffine(src: tf.Tensor4D, map: Affine2D, outHeight: number, outWidth: number, fill: WarpFill = 'constant'): tf.Tensor4D {
  const { a, b, c, d, tx, ty } = map;
  // tf.image.transform maps integer output indices to source indices (pixel centres at integers).
  const row = [a, b, 0.5 * (a + b) + tx - 0.5, c, d, 0.5 * (c + d) + ty - 0.5, 0, 0];
  return tf.tidy(() => tf.image.transform(src, tf.tensor2d(row, [1, 8]), 'bilinear', fill, 0, [outHeight, outWidth]));
}
