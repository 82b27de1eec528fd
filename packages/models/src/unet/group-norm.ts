import * as tf from '@tensorflow/tfjs-core';

/** guided-diffusion's `normalization()`: always 32 groups. */
export const GROUPS = 32;
/** torch `nn.GroupNorm` default epsilon. */
export const GROUP_NORM_EPS = 1e-5;

/** Per-sample, per-channel `y = x * scale + shift` coefficients, each `[B, 1, 1, C]` or `[1, 1, 1, C]`. */
export interface ChannelAffine {
  scale: tf.Tensor4D;
  shift: tf.Tensor4D;
}

/** GroupNorm of `x` as `centered * scale + shift`, with the affine folded into `scale` and `shift`. */
export interface GroupNormParts extends ChannelAffine {
  /** `x` minus the mean of its (sample, group). */
  centered: tf.Tensor4D;
}

/**
 * Mean of NHWC `x` per (sample, group), spread back to every channel of the group: `[B, 1, 1, C]`.
 * Summing the trailing within-group channels first (a contiguous reduction) leaves a tensor C/32
 * times smaller for the reduction over positions, so `x` is read once and never transposed.
 */
function groupMean(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const cg = c / GROUPS;
  const perPosition = tf.sum(tf.reshape(x, [b, h * w, GROUPS, cg]), 3);
  const mean = tf.div(tf.sum(perPosition, 1), h * w * cg);
  return tf.reshape(tf.tile(tf.reshape(mean, [b, GROUPS, 1]), [1, 1, cg]), [b, 1, 1, c]);
}

/**
 * GroupNorm(32) of NHWC `x` (torch semantics: per sample over C/32 channels x all positions, biased
 * variance, eps 1e-5, float32), split as `GN(x) = centered * scale + shift` where
 * `scale = gamma / sqrt(var + eps)` and `shift = beta`. The variance is taken of the centered
 * values (two passes), not as E[x^2] - mean^2, which cancels badly when |mean| >> std.
 */
export function groupNormParts(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): GroupNormParts {
  return tf.tidy(() => {
    const c = x.shape[3];
    const centered: tf.Tensor4D = tf.sub(x, groupMean(x));
    const variance = groupMean(tf.square(centered));
    const scale: tf.Tensor4D = tf.mul(tf.rsqrt(tf.add(variance, GROUP_NORM_EPS)), tf.reshape(gamma, [1, 1, 1, c]));
    return { centered, scale, shift: tf.reshape<tf.Rank.R4>(beta, [1, 1, 1, c]) };
  });
}

/** `x * scale + shift`, per sample and channel. */
export function affine(x: tf.Tensor4D, { scale, shift }: ChannelAffine): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(x, scale), shift));
}

/**
 * `SiLU(GroupNorm(x))` with the module's `gamma`, `beta`; with `film`, the scale-shift-norm form
 * `SiLU(GroupNorm(x) * (1 + film.scale) + film.shift)`, folded into one per-channel affine.
 * Temporaries are freed as soon as they are used, so at most three x-sized tensors are alive.
 */
export function groupNormSilu(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, film?: ChannelAffine): tf.Tensor4D {
  return tf.tidy(() => {
    const { centered, ...norm } = groupNormParts(x, gamma, beta);
    let coefficients: ChannelAffine = norm;
    if (film) {
      const onePlus = tf.add(film.scale, 1);
      coefficients = { scale: tf.mul(norm.scale, onePlus), shift: tf.add(tf.mul(norm.shift, onePlus), film.shift) };
    }
    const y = affine(centered, coefficients);
    centered.dispose();
    const gate = tf.sigmoid(y);
    const out = tf.mul<tf.Tensor4D>(y, gate);
    tf.dispose([y, gate]);
    return out;
  });
}
