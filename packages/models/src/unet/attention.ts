import * as tf from '@tensorflow/tfjs-core';
import { affine, groupNormAffine } from './group-norm.js';
import type { AttentionPlan } from './plan.js';
import { weight, type UNetWeights } from './weights.js';

/**
 * guided-diffusion `AttentionBlock.forward` on NHWC `x`: `x + proj_out(attention(qkv(GN(x))))`.
 *
 * q, k and v are computed channel-first (`[B, C, T]`, T = H*W) from the pre-split weights, so the
 * head split is a free reshape to `[B*heads, width, T]` and no transpose is needed; `proj_out`
 * reads the channel-first result transposed inside the matmul and yields `[B, T, C]`.
 */
export function attentionBlock(weights: UNetWeights, p: AttentionPlan, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = p.name;
    const [b, hgt, wid, c] = x.shape;
    const t = hgt * wid;
    const width = c / p.heads;
    const normed = affine(x, groupNormAffine(x, weight(weights, `${n}.norm.weight`), weight(weights, `${n}.norm.bias`)));
    const tokens = tf.reshape(normed, [b, t, c]);
    const project = (part: 'q' | 'k' | 'v'): tf.Tensor3D =>
      tf.reshape(
        tf.add(
          tf.matMul(weight<tf.Rank.R3>(weights, `${n}.${part}.weight`), tokens, false, true),
          weight(weights, `${n}.${part}.bias`),
        ),
        [b * p.heads, width, t],
      );
    const q = project('q');
    const k = project('k');
    const v = project('v');
    const attn = tf.softmax(tf.matMul(q, k, true, false));
    const mixed = tf.reshape(tf.matMul(v, attn, false, true), [b, c, t]);
    // Not tf.fused.matMul: tfjs-backend-wasm 4.22 gets transposeA + bias wrong.
    const out = tf.add(
      tf.matMul(mixed, weight<tf.Rank.R3>(weights, `${n}.proj_out.weight`), true, false),
      weight(weights, `${n}.proj_out.bias`),
    );
    return tf.add(x, tf.reshape(out, [b, hgt, wid, c]));
  });
}
