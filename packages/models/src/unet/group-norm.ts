import * as tf from '@tensorflow/tfjs-core';

/** guided-diffusion's `normalization()`: always 32 groups. */
export const GROUPS = 32;
/** torch `nn.GroupNorm` default epsilon. */
export const GROUP_NORM_EPS = 1e-5;

/** Per-sample, per-channel `y = x * scale + shift` coefficients, each `[B, 1, 1, C]`. */
export interface ChannelAffine {
  scale: tf.Tensor4D;
  shift: tf.Tensor4D;
}

/**
 * GroupNorm(32) of NHWC `x` with its affine folded into one per-channel scale and shift:
 * `GN(x) = x * scale + shift` with `scale = gamma / sqrt(var + eps)`, `shift = beta - mean * scale`.
 * Statistics are float32, per sample over (C/32 channels x all positions), biased variance.
 */
export function groupNormAffine(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): ChannelAffine {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const cg = c / GROUPS;
    const grouped = tf.reshape(x, [b, h * w, GROUPS, cg]);
    const mean = tf.mean(grouped, [1, 3], true);
    const variance = tf.mean(tf.squaredDifference(grouped, mean), [1, 3], true);
    const invStd = tf.rsqrt(tf.add(variance, GROUP_NORM_EPS));
    const scale = tf.mul(invStd, tf.reshape(gamma, [1, 1, GROUPS, cg]));
    const shift = tf.sub(tf.reshape(beta, [1, 1, GROUPS, cg]), tf.mul(mean, scale));
    return { scale: tf.reshape<tf.Rank.R4>(scale, [b, 1, 1, c]), shift: tf.reshape<tf.Rank.R4>(shift, [b, 1, 1, c]) };
  });
}

/** `x * scale + shift`, per sample and channel. */
export function affine(x: tf.Tensor4D, { scale, shift }: ChannelAffine): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(x, scale), shift));
}

/** `SiLU(x * scale + shift)`: the normalise-then-activate every ResBlock and the output head use. */
export function affineSilu(x: tf.Tensor4D, coefficients: ChannelAffine): tf.Tensor4D {
  return tf.tidy(() => {
    const y = affine(x, coefficients);
    return tf.mul(y, tf.sigmoid(y));
  });
}
