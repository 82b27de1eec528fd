import * as tf from '@tensorflow/tfjs-core';

/** The values of an NHWC `[1, H, W, C]` tensor in NCHW order. */
export function nchwOf(x: tf.Tensor4D): Float32Array {
  const [, h, w, c] = x.shape;
  const src = x.dataSync();
  const out = new Float32Array(src.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = src[p * c + k];
  return out;
}

/** NCHW `[1, C, H, W]` values as an NHWC tfjs tensor. */
export function nhwcTensor(data: Float32Array, c: number, h: number, w: number): tf.Tensor4D {
  const out = new Float32Array(data.length);
  for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[p * c + k] = data[k * h * w + p];
  return tf.tensor4d(out, [1, h, w, c]);
}
