import * as tf from '@tensorflow/tfjs-core';
import type { StateDict, UNetConfig } from '@difbfsr/models';

/** 16 px, two levels, attention at 8 px: small enough to build in milliseconds. */
export const SMALL_UNET: UNetConfig = {
  image_size: 16,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1, 2],
  attention_resolutions: '8',
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: false,
  learn_sigma: true,
};

/** Largest |a - ref| / max(1, |ref|) (the fixtures' tolerance is 1e-4). */
export function maxRelDiff(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (actual.length !== ref.length) throw new Error(`length ${actual.length} != reference length ${ref.length}`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(actual[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
  return worst;
}

/** Channels `[from, from + count)` of an NCHW reference tensor of the io file, as NHWC data. */
export function refChannelsNhwc(io: StateDict, name: string, from: number, count: number): Float32Array {
  const e = io.get(name);
  const [b, c, h, w] = e.shape;
  const src = e.toFloat32();
  const out = new Float32Array(b * h * w * count);
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < count; k++) {
      for (let p = 0; p < h * w; p++) out[(n * h * w + p) * count + k] = src[(n * c + from + k) * h * w + p];
    }
  }
  return out;
}

/** The io file's `x` as an NHWC tfjs tensor. */
export function refInputNhwc(io: StateDict): tf.Tensor4D {
  const [b, , h, w] = io.get('x').shape;
  return tf.tensor4d(refChannelsNhwc(io, 'x', 0, 3), [b, h, w, 3]);
}
