import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from './conv.js';
import { groupNormSilu, type ChannelAffine } from './group-norm.js';
import type { ResBlockPlan } from './plan.js';
import { avgPool2x, upsampleNearest2x } from './resample.js';
import { weight, type UNetWeights } from './weights.js';

function normSilu(weights: UNetWeights, name: string, x: tf.Tensor4D, film?: ChannelAffine): tf.Tensor4D {
  return groupNormSilu(x, weight(weights, `${name}.weight`), weight(weights, `${name}.bias`), film);
}

/** `f(x)`, then free `x`: each step of the residual branch is needed only by the next one. */
function consume(x: tf.Tensor4D, f: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const y = f(x);
  x.dispose();
  return y;
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
      h = consume(h, resample);
      skipIn = resample(x);
    }
    h = consume(h, (u) => conv2d(weights, `${n}.in_layers.2`, u));
    const e = tf.fused.matMul({
      a: embSilu,
      b: weight<tf.Rank.R2>(weights, `${n}.emb_layers.1.weight`),
      bias: weight(weights, `${n}.emb_layers.1.bias`),
    });
    if (p.scaleShift) {
      const film: ChannelAffine = {
        scale: tf.reshape(tf.slice(e, [0, 0], [b, co]), [b, 1, 1, co]),
        shift: tf.reshape(tf.slice(e, [0, co], [b, co]), [b, 1, 1, co]),
      };
      h = consume(h, (u) => normSilu(weights, `${n}.out_layers.0`, u, film));
    } else {
      h = consume(h, (u) => tf.tidy(() => normSilu(weights, `${n}.out_layers.0`, tf.add(u, tf.reshape(e, [b, 1, 1, co])))));
    }
    h = consume(h, (u) => conv2d(weights, `${n}.out_layers.3`, u));
    const skip = p.inChannels === co ? skipIn : conv2d(weights, `${n}.skip_connection`, skipIn);
    return tf.add(skip, h);
  });
}
