import { DifbfsrError } from '../errors.js';
import { reflect101 } from './reflect-index.js';
import type { SparseOperator } from './sparse-operator.js';

/**
 * The evaluation protocol's 1-D Gaussian kernel: `2 ceil(3 sigma) + 1` taps, `exp(-x^2 / (2 sigma^2))`,
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

/**
 * The protocol's blur along one axis of length `n` as a sparse operator: kernel {@link gaussianKernel},
 * borders reflected without edge repetition (`BORDER_REFLECT_101`, cv2.filter2D's default, numpy's `reflect`).
 */
export function gaussianBlurOperator(n: number, sigma: number): SparseOperator {
  const kernel = gaussianKernel(sigma);
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
