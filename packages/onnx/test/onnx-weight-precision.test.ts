import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveSafetensors, type StateDict } from '@difbfsr/models';
import { OnnxDenoiser, type OnnxDenoiserOptions } from '@difbfsr/onnx';
import { maxRelDiff, SMALL_UNET } from './helpers.js';
import { randomUNetTensors } from './random-state-dict.js';

const CONFIG = SMALL_UNET;

describe('OnnxDenoiser weight precision', () => {
  let half: StateDict;
  let x: tf.Tensor4D;
  const t = [10, 600];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // A float16 checkpoint: every float tensor stored as float16 (what `difbfsr convert --fp16` writes).
    half = await loadCheckpoint(saveSafetensors(randomUNetTensors(CONFIG, 5), {}, { fp16: true }));
    x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
  });
  afterAll(() => x.dispose());

  async function epsOf(options: OnnxDenoiserOptions): Promise<{ eps: Float32Array; dtype: string; weights: string }> {
    const net = await OnnxDenoiser.create(CONFIG, half, { threads: 1, executionProviders: ['cpu'], ...options });
    const before = tf.memory().numTensors;
    const out = await net.predict(x, t);
    const eps = out.eps.dataSync() as Float32Array;
    tf.dispose([out.eps, out.v!]);
    expect(tf.memory().numTensors).toBe(before);
    const r = { eps: Float32Array.from(eps), dtype: net.weightsDtype, weights: net.weights };
    net.dispose();
    return r;
  }

  it('keeps a float16 checkpoint float16 by default, computing exactly what its float32 copy computes', async () => {
    const stored = await epsOf({});
    const widened = await epsOf({ fp16: false });
    expect(stored.dtype).toBe('float16');
    expect(widened.dtype).toBe('float32');
    // The same weight values (float16 widens exactly), float32 arithmetic in both graphs.
    expect(maxRelDiff(stored.eps, widened.eps)).toBeLessThan(1e-5);
  });

  it('feeds float16 weights as inputs, cast layer by layer, with the results of float16 initializers', async () => {
    const inputs = await epsOf({ weights: 'inputs' });
    const initializers = await epsOf({ weights: 'initializers' });
    expect([inputs.weights, inputs.dtype]).toEqual(['inputs', 'float16']);
    expect([initializers.weights, initializers.dtype]).toEqual(['initializers', 'float16']);
    expect(maxRelDiff(inputs.eps, initializers.eps)).toBeLessThan(1e-5);
  });
});
