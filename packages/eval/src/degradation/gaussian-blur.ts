import { gaussianBlurOperator } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import { applySeparableOperator } from './separable.js';

/**
 * Isotropic Gaussian blur `x * k_sigma` of an RGB image, as the protocol defines it: kernel
 * `gaussianKernel`, reflect padding without edge repetition (cv2.filter2D's default, numpy's
 * `reflect`), computed in float64 without rounding.
 */
export function gaussianBlur(img: RgbImage<Uint8Array | Float64Array>, sigma: number): RgbImage<Float64Array> {
  checkRgb(img, 'blur input');
  return applySeparableOperator(img, gaussianBlurOperator(img.height, sigma), gaussianBlurOperator(img.width, sigma));
}
