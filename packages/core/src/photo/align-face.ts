import * as tf from '@tensorflow/tfjs-core';
import { applySeparable } from '../image/apply-separable.js';
import { gaussianMatrix } from '../image/resize-matrices.js';
import { warpAffine } from './affine-warp.js';
import type { FiveLandmarks } from '../types/face.js';
import type { RgbImage } from '../types/image.js';
import { clipRect, readWindow } from './pixel-window.js';
import { affineScale, composeAffine, estimateSimilarity, invertAffine, squareBounds, translation, type Affine2D } from './similarity-transform.js';

/** A face cut out of a photo in the template's framing. */
export interface AlignedFace {
  /** The crop, `[side, side, 3]`, values 0..255. Owned by the caller. */
  crop: tf.Tensor3D;
  /** Photo pixel-edge coordinates to crop coordinates. */
  toCrop: Affine2D;
  /** True when part of the crop lay outside the photo and was filled by mirroring the photo's edge. */
  padded: boolean;
}

/**
 * Anti-alias blur (standard deviation in photo pixels) before sampling a crop `factor` times
 * smaller than the photo: an antialiased bicubic resize by `factor` has about `factor / 2`, of which
 * bilinear sampling supplies about `1 / 2`.
 */
function antialiasSigma(factor: number): number {
  return factor > 1 ? 0.5 * Math.sqrt(factor * factor - 1) : 0;
}

/**
 * Cut the face with `landmarks` out of `photo` so that its landmarks land on `template` in a
 * `side x side` crop: least-squares similarity, blur when the crop is smaller than the face, then
 * bilinear resampling (mirrored photo edges fill what lies outside the photo).
 */
export function alignFace(photo: RgbImage, landmarks: FiveLandmarks, template: FiveLandmarks, side: number): AlignedFace {
  const toCrop = estimateSimilarity(landmarks, template);
  const fromCrop = invertAffine(toCrop);
  const sigma = antialiasSigma(1 / affineScale(toCrop));
  const { lo, hi } = squareBounds(fromCrop, side);
  const padded = lo.x < 0 || lo.y < 0 || hi.x > photo.width || hi.y > photo.height;
  const margin = Math.ceil(3 * sigma) + 2;
  const x0 = Math.floor(lo.x) - margin;
  const y0 = Math.floor(lo.y) - margin;
  const window = clipRect(
    { x: x0, y: y0, width: Math.ceil(hi.x) + margin - x0, height: Math.ceil(hi.y) + margin - y0 },
    photo.width,
    photo.height,
  ) ?? { x: 0, y: 0, width: photo.width, height: photo.height };
  const crop = tf.tidy(() => {
    let src = readWindow({ ...photo, channels: 3 }, window);
    if (sigma > 0) src = applySeparable(src, gaussianMatrix(window.height, sigma), gaussianMatrix(window.width, sigma));
    const map = composeAffine(translation(-window.x, -window.y), fromCrop);
    return tf.squeeze(warpAffine(src, map, side, side, 'reflect'), [0]) as tf.Tensor3D;
  });
  return { crop, toCrop, padded };
}
