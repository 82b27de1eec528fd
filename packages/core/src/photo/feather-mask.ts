import * as tf from '@tensorflow/tfjs-core';

/**
 * The blending weight of a restored face: 1 inside its `size x size` crop, falling to 0 towards the
 * crop's edges along a raised-cosine ramp `width` pixels wide (the outermost pixel is 0), so the pasted
 * face has no seam. Returned as `[1, size, size, 1]`.
 */
export function featherMask(size: number, width: number): tf.Tensor4D {
  const ramp = (d: number) => 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, (d - 0.5) / width)));
  const edge = Float32Array.from({ length: size }, (_, i) => ramp(Math.min(i + 0.5, size - i - 0.5)));
  const m = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) m[y * size + x] = Math.min(edge[x], edge[y]);
  return tf.tensor4d(m, [1, size, size, 1]);
}
