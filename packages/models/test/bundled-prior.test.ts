import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, UNet, unetTensorList, type StateDict, type UNetConfig } from '@difbfsr/models';

/**
 * The bundled 64x64 face prior (packages/models/assets/face64, trained by tools/train-prior) loads
 * through the same path as public checkpoints and computes what PyTorch computes with it.
 * forward-check.json holds the PyTorch forward of the shipped float16 weights (run in float32) on a
 * closed-form input, written by tools/train-prior/export.py.
 */
const asset = (file: string) => fileURLToPath(new URL(`../assets/face64/${file}`, import.meta.url));

interface ForwardCheck {
  t: number[];
  shape: [number, number, number, number];
  samples: { flat_index_nhwc: number[]; value: number[] };
  channel_mean: number[];
  channel_mean_abs: number[];
}

/** The input of forward-check.json: x[b,h,w,c] = 0.9 sin(0.21h + 0.13w + 0.7c + 1.1b), NHWC. */
function checkInput([b, h, w]: readonly number[]): tf.Tensor4D {
  const data = new Float32Array(b * h * w * 3);
  let i = 0;
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) data[i++] = 0.9 * Math.sin(0.21 * y + 0.13 * x + 0.7 * c + 1.1 * n);
  return tf.tensor4d(data, [b, h, w, 3]);
}

describe('bundled face prior (assets/face64)', () => {
  let weights: StateDict;
  let config: UNetConfig;
  let net: UNet;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    weights = await loadCheckpoint(asset('prior.safetensors'));
    config = JSON.parse(weights.metadata.config) as UNetConfig;
    net = UNet.fromStateDict(config, weights, { name: 'face64' });
  });
  afterAll(() => net?.dispose());

  it('is a float16 safetensors file under 25 MB whose config matches config.json', () => {
    expect(statSync(asset('prior.safetensors')).size).toBeLessThan(25e6);
    expect(weights.format).toBe('safetensors');
    expect(new Set(weights.names().map((n) => weights.get(n).dtype))).toEqual(new Set(['float16']));
    const json = JSON.parse(readFileSync(asset('config.json'), 'utf8')) as { unet: UNetConfig; diffusion: Record<string, unknown> };
    expect(json.unet).toEqual(config);
    expect(JSON.parse(weights.metadata.diffusion)).toEqual(json.diffusion);
    expect(json.diffusion).toMatchObject({ steps: 1000, schedule: 'linear', prediction: 'epsilon', variance: 'learned_range' });
    expect(config.image_size).toBe(64);
    expect(config.learn_sigma).toBe(true);
  });

  it("holds exactly guided-diffusion's tensor list for its config, in state_dict order", () => {
    const stored = weights.names().map((n) => [n, [...weights.get(n).shape]]);
    expect(stored).toEqual(unetTensorList(config));
    expect(net.paramCount).toBe(stored.reduce((s, [, shape]) => s + (shape as number[]).reduce((a, b) => a * b, 1), 0));
    expect(net.learnedVariance).toBe(true);
  });

  it('reproduces the PyTorch forward of the shipped weights within 1e-3, without leaking', () => {
    const ref = JSON.parse(readFileSync(asset('forward-check.json'), 'utf8')) as ForwardCheck;
    const before = tf.memory().numTensors;
    const x = checkInput(ref.shape);
    const out = net.forward(x, ref.t);
    expect(out.shape).toEqual(ref.shape);
    const flat = out.dataSync();
    const tol = (r: number) => 1e-3 * Math.max(1, Math.abs(r));
    const worstSample = Math.max(
      ...ref.samples.flat_index_nhwc.map((idx, i) => Math.abs(flat[idx] - ref.samples.value[i]) / tol(ref.samples.value[i])),
    );
    expect(worstSample).toBeLessThanOrEqual(1);
    const channels = ref.shape[3];
    const mean = new Array<number>(channels).fill(0);
    const meanAbs = new Array<number>(channels).fill(0);
    for (let i = 0; i < flat.length; i++) {
      mean[i % channels] += flat[i] / (flat.length / channels);
      meanAbs[i % channels] += Math.abs(flat[i]) / (flat.length / channels);
    }
    mean.forEach((m, c) => expect(Math.abs(m - ref.channel_mean[c])).toBeLessThanOrEqual(tol(ref.channel_mean[c])));
    meanAbs.forEach((m, c) => expect(Math.abs(m - ref.channel_mean_abs[c])).toBeLessThanOrEqual(tol(ref.channel_mean_abs[c])));
    tf.dispose([x, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predicts noise: on a noised smooth image its eps beats predicting zero', () => {
    // x_t = sqrt(abar) x0 + sqrt(1 - abar) eps at t = 400 (abar 0.1936): a trained prior's eps-MSE is
    // far below E[eps^2] = 1, which an untrained (zero-output) network scores (the shipped prior: 0.017).
    const abar = 0.1936;
    const [eps, x0] = [tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 7), tf.mul(checkInput([1, 64, 64]), 0.5)];
    const xt = tf.add(tf.mul(x0, Math.sqrt(abar)), tf.mul(eps, Math.sqrt(1 - abar))) as tf.Tensor4D;
    const pred = net.predict(xt, [400]);
    const mse = tf.tidy(() => tf.mean(tf.squaredDifference(pred.eps, eps)).dataSync()[0]);
    expect(mse).toBeLessThan(0.1);
    tf.dispose([eps, x0, xt, pred.eps, pred.v!]);
  });
});
