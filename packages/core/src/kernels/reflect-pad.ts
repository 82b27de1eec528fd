import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';

/** `x` `[B, R, M]` with `before` and `after` zero rows on axis 1 (a concat: wasm's PadV2 is much slower). */
function padRows(x: tf.Tensor3D, before: number, after: number): tf.Tensor3D {
  const [b, , m] = x.shape;
  return tf.concat([tf.zeros([b, before, m]), x, tf.zeros([b, after, m])], 1);
}

/**
 * The adjoint of reflect-padding axis 1 of `[B, L, M]` by `r`: `dy` `[B, L + 2r, M]` folded back
 * to its centre `[B, L, M]` plus each mirrored border row added onto the row it copied. Padded row
 * `p < r` copied row `r - p`, and padded row `r + L + j` copied row `L - 2 - j`, so the two border
 * strips, reversed, land on rows `1..r` and `L-1-r..L-2` (they overlap when `2r > L - 2`).
 *
 * Slices only along axis 1, which copy whole rows on wasm (GatherV2 there is element-wise and
 * far slower; inner-axis slices copy a few floats per call).
 */
function foldRows(dy: tf.Tensor3D, r: number): tf.Tensor3D {
  const [b, padded, m] = dy.shape;
  const l = padded - 2 * r;
  const centre = tf.slice(dy, [0, r, 0], [b, l, m]);
  const top = tf.reverse(tf.slice(dy, [0, 0, 0], [b, r, m]), 1);
  const bottom = tf.reverse(tf.slice(dy, [0, r + l, 0], [b, r, m]), 1);
  return tf.addN([centre, padRows(top, 1, l - 1 - r), padRows(bottom, l - 1 - r, 1)]);
}

/** The adjoint of {@link reflectPad2d}: `dy` `[B, H + 2r, W + 2r, C]` folded back to `[B, H, W, C]`. */
function foldReflectPad2d(dy: tf.Tensor4D, r: number): tf.Tensor4D {
  const [b, hp, wp, c] = dy.shape;
  const h = hp - 2 * r;
  const w = wp - 2 * r;
  const rows = foldRows(tf.reshape(dy, [b, hp, wp * c]), r); // [B, H, (W + 2r) C]
  // The columns become the rows, so that their slices copy whole rows too.
  const columnsFirst = tf.reshape<tf.Rank.R3>(tf.transpose(tf.reshape(rows, [b, h, wp, c]), [0, 2, 1, 3]), [b, wp, h * c]);
  const folded = foldRows(columnsFirst, r); // [B, W, H C]
  return tf.transpose(tf.reshape(folded, [b, w, h, c]), [0, 2, 1, 3]);
}

/**
 * Reflect-pad the two spatial axes of `x` `[B, H, W, C]` by `r` on every side (`r < H`, `r < W`),
 * as `tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect')`, with an exact gradient.
 *
 * tfjs-core 4.22's MirrorPad gradient only slices the centre of the incoming gradient and drops
 * what the mirrored border copies received; here each copy's gradient is added back onto the
 * pixel it came from. The gradient is local to this function: tfjs's global MirrorPad gradient
 * is left as it is.
 *
 * @throws DifbfsrError `INVALID_OPTION` when `r` is not a non-negative integer, `INVALID_SIZE`
 *   when `r` is not below both spatial sides.
 */
export function reflectPad2d(x: tf.Tensor4D, r: number): tf.Tensor4D {
  if (!Number.isInteger(r) || r < 0) throw new DifbfsrError('INVALID_OPTION', `reflect padding must be a non-negative integer, got ${r}`);
  const [, h, w] = x.shape;
  if (r >= h || r >= w) throw new DifbfsrError('INVALID_SIZE', `reflect padding ${r} needs an image larger than ${r} x ${r}, got ${h} x ${w}`);
  if (r === 0) return tf.clone(x);
  const pad = tf.customGrad((input) => ({
    value: tf.mirrorPad(input as tf.Tensor4D, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect'),
    gradFunc: (dy: tf.Tensor) => foldReflectPad2d(dy as tf.Tensor4D, r),
  }));
  return pad(x) as tf.Tensor4D;
}
