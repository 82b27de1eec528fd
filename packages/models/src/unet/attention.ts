import * as tf from '@tensorflow/tfjs-core';
import { affine, groupNormParts } from './group-norm.js';
import type { AttentionPlan } from './plan.js';
import { weight, type UNetWeights } from './weights.js';

/**
 * guided-diffusion `AttentionBlock.forward` on NHWC `x`: `x + proj_out(attention(qkv(GN(x))))`.
 *
 * Every product is a plain 2-D matmul (the only form tfjs-backend-wasm hands to XNNPACK; batched or
 * transposed matmuls run about 10x slower there): q and v come from one `[B*T, C] x [C, 2C]`
 * product, k is produced already transposed (`[C, B*T]`), and each (sample, head) pair does
 * `softmax(q_h k_h^T) v_h` on slices of those.
 */
export function attentionBlock(weights: UNetWeights, p: AttentionPlan, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = p.name;
    const [b, hgt, wid, c] = x.shape;
    const t = hgt * wid;
    const width = c / p.heads;
    const { centered, ...gn } = groupNormParts(x, weight(weights, `${n}.norm.weight`), weight(weights, `${n}.norm.bias`));
    const tokens = tf.reshape(affine(centered, gn), [b * t, c]);
    const qv = tf.fused.matMul({
      a: tokens,
      b: weight<tf.Rank.R2>(weights, `${n}.qv.weight`),
      bias: weight(weights, `${n}.qv.bias`),
    });
    const kT = tf.add(tf.matMul(weight<tf.Rank.R2>(weights, `${n}.k.weight`), tf.transpose(tokens)), weight(weights, `${n}.k.bias`));
    const samples: tf.Tensor2D[] = [];
    for (let i = 0; i < b; i++) {
      const heads: tf.Tensor2D[] = [];
      for (let h = 0; h < p.heads; h++) {
        const q = tf.slice(qv, [i * t, h * width], [t, width]);
        const k = tf.slice(kT, [h * width, i * t], [width, t]);
        const v = tf.slice(qv, [i * t, c + h * width], [t, width]);
        heads.push(tf.matMul(tf.softmax(tf.matMul(q, k)), v));
      }
      samples.push(heads.length === 1 ? heads[0] : tf.concat(heads, 1));
    }
    const mixed = samples.length === 1 ? samples[0] : tf.concat(samples, 0);
    const out = tf.fused.matMul({
      a: mixed,
      b: weight<tf.Rank.R2>(weights, `${n}.proj_out.weight`),
      bias: weight(weights, `${n}.proj_out.bias`),
    });
    return tf.add(x, tf.reshape(out, [b, hgt, wid, c]));
  });
}
