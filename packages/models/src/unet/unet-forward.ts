import * as tf from '@tensorflow/tfjs-core';
import { attentionBlock } from './attention.js';
import { conv2d } from './conv.js';
import { groupNormSilu } from './group-norm.js';
import type { BlockPlan, LayerPlan, UNetPlan } from './plan.js';
import { upsampleNearest2x } from './resample.js';
import { resBlock } from './resblock.js';
import { timestepEmbedding } from './timestep-embedding.js';
import { weight, type UNetWeights } from './weights.js';

/**
 * Receives intermediate results by name (`emb`, `input_blocks.<i>`, `middle_block`,
 * `output_blocks.<i>`). The tensor is only valid during the call: clone and keep it to retain it.
 */
export type ActivationSink = (name: string, value: tf.Tensor) => void;

function silu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

function linear(weights: UNetWeights, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: weight<tf.Rank.R2>(weights, `${name}.weight`), bias: weight(weights, `${name}.bias`) }) as tf.Tensor2D;
}

function layer(weights: UNetWeights, p: LayerPlan, x: tf.Tensor4D, embSilu: tf.Tensor2D): tf.Tensor4D {
  switch (p.kind) {
    case 'conv':
      return conv2d(weights, p.name, x);
    case 'res':
      return resBlock(weights, p, x, embSilu);
    case 'attention':
      return attentionBlock(weights, p, x);
    case 'downsample':
      return conv2d(weights, `${p.name}.op`, x, 2);
    case 'upsample':
      return tf.tidy(() => conv2d(weights, `${p.name}.conv`, upsampleNearest2x(x)));
  }
}

function block(weights: UNetWeights, p: BlockPlan, x: tf.Tensor4D, embSilu: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    let h = x;
    for (const l of p.layers) {
      const next = layer(weights, l, h, embSilu);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
  });
}

/**
 * guided-diffusion `UNetModel.forward(x, t)` on NHWC `x` `[B, H, W, 3]` with ORIGINAL timesteps `t`;
 * returns `[B, H, W, out_channels]`. Inputs are assumed validated (see `UNet`).
 *
 * Memory: each block runs in its own tidy, and a skip activation is freed as soon as the decoder
 * has concatenated it, so the peak is the weights + the live skips + one block's temporaries.
 */
export function unetForward(
  plan: UNetPlan,
  weights: UNetWeights,
  x: tf.Tensor4D,
  t: readonly number[],
  sink?: ActivationSink,
): tf.Tensor4D {
  return tf.tidy(() => {
    const emb = tf.tidy(() => {
      const sinusoid = timestepEmbedding(t, plan.config.modelChannels);
      return linear(weights, 'time_embed.2', silu(linear(weights, 'time_embed.0', sinusoid)));
    });
    sink?.('emb', emb);
    const embSilu = silu(emb);

    const skips: tf.Tensor4D[] = [];
    let h = x;
    for (const p of plan.inputBlocks) {
      h = block(weights, p, h, embSilu);
      skips.push(h);
      sink?.(p.name, h);
    }
    h = block(weights, plan.middleBlock, h, embSilu);
    sink?.(plan.middleBlock.name, h);
    for (const p of plan.outputBlocks) {
      const skip = skips.pop()!;
      const joined = tf.concat([h, skip], 3);
      const next = block(weights, p, joined, embSilu);
      tf.dispose([joined, skip, h]);
      h = next;
      sink?.(p.name, h);
    }
    const head = groupNormSilu(h, weight(weights, 'out.0.weight'), weight(weights, 'out.0.bias'));
    return conv2d(weights, 'out.2', head);
  });
}
