import * as tf from '@tensorflow/tfjs-core';
import type { FloatImage } from '../types/image.js';

/** An integer pixel rectangle. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copy a rectangle (inside the plane) into a new `[1, h, w, c]` tensor. */
export function readWindow(plane: FloatImage, r: PixelRect): tf.Tensor4D {
  const { data, width, channels: c } = plane;
  const out = new Float32Array(r.width * r.height * c);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * width + r.x) * c;
    out.set(data.subarray(from, from + r.width * c), y * r.width * c);
  }
  return tf.tensor4d(out, [1, r.height, r.width, c]);
}

/** Write `values` (`[h, w, c]` interleaved, the rectangle's size) into the plane. */
export function writeWindow(plane: FloatImage, r: PixelRect, values: ArrayLike<number>): void {
  const { data, width, channels: c } = plane;
  const row = r.width * c;
  for (let y = 0; y < r.height; y++) {
    const to = ((r.y + y) * width + r.x) * c;
    for (let i = 0; i < row; i++) data[to + i] = values[y * row + i];
  }
}

/** The part of a rectangle inside a `width x height` image, or undefined when they do not overlap. */
export function clipRect(r: PixelRect, width: number, height: number): PixelRect | undefined {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}
