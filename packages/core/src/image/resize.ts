import type * as tf from '@tensorflow/tfjs-core';
import { applySeparable } from './apply-separable.js';
import { areaMatrix, bicubicMatrix, nearestMatrix } from './resize-matrices.js';

/** Bicubic resize of NHWC images (PyTorch `bicubic`, `align_corners=False`; antialias when shrinking if asked). */
export function resizeBicubic(x: tf.Tensor4D, height: number, width: number, antialias = false): tf.Tensor4D {
  const [, h, w] = x.shape;
  return applySeparable(x, bicubicMatrix(h, height, antialias), bicubicMatrix(w, width, antialias));
}

/** Area (box-average) downsampling of NHWC images by an integer factor. */
export function downsampleArea(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  return applySeparable(x, areaMatrix(h, h / factor), areaMatrix(w, w / factor));
}

/** Nearest-neighbour replication of NHWC images by an integer factor. */
export function upsampleNearest(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  return applySeparable(x, nearestMatrix(h, h * factor), nearestMatrix(w, w * factor));
}
