import { DifbfsrError } from '../errors.js';
import type { RawImage, RgbImage } from '../types/image.js';

/** How a {@link RawImage} was given, so the result is returned the same way. */
export interface RawLayout {
  channels: 1 | 2 | 3 | 4;
  /** Bits per sample: 8 or 16. */
  depth: 8 | 16;
  /** True for `Uint8ClampedArray` (`ImageData`) input. */
  clamped: boolean;
}

/** A decoded {@link RawImage}: RGB in 0..255 (floats; 16-bit input keeps its precision), alpha in 0..255 if any. */
export interface DecodedRawImage {
  rgb: RgbImage;
  alpha?: Float32Array;
  layout: RawLayout;
}

/** The size and layout of a {@link RawImage}. */
export interface RawShape {
  width: number;
  height: number;
  layout: RawLayout;
}

/**
 * Check a {@link RawImage}'s type, size and channels without reading its pixels.
 * @throws DifbfsrError `UNSUPPORTED_DTYPE`, `INVALID_SIZE` or `INVALID_INPUT` naming the problem.
 */
export function rawImageShape(image: RawImage): RawShape {
  if (!image || typeof image !== 'object' || !('data' in image)) {
    throw new DifbfsrError('INVALID_INPUT', 'An image must be a tfjs tensor or an {data, width, height, channels?} image');
  }
  const { data, width, height } = image;
  const depth = data instanceof Uint16Array ? 16 : data instanceof Uint8Array || data instanceof Uint8ClampedArray ? 8 : 0;
  if (depth === 0) {
    throw new DifbfsrError('UNSUPPORTED_DTYPE', 'Image data must be a Uint8Array, Uint8ClampedArray (8-bit) or Uint16Array (16-bit)');
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DifbfsrError('INVALID_SIZE', `Image size must be positive integers, got ${width}x${height}`);
  }
  const n = width * height;
  const c = image.channels ?? data.length / n;
  if (image.channels === undefined && !(c === 1 || c === 2 || c === 3 || c === 4)) {
    throw new DifbfsrError(
      'INVALID_INPUT',
      `Image data has ${data.length} samples; a ${width}x${height} image needs ${n} (grey), ${2 * n} (grey + alpha), ${3 * n} (RGB) or ${4 * n} (RGBA)`,
    );
  }
  if (c !== 1 && c !== 2 && c !== 3 && c !== 4) {
    throw new DifbfsrError('INVALID_INPUT', `Image has ${c} channels; expected 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)`);
  }
  if (data.length !== n * c) {
    throw new DifbfsrError('INVALID_INPUT', `Image data has ${data.length} samples; ${width}x${height}x${c} needs ${n * c}`);
  }
  return { width, height, layout: { channels: c, depth, clamped: data instanceof Uint8ClampedArray } };
}

/**
 * Validate a {@link RawImage} and split it into float RGB (grey replicated) and alpha.
 * @throws DifbfsrError `UNSUPPORTED_DTYPE`, `INVALID_SIZE` or `INVALID_INPUT` naming the problem.
 */
export function decodeRawImage(image: RawImage): DecodedRawImage {
  const { width, height, layout } = rawImageShape(image);
  const { data } = image;
  const { channels: c, depth } = layout;
  const unit = depth === 16 ? 255 / 65535 : 1;
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  const alpha = c === 2 || c === 4 ? new Float32Array(n) : undefined;
  const colour = c >= 3;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    rgb[i * 3] = data[s] * unit;
    rgb[i * 3 + 1] = data[colour ? s + 1 : s] * unit;
    rgb[i * 3 + 2] = data[colour ? s + 2 : s] * unit;
    if (alpha) alpha[i] = data[s + c - 1] * unit;
  }
  return { rgb: { data: rgb, width, height }, alpha, layout };
}

/**
 * Encode float RGB (0..255) and alpha back into the layout the image came in: same channels
 * (grey as BT.601 luma), same bit depth, rounded and clamped.
 */
export function encodeRawImage(rgb: RgbImage, alpha: Float32Array | undefined, layout: RawLayout): RawImage {
  const { width, height } = rgb;
  const { channels: c, depth } = layout;
  const n = width * height;
  const max = depth === 16 ? 65535 : 255;
  const unit = max / 255;
  const data = depth === 16 ? new Uint16Array(n * c) : layout.clamped ? new Uint8ClampedArray(n * c) : new Uint8Array(n * c);
  const put = (i: number, v: number) => {
    data[i] = Math.min(max, Math.max(0, Math.round(v * unit)));
  };
  const px = rgb.data;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    if (c >= 3) {
      put(s, px[i * 3]);
      put(s + 1, px[i * 3 + 1]);
      put(s + 2, px[i * 3 + 2]);
    } else {
      put(s, 0.299 * px[i * 3] + 0.587 * px[i * 3 + 1] + 0.114 * px[i * 3 + 2]);
    }
    if (c === 2 || c === 4) put(s + c - 1, alpha ? alpha[i] : 255);
  }
  return { data, width, height, channels: c };
}
