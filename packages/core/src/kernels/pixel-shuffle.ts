import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';

/**
 * Sub-pixel rearrangement `[N, H, W, C*r*r] → [N, H*r, W*r, C]`, equal element
 * for element to `tf.depthToSpace(x, r, 'NHWC')`:
 * `out[n, h*r + i, w*r + j, c] = x[n, h, w, (i*r + j)*C + c]`.
 *
 * Built from reshape and transpose only, so unlike `tf.depthToSpace` (which
 * has no registered gradient in tfjs 4.22) it can be differentiated.
 *
 * @throws DifbfsrError `INVALID_INPUT` for a non-4-D input or a channel count
 *   not divisible by r², `INVALID_OPTION` for a block size that is not a
 *   positive integer.
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  if (!Number.isInteger(r) || r < 1) {
    throw new DifbfsrError('INVALID_OPTION', `pixelShuffle block size must be a positive integer, got ${r}`);
  }
  if (x.rank !== 4) {
    throw new DifbfsrError('INVALID_INPUT', `pixelShuffle expects an NHWC 4-D tensor, got shape [${x.shape.join(', ')}]`);
  }
  const [n, h, w, depth] = x.shape;
  if (depth % (r * r) !== 0) {
    throw new DifbfsrError('INVALID_INPUT', `pixelShuffle: channels (${depth}) must be divisible by r*r = ${r * r}`);
  }
  const c = depth / (r * r);
  return tf.tidy(() => {
    const blocks = tf.reshape(x, [n, h, w, r, r, c]);
    const interleaved = tf.transpose(blocks, [0, 1, 3, 2, 4, 5]);
    return tf.reshape(interleaved, [n, h * r, w * r, c]);
  });
}
