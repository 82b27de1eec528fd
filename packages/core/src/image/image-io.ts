import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { resizeBicubic } from './resize.js';

/** An 8-bit interleaved image, `ImageData`-like (`ImageData` itself fits, with 4 channels). */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA); inferred from `data.length` when absent. */
  channels?: number;
}

/** What `restore()` accepts: a tfjs tensor (`[h, w, c]` or `[1, h, w, c]`, values 0..255) or a {@link RawImage}. */
export type ImageInput = tf.Tensor3D | tf.Tensor4D | RawImage;

/** How the caller gave the image, so the result can be returned the same way. */
export interface InputLayout {
  kind: 'tensor3d' | 'tensor4d' | 'raw';
  height: number;
  width: number;
  channels: 1 | 3 | 4;
  /** `ImageData` returns `Uint8ClampedArray`; a plain array returns `Uint8Array`. */
  clamped: boolean;
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

/** Validate and convert any {@link ImageInput} (does not dispose the input). */
export function decodeInput(input: ImageInput): DecodedInput {
  let pixels: tf.Tensor3D;
  let layout: InputLayout;
  if (input instanceof tf.Tensor) {
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
    layout = { kind: input.rank === 3 ? 'tensor3d' : 'tensor4d', height: s[0], width: s[1], channels: checkChannels(s[2], 'Input tensor'), clamped: false };
    pixels = tf.tidy(() => tf.cast(tf.reshape(input, s), 'float32')) as tf.Tensor3D;
  } else if (input && typeof input === 'object' && 'data' in input && 'width' in input && 'height' in input) {
    const { data, width, height } = input;
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
      throw new DifbfsrError('UNSUPPORTED_DTYPE', 'Image data must be a Uint8Array or Uint8ClampedArray (8-bit interleaved pixels)');
    }
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new DifbfsrError('INVALID_SIZE', `Image size must be positive integers, got ${width}x${height}`);
    }
    const n = width * height;
    const c = input.channels ?? data.length / n;
    if (input.channels === undefined && !(c === 1 || c === 3 || c === 4)) {
      throw new DifbfsrError('INVALID_INPUT', `Image data has ${data.length} bytes; a ${width}x${height} image needs ${n} (grey), ${3 * n} (RGB) or ${4 * n} (RGBA)`);
    }
    if (data.length !== n * c) {
      throw new DifbfsrError('INVALID_INPUT', `Image data has ${data.length} bytes; ${width}x${height}x${c} needs ${n * c}`);
    }
    layout = { kind: 'raw', height, width, channels: checkChannels(c, 'Image'), clamped: data instanceof Uint8ClampedArray };
    pixels = tf.tensor3d(Float32Array.from(data), [height, width, c]);
  } else {
    throw new DifbfsrError('INVALID_INPUT', 'Input must be a tfjs tensor or an {data, width, height} image');
  }
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

/** RGB in [-1, 1] `[1, H, W, 3]` to pixel values 0..255 (rounded) `[H, W, 3]`. */
export function toPixels(rgb: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.clipByValue(tf.mul(tf.add(tf.squeeze(rgb, [0]), 1), 127.5), 0, 255)) as tf.Tensor3D);
}

/**
 * Encode a restored RGB image `[1, H, W, 3]` in [-1, 1] the way the input was given: same kind,
 * same channel count (grey as BT.601 luma; alpha upscaled bicubically from the input's alpha).
 */
export function encodeOutput(rgb: tf.Tensor4D, layout: InputLayout, alpha?: tf.Tensor4D): tf.Tensor3D | tf.Tensor4D | RawImage {
  const [, height, width] = rgb.shape;
  const pixels = tf.tidy(() => {
    let px = toPixels(rgb);
    if (layout.channels === 1) {
      px = tf.round(tf.sum(tf.mul(px, tf.tensor1d([0.299, 0.587, 0.114])), 2, true)) as tf.Tensor3D;
    } else if (layout.channels === 4 && alpha) {
      const a = tf.round(tf.clipByValue(tf.mul(tf.squeeze(resizeBicubic(alpha, height, width), [0]), 255), 0, 255));
      px = tf.concat([px, a], 2) as tf.Tensor3D;
    }
    return px as tf.Tensor3D;
  });
  if (layout.kind === 'tensor3d') return pixels;
  if (layout.kind === 'tensor4d') {
    const out = tf.expandDims(pixels, 0) as tf.Tensor4D;
    pixels.dispose();
    return out;
  }
  const values = pixels.dataSync();
  pixels.dispose();
  const data = layout.clamped ? new Uint8ClampedArray(values) : Uint8Array.from(values);
  return { data, width, height, channels: layout.channels };
}
