import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import type { RawImage } from '../types/image.js';
import { decodeRawImage, encodeRawImage, type RawLayout } from './raw-pixels.js';
import { resizeBicubic } from './resize.js';

/** What `restore()` accepts: a tfjs tensor (`[h, w, c]` or `[1, h, w, c]`, values 0..255) or a {@link RawImage}. */
export type ImageInput = tf.Tensor3D | tf.Tensor4D | RawImage;

/** How the caller gave the image, so the result can be returned the same way (tensors: 8-bit, not clamped). */
export interface InputLayout extends RawLayout {
  kind: 'tensor3d' | 'tensor4d' | 'raw';
  height: number;
  width: number;
}

/** The input as RGB in [-1, 1] `[1, h, w, 3]`, its alpha in [0, 1] `[1, h, w, 1]` if any, and its layout. */
export interface DecodedInput {
  rgb: tf.Tensor4D;
  alpha?: tf.Tensor4D;
  layout: InputLayout;
}

function checkChannels(c: number, what: string): 1 | 3 | 4 {
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new DifbfsrError('INVALID_INPUT', `${what} has ${c} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA)`);
  }
  return c;
}

/** A tensor input as float pixels `[h, w, c]` (0..255) and its layout. */
function tensorPixels(input: tf.Tensor): { pixels: tf.Tensor3D; layout: InputLayout } {
  if (input.dtype !== 'float32' && input.dtype !== 'int32') {
    throw new DifbfsrError('UNSUPPORTED_DTYPE', `Input tensor dtype ${input.dtype} is not supported; use float32 or int32 in 0..255`);
  }
  if (input.rank === 4 && input.shape[0] !== 1) {
    throw new DifbfsrError('INVALID_INPUT', `Input tensor batch must be 1, got shape [${input.shape}]`);
  }
  if (input.rank !== 3 && input.rank !== 4) {
    throw new DifbfsrError('INVALID_INPUT', `Input tensor must be [h, w, c] or [1, h, w, c], got shape [${input.shape}]`);
  }
  const s = input.shape.slice(-3) as [number, number, number];
  const channels = checkChannels(s[2], 'Input tensor');
  const layout: InputLayout = { kind: input.rank === 3 ? 'tensor3d' : 'tensor4d', height: s[0], width: s[1], channels, depth: 8, clamped: false };
  return { pixels: tf.tidy(() => tf.cast(tf.reshape(input, s), 'float32')) as tf.Tensor3D, layout };
}

/** A tensor's pixels as RGB in [-1, 1] and alpha in [0, 1]; `pixels` is disposed. */
function splitTensorPixels(pixels: tf.Tensor3D, layout: InputLayout): DecodedInput {
  try {
    const finite = tf.tidy(() => tf.all(tf.isFinite(pixels)).dataSync()[0]);
    if (!finite) throw new DifbfsrError('NON_FINITE', 'Input image contains NaN or infinite pixel values');
    const { height, width, channels } = layout;
    const rgb = tf.tidy(() => {
      const scaled = tf.sub(tf.div(pixels, 127.5), 1);
      const colour = channels === 1 ? tf.tile(scaled, [1, 1, 3]) : tf.slice(scaled, [0, 0, 0], [height, width, 3]);
      return tf.expandDims(tf.clipByValue(colour, -1, 1), 0) as tf.Tensor4D;
    });
    if (channels !== 4) return { rgb, layout };
    const alpha = tf.tidy(() => tf.expandDims(tf.div(tf.slice(pixels, [0, 0, 3], [height, width, 1]), 255), 0) as tf.Tensor4D);
    return { rgb, alpha, layout };
  } finally {
    pixels.dispose();
  }
}

/** A {@link RawImage} (8 or 16 bit, 1 to 4 channels) as RGB in [-1, 1] and alpha in [0, 1]. */
function decodeRaw(input: RawImage): DecodedInput {
  const { rgb, alpha, layout } = decodeRawImage(input);
  const { width, height } = rgb;
  const rgbTensor = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(rgb.data, [1, height, width, 3]), 127.5), 1) as tf.Tensor4D);
  const inputLayout: InputLayout = { kind: 'raw', height, width, ...layout };
  if (!alpha) return { rgb: rgbTensor, layout: inputLayout };
  return { rgb: rgbTensor, alpha: tf.tidy(() => tf.div(tf.tensor4d(alpha, [1, height, width, 1]), 255) as tf.Tensor4D), layout: inputLayout };
}

/** Validate and convert any {@link ImageInput} (does not dispose the input). */
export function decodeInput(input: ImageInput): DecodedInput {
  if (input instanceof tf.Tensor) {
    const { pixels, layout } = tensorPixels(input);
    return splitTensorPixels(pixels, layout);
  }
  if (input && typeof input === 'object' && 'data' in input && 'width' in input && 'height' in input) return decodeRaw(input);
  throw new DifbfsrError('INVALID_INPUT', 'Input must be a tfjs tensor or an {data, width, height} image');
}

/** RGB in [-1, 1] `[1, H, W, 3]` to pixel values 0..255 (rounded) `[H, W, 3]`. */
export function toPixels(rgb: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.clipByValue(tf.mul(tf.add(tf.squeeze(rgb, [0]), 1), 127.5), 0, 255)) as tf.Tensor3D);
}

/**
 * Encode a restored RGB image `[1, H, W, 3]` in [-1, 1] the way the input was given: same kind,
 * same channel count and bit depth (grey as BT.601 luma; alpha upscaled bicubically from the input's alpha).
 */
export function encodeOutput(rgb: tf.Tensor4D, layout: InputLayout, alpha?: tf.Tensor4D): tf.Tensor3D | tf.Tensor4D | RawImage {
  const [, height, width] = rgb.shape;
  if (layout.kind === 'raw') {
    const pixels = toPixels(rgb);
    const rgbData = pixels.dataSync() as Float32Array;
    pixels.dispose();
    const alphaData = alpha ? upscaledAlpha(alpha, height, width) : undefined;
    return encodeRawImage({ data: rgbData, width, height }, alphaData, layout);
  }
  const pixels = tf.tidy(() => {
    let px = toPixels(rgb);
    if (layout.channels === 1) {
      px = tf.round(tf.sum(tf.mul(px, tf.tensor1d([0.299, 0.587, 0.114])), 2, true)) as tf.Tensor3D;
    } else if (layout.channels === 4 && alpha) {
      px = tf.concat([px, tf.round(tf.clipByValue(tf.mul(tf.squeeze(resizeBicubic(alpha, height, width), [0]), 255), 0, 255))], 2) as tf.Tensor3D;
    }
    return px as tf.Tensor3D;
  });
  if (layout.kind === 'tensor3d') return pixels;
  const out = tf.expandDims(pixels, 0) as tf.Tensor4D;
  pixels.dispose();
  return out;
}

/** The input's alpha `[1, h, w, 1]` in [0, 1] upscaled bicubically to `height x width`, 0..255. */
function upscaledAlpha(alpha: tf.Tensor4D, height: number, width: number): Float32Array {
  const up = tf.tidy(() => tf.mul(resizeBicubic(alpha, height, width), 255));
  const data = up.dataSync() as Float32Array;
  up.dispose();
  return data;
}
