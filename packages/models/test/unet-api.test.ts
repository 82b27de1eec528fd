import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUNetConfig, UNet, unetParamCount, unetTensorList, type UNetConfig } from '@difbfsr/models';

/** Small config exercising attention, resblock up/down and learned sigma. */
const TINY: UNetConfig = {
  image_size: 16,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1, 2],
  attention_resolutions: '8',
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: true,
  learn_sigma: true,
};

const code = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

describe('resolveUNetConfig', () => {
  it("applies create_model's defaults", () => {
    const r = resolveUNetConfig({ ...TINY, image_size: 256, channel_mult: '', attention_resolutions: '32,16,8' });
    expect(r.channelMult).toEqual([1, 1, 2, 2, 4, 4]);
    expect([...r.attentionDs].sort((a, b) => a - b)).toEqual([8, 16, 32]);
    expect(r.numResBlocks).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.embedChannels).toBe(128);
    expect(r.numHeads).toBe(4);
    expect(r.numHeadsUpsample).toBe(4);
    expect(r.outChannels).toBe(6);
  });

  it('rejects configs guided-diffusion cannot build, naming the field', () => {
    expect(() => resolveUNetConfig({ ...TINY, num_channels: 48 })).toThrow(code('INVALID_OPTION', /multiple of 32/));
    expect(() => resolveUNetConfig({ ...TINY, num_res_blocks: [1, 2, 3] })).toThrow(code('INVALID_OPTION', /num_res_blocks/));
    expect(() => resolveUNetConfig({ ...TINY, image_size: 100, channel_mult: '' })).toThrow(code('INVALID_OPTION', /channel_mult/));
    expect(() => resolveUNetConfig({ ...TINY, class_cond: true })).toThrow(code('INVALID_OPTION', /class_cond/));
    expect(() => resolveUNetConfig({ ...TINY, attention_resolutions: 'x' })).toThrow(code('INVALID_OPTION', /attention_resolutions/));
    expect(() => unetTensorList({ ...TINY, num_head_channels: 24 })).toThrow(code('INVALID_OPTION', /heads of 24/));
  });
});

describe('unetTensorList', () => {
  it('follows the switches: scale-shift doubles emb_layers, updown replaces op/conv resamplers, sigma sets out.2', () => {
    const list = new Map(unetTensorList(TINY));
    expect(list.get('input_blocks.1.0.emb_layers.1.weight')).toEqual([64, 128]);
    expect(list.get('out.2.weight')).toEqual([6, 32, 3, 3]);
    expect(list.has('input_blocks.2.0.in_layers.0.weight')).toBe(true); // down ResBlock
    expect(list.get('input_blocks.3.1.qkv.weight')).toEqual([192, 64, 1]);

    const plain = new Map(unetTensorList({ ...TINY, use_scale_shift_norm: false, resblock_updown: false, learn_sigma: false }));
    expect(plain.get('input_blocks.1.0.emb_layers.1.weight')).toEqual([32, 128]);
    expect(plain.get('input_blocks.2.0.op.weight')).toEqual([32, 32, 3, 3]);
    expect(plain.get('output_blocks.1.2.conv.weight')).toEqual([64, 64, 3, 3]);
    expect(plain.get('out.2.weight')).toEqual([3, 32, 3, 3]);
  });

  it('counts parameters as the sum of the listed shapes', () => {
    const n = unetTensorList(TINY).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
    expect(unetParamCount(TINY)).toBe(n);
  });
});

describe('UNet (random weights, wasm)', () => {
  let net: UNet;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    net = UNet.random(TINY, 7, { name: 'tiny' });
    x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 3);
  });
  afterAll(() => {
    net.dispose();
    x.dispose();
  });

  it('is a learned-variance Denoiser of the configured resolution', () => {
    expect(net.resolution).toBe(16);
    expect(net.learnedVariance).toBe(true);
    expect(net.name).toBe('tiny');
    expect(net.paramCount).toBe(unetParamCount(TINY));
  });

  it('predicts finite eps and v in [B, H, W, 3] without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const { eps, v } = net.predict(x, [10, 900]);
    expect(eps.shape).toEqual([2, 16, 16, 3]);
    expect(v!.shape).toEqual([2, 16, 16, 3]);
    expect(tf.tidy(() => tf.all(tf.isFinite(eps)).dataSync()[0])).toBe(1);
    tf.dispose([eps, v!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('depends on the timestep and on the seed, and is deterministic for a seed', () => {
    const a = net.forward(x, [10, 10]);
    const b = net.forward(x, [500, 500]);
    const same = UNet.random(TINY, 7);
    const other = UNet.random(TINY, 8);
    const c = same.forward(x, [10, 10]);
    const d = other.forward(x, [10, 10]);
    const maxDiff = (p: tf.Tensor, q: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(maxDiff(a, b)).toBeGreaterThan(1e-3);
    expect(maxDiff(a, c)).toBe(0);
    expect(maxDiff(a, d)).toBeGreaterThan(1e-3);
    tf.dispose([a, b, c, d]);
    same.dispose();
    other.dispose();
  });

  it('runs at any size that is a multiple of 2^(levels-1)', () => {
    const wide = tf.zeros([1, 8, 24, 3]) as tf.Tensor4D;
    const out = net.forward(wide, [3]);
    expect(out.shape).toEqual([1, 8, 24, 6]);
    tf.dispose([wide, out]);
  });

  it('rejects bad calls with typed errors', () => {
    const odd = tf.zeros([1, 15, 16, 3]) as tf.Tensor4D;
    const rgba = tf.zeros([1, 16, 16, 4]) as tf.Tensor4D;
    const ints = tf.zeros([1, 16, 16, 3], 'int32') as tf.Tensor4D;
    expect(() => net.predict(odd, [1])).toThrow(code('INVALID_SIZE', /multiples of 2/));
    expect(() => net.predict(rgba, [1])).toThrow(code('INVALID_INPUT', /\[1, 16, 16, 4\]/));
    expect(() => net.predict(ints, [1])).toThrow(code('UNSUPPORTED_DTYPE'));
    expect(() => net.predict(x, [1])).toThrow(code('INVALID_INPUT', /2 finite timesteps/));
    expect(() => net.predict(x, [1, Number.NaN])).toThrow(code('INVALID_INPUT'));
    tf.dispose([odd, rgba, ints]);
  });

  it('frees every weight on dispose and refuses later calls', () => {
    const before = tf.memory().numTensors;
    const temp = UNet.random(TINY, 1);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    temp.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => temp.predict(x, [1, 2])).toThrow(code('INVALID_INPUT', /disposed/));
  });
});
