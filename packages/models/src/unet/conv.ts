import * as tf from '@tensorflow/tfjs-core';
import { weight, type UNetWeights } from './weights.js';

/**
 * PyTorch `Conv2d` with padding `(k - 1) / 2` on every side (3x3: pad 1, 1x1: none) and the given
 * stride, on NHWC input, using the converted `<name>.weight` `[kh, kw, I, O]` and `<name>.bias`.
 * Padding is explicit: for stride 2, TF's `'same'` would pad (0, 1) where PyTorch pads (1, 1).
 */
export function conv2d(weights: UNetWeights, name: string, x: tf.Tensor4D, stride: 1 | 2 = 1): tf.Tensor4D {
  const filter = weight<tf.Rank.R4>(weights, `${name}.weight`);
  const p = (filter.shape[0] - 1) / 2;
  return tf.fused.conv2d({
    x,
    filter,
    bias: weight<tf.Rank.R1>(weights, `${name}.bias`),
    strides: stride,
    pad: [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  });
}
