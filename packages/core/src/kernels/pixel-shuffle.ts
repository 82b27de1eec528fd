import * as tf from '@tensorflow/tfjs-core';

/**
 * Sub-pixel upsampling (`depthToSpace`, NHWC) written with reshape and transpose, so it has a
 * gradient (tfjs registers none for `DepthToSpace`). Output equals `tf.depthToSpace(x, r, 'NHWC')`.
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const oc = c / (r * r);
    const split = tf.reshape(x, [b, h, w, r, r, oc]);
    return tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4, 5]), [b, h * r, w * r, oc]) as tf.Tensor4D;
  });
}
