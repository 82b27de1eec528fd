import { DifbfsrError } from '../errors.js';

/**
 * Default pixel limit of `restorePhoto()` (`maxPixels`) and of `difbfsr restore --max-pixels`:
 * 8192 x 8192 output pixels, a 2048 x 2048 photo at x4. At that size the upscaled photo alone takes
 * about 0.8 GB as float RGB while it is built.
 */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/** An image about to be restored `scale` times larger, and the limit it must keep to. */
export interface PixelLimitCheck {
  width: number;
  height: number;
  scale: number;
  /** The most pixels of the input and of the output. */
  maxPixels: number;
  /** How the caller raises the limit, named in the error (`maxPixels`, `--max-pixels`). Default `maxPixels`. */
  option?: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Refuse an image whose input or `scale` times larger output has more than `maxPixels` pixels.
 * Callers check this before decoding or allocating anything of the image's size.
 * @throws DifbfsrError `IMAGE_TOO_LARGE` naming the sizes and the limit.
 */
export function checkPixelLimit(check: PixelLimitCheck): void {
  const { width, height, scale, maxPixels, option = 'maxPixels' } = check;
  const pixels = width * height;
  const limit = `the limit of ${count(maxPixels)} pixels (${option})`;
  if (pixels > maxPixels) {
    throw new DifbfsrError('IMAGE_TOO_LARGE', `The image is ${width}x${height} (${count(pixels)} pixels), over ${limit}`);
  }
  const output = pixels * scale * scale;
  if (output > maxPixels) {
    throw new DifbfsrError(
      'IMAGE_TOO_LARGE',
      `The ${width}x${height} image would give a ${width * scale}x${height * scale} result at x${scale} (${count(output)} pixels), ` +
        `over ${limit}: restore a smaller image or use a lower scale, or raise ${option}`,
    );
  }
}
