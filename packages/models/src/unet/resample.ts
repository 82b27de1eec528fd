import * as tf from '@tensorflow/tfjs-core';

/** Nearest-neighbour x2 (torch `F.interpolate(scale_factor=2, mode="nearest")`), NHWC. */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2], false, false);
}

/** 2x2 stride-2 average pooling (torch `AvgPool2d(2)`), NHWC. */
export function avgPool2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 2, 2, 'valid');
}
