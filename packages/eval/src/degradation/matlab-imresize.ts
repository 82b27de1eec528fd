import { DifbfsrError, imresizeOperator } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import { applySeparableOperator } from './separable.js';

/**
 * Antialiased bicubic resize of an RGB image by `scale` (the protocol's `down_s` with
 * `scale = 1 / s`), MATLAB semantics, float64 without rounding.
 * @throws DifbfsrError `INVALID_OPTION` unless `scale` is a positive finite number.
 */
export function imresize(img: RgbImage<Uint8Array | Float64Array>, scale: number): RgbImage<Float64Array> {
  checkRgb(img, 'resize input');
  if (!(Number.isFinite(scale) && scale > 0)) throw new DifbfsrError('INVALID_OPTION', `resize scale must be a positive number, got ${scale}`);
  return applySeparableOperator(img, imresizeOperator(img.height, scale), imresizeOperator(img.width, scale));
}
