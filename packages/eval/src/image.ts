import { DifbfsrError } from '@difbfsr/core';

/**
 * An interleaved RGB image (`height x width x 3`, row-major). `Uint8Array` holds pixels 0..255;
 * `Float64Array` holds the intermediate values of the degradation, on the same 0..255 scale.
 */
export interface RgbImage<D extends Uint8Array | Float64Array = Uint8Array> {
  readonly width: number;
  readonly height: number;
  readonly data: D;
}

/**
 * Check that `img` is a well-formed RGB image and return it.
 * @throws DifbfsrError `INVALID_INPUT` naming `what` when its size or data length is wrong.
 */
export function checkRgb<D extends Uint8Array | Float64Array>(img: RgbImage<D>, what: string): RgbImage<D> {
  const { width, height, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new DifbfsrError('INVALID_INPUT', `${what} must have a positive integer size, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new DifbfsrError('INVALID_INPUT', `${what} is ${width}x${height} RGB, so it needs ${width * height * 3} values, got ${data.length}`);
  }
  return img;
}

/**
 * Check that two images have the same size (the metrics compare them pixel by pixel).
 * @throws DifbfsrError `INVALID_SIZE` naming both sizes.
 */
export function checkSameSize(a: RgbImage<Uint8Array | Float64Array>, b: RgbImage<Uint8Array | Float64Array>, what: string): void {
  checkRgb(a, `${what}: first image`);
  checkRgb(b, `${what}: second image`);
  if (a.width !== b.width || a.height !== b.height) {
    throw new DifbfsrError('INVALID_SIZE', `${what} needs images of the same size, got ${a.width}x${a.height} and ${b.width}x${b.height}`);
  }
}
