import { checkSameSize, type RgbImage } from '../image.js';

/**
 * PSNR in dB of two uint8 RGB images, as basicsr's `calculate_psnr` (RGB, no border crop):
 * `10 log10(255^2 / MSE)` over every value; `Infinity` for identical images.
 * @throws DifbfsrError `INVALID_SIZE` / `INVALID_INPUT` for images that do not match.
 */
export function psnr(a: RgbImage, b: RgbImage): number {
  checkSameSize(a, b, 'PSNR');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    sum += d * d;
  }
  const mse = sum / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
