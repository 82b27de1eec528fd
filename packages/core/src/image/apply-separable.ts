import * as tf from '@tensorflow/tfjs-core';
import type { Matrix1D } from './resize-matrices.js';
import { DifbfsrError } from '../errors.js';

/**
 * Apply a separable linear operator to NHWC images: `out[b,:,:,c] = R * x[b,:,:,c] * C^T`, with
 * `R` acting on rows (height) and `C` on columns (width). Differentiable in `x`.
 */
export function applySeparable(x: tf.Tensor4D, rowOp: Matrix1D, colOp: Matrix1D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (rowOp.cols !== h || colOp.cols !== w) {
    throw new DifbfsrError('INVALID_SIZE', `operator expects ${rowOp.cols}x${colOp.cols} images, got ${h}x${w}`);
  }
  return tf.tidy(() => {
    const R = tf.tensor2d(rowOp.data, [rowOp.rows, rowOp.cols]);
    const C = tf.tensor2d(colOp.data, [colOp.rows, colOp.cols]);
    // rows: [h, b*w*c]
    const xh = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, b * w * c]);
    const yh = tf.reshape(tf.matMul(R, xh), [rowOp.rows, b, w, c]);
    // columns: [w, H*b*c]
    const xw = tf.reshape(tf.transpose(yh, [2, 0, 1, 3]), [w, rowOp.rows * b * c]);
    const yw = tf.reshape(tf.matMul(C, xw), [colOp.rows, rowOp.rows, b, c]);
    return tf.transpose(yw, [2, 1, 0, 3]) as tf.Tensor4D;
  });
}
