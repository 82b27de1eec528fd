import { DifbfsrError } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import { reflect101 } from './reflect-index.js';
import { applySeparableOperator, type SparseOperator } from './separable.js';

/**
 * The protocol's 1-D Gaussian kernel: `2 ceil(3 sigma) + 1` taps, `exp(-x^2 / (2 sigma^2))`,
 * normalised to sum 1. Its outer product with itself is basicsr's isotropic 2-D kernel.
 * @throws DifbfsrError `INVALID_OPTION` unless `sigma` is a positive finite number.
 */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new DifbfsrError('INVALID_OPTION', `blur sigma must be a positive number, got ${sigma}`);
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let j = -r; j <= r; j++) sum += k[j + r] = Math.exp(-(j * j) / (2 * sigma * sigma));
  for (let j = 0; j < k.length; j++) k[j] /= sum;
  return k;
}

/** The blur along one axis of length `n` as a sparse operator, borders reflected (`BORDER_REFLECT_101`). */
function blurOperator(n: number, kernel: Float64Array): SparseOperator {
  const taps = kernel.length;
  const r = (taps - 1) / 2;
  const indices = new Int32Array(n * taps);
  const weights = new Float64Array(n * taps);
  for (let o = 0; o < n; o++) {
    for (let t = 0; t < taps; t++) {
      indices[o * taps + t] = reflect101(o + t - r, n);
      weights[o * taps + t] = kernel[t];
    }
  }
  return { inLength: n, outLength: n, taps, indices, weights };
}

/**
 * Isotropic Gaussian blur `x * k_sigma` of an RGB image, as the protocol defines it: kernel
 * {@link gaussianKernel}, reflect padding without edge repetition (cv2.filter2D's default, numpy's
 * `reflect`), computed in float64 without rounding.
 */
export function gaussianBlur(img: RgbImage<Uint8Array | Float64Array>, sigma: number): RgbImage<Float64Array> {
  checkRgb(img, 'blur input');
  const kernel = gaussianKernel(sigma);
  return applySeparableOperator(img, blurOperator(img.height, kernel), blurOperator(img.width, kernel));
}
