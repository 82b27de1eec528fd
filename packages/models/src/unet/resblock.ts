import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from './conv.js';
import { affineSilu, groupNormParts, groupNormSilu, type ChannelAffine } from './group-norm.js';
import type { ResBlockPlan } from './plan.js';
import { avgPool2x, upsampleNearest2x } from './resample.js';
import { weight, type UNetWeights } from './weights.js';

function normSilu(weights: UNetWeights, name: string, x: tf.Tensor4D, film?: ChannelAffine): tf.Tensor4D {
  const gamma = weight<tf.Rank.R1>(weights, `${name}.weight`);
  const beta = weight<tf.Rank.R1>(weights, `${name}.bias`);
  if (!film) return groupNormSilu(x, gamma, beta);
  return tf.tidy(() => {
    const { centered, scale, shift } = groupNormParts(x, gamma, beta);
    // GN(h) * (1 + s) + b  ==  centered * (scale * (1 + s)) + (shift * (1 + s) + b)
    const onePlus = tf.add(film.scale, 1);
    return affineSilu(centered, { scale: tf.mul(scale, onePlus), shift: tf.add(tf.mul(shift, onePlus), film.shift) });
  });
}

/**
 * guided-diffusion `ResBlock.forward` on NHWC `x`, given `embSilu = SiLU(emb)` `[B, E]`
 * (the `emb_layers.0` activation, shared by every block).
 */
export function resBlock(weights: UNetWeights, p: ResBlockPlan, x: tf.Tensor4D, embSilu: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = p.name;
    const b = x.shape[0];
    const co = p.outChannels;
    let h = normSilu(weights, `${n}.in_layers.0`, x);
    let skipIn = x;
    if (p.resample) {
      const resample = p.resample === 'up' ? upsampleNearest2x : avgPool2x;
      h = resample(h);
      skipIn = resample(x);
    }
    h = conv2d(weights, `${n}.in_layers.2`, h);
    const e = tf.fused.matMul({
      a: embSilu,
      b: weight<tf.Rank.R2>(weights, `${n}.emb_layers.1.weight`),
      bias: weight(weights, `${n}.emb_layers.1.bias`),
    });
    if (p.scaleShift) {
      const film = {
        scale: tf.reshape(tf.slice(e, [0, 0], [b, co]), [b, 1, 1, co]) as tf.Tensor4D,
        shift: tf.reshape(tf.slice(e, [0, co], [b, co]), [b, 1, 1, co]) as tf.Tensor4D,
      };
      h = normSilu(weights, `${n}.out_layers.0`, h, film);
    } else {
      h = normSilu(weights, `${n}.out_layers.0`, tf.add(h, tf.reshape(e, [b, 1, 1, co])));
    }
    h = conv2d(weights, `${n}.out_layers.3`, h);
    const skip = p.inChannels === co ? skipIn : conv2d(weights, `${n}.skip_connection`, skipIn);
    return tf.add(skip, h);
  });
}
