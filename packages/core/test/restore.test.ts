import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  DifbfsrError,
  diffusionTables,
  GaussianPrior,
  resizeBicubic,
  linearSchedule,
  restore,
  restoreWithInfo,
  sampleAncestral,
  type Ablation,
  type Denoiser,
  type RestoreProgress,
} from '@difbfsr/core';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

const BACKEND = 'wasm' as const;

function lrFace(seed: number, size = 4): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.randomUniform([size, size, 3], 40, 215, 'float32', seed))) as tf.Tensor3D;
}

describe(`closed-form Gaussian prior [${BACKEND}]`, () => {
  beforeAll(() => useBackend(BACKEND));

  it('ancestral sampling from noise reproduces the data mean and the exact chain variance', async () => {
    const m = 0.2;
    const s2 = 0.09;
    const prior = new GaussianPrior({ resolution: 16, mean: m, std: Math.sqrt(s2) });
    const tables = diffusionTables(linearSchedule('100'));
    // Exact moments of the discrete chain: every step is affine in x_k plus independent noise.
    let mean = 0;
    let variance = 1;
    for (let k = tables.betas.length - 1; k >= 0; k--) {
      const ab = tables.alphasCumprod[k];
      const gain = (Math.sqrt(ab) * s2) / (ab * s2 + 1 - ab); // d E[x0|x_k] / d x_k
      const offset = (m * (1 - ab)) / (ab * s2 + 1 - ab);
      const c1 = tables.posteriorMeanCoef1[k];
      const c2 = tables.posteriorMeanCoef2[k];
      mean = c1 * (gain * mean + offset) + c2 * mean;
      variance = (c1 * gain + c2) ** 2 * variance + (k > 0 ? Math.exp(tables.posteriorLogVarianceClipped[k]) : 0);
    }
    expect(Math.abs(mean - m)).toBeLessThan(1e-3);
    const before = tf.memory().numTensors;
    const x = await sampleAncestral(prior, tables, { batch: 8, seed: 3 });
    const moments = tf.moments(x);
    const sm = moments.mean.dataSync()[0];
    const sv = moments.variance.dataSync()[0];
    // 6144 samples: standard error of the mean ~0.004, of the variance ~2%
    expect(Math.abs(sm - mean)).toBeLessThan(0.015);
    expect(Math.abs(sv / variance - 1)).toBeLessThan(0.08);
    tf.dispose([x, moments.mean, moments.variance]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe(`restore() end to end with the closed-form prior [${BACKEND}]`, () => {
  beforeAll(() => useBackend(BACKEND));
  const prior = new GaussianPrior({ resolution: 16, mean: 0, std: 0.5 });
  const base = { prior, steps: 6, seed: 1 } as const;

  for (const ablation of ['#1', '#2', '#3', '#4'] as Ablation[]) {
    it(`ablation ${ablation} runs, returns [16,16,3] in 0..255, and leaks nothing`, async () => {
      const y = lrFace(1);
      const before = tf.memory().numTensors;
      const { output, info } = await restoreWithInfo(y, { ...base, ablation });
      expect(output.shape).toEqual([16, 16, 3]);
      const [lo, hi] = tf.tidy(() => [tf.min(output).dataSync()[0], tf.max(output).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(255);
      expect(info.steps).toBe(6);
      expect(info.srm).toBe(ablation === '#3' || ablation === '#4');
      expect(info.cfm).toBe(ablation === '#2' || ablation === '#4');
      expect(Number.isFinite(info.loss)).toBe(true);
      output.dispose();
      expect(tf.memory().numTensors).toBe(before);
      y.dispose();
    });
  }

  it('the same seed gives identical output; a different seed differs', async () => {
    const y = lrFace(2);
    const a = await restore(y, base);
    const b = await restore(y, base);
    const c = await restore(y, { ...base, seed: 2 });
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
    tf.dispose([y, a, b, c]);
  });

  it('accepts ImageData-like RGBA and grey arrays and returns the same kind', async () => {
    const rgba = { data: new Uint8ClampedArray(4 * 4 * 4).map((_, i) => (i % 4 === 3 ? 200 : 100 + (i % 50))), width: 4, height: 4 };
    const out = await restore(rgba, base);
    expect(out.width).toBe(16);
    expect(out.data).toBeInstanceOf(Uint8ClampedArray);
    expect(out.data.length).toBe(16 * 16 * 4);
    expect(out.data[3]).toBe(200); // alpha upscaled from a constant 200
    const grey = { data: new Uint8Array(16).fill(120), width: 4, height: 4, channels: 1 };
    const g = await restore(grey, base);
    expect(g.channels).toBe(1);
    expect(g.data).toBeInstanceOf(Uint8Array);
    expect(g.data.length).toBe(256);
  });

  it('takes 16-bit and grey + alpha arrays like restorePhoto(): the same restore, returned in the same depth and channels', async () => {
    const rgb8 = { data: new Uint8Array(4 * 4 * 3).map((_, i) => 60 + ((i * 37) % 150)), width: 4, height: 4 };
    const rgb16 = { ...rgb8, data: Uint16Array.from(rgb8.data, (v) => v * 257) };
    const out8 = await restore(rgb8, base);
    const out16 = await restore(rgb16, base);
    expect(out16.data).toBeInstanceOf(Uint16Array);
    expect(out16.data.length).toBe(out8.data.length);
    // the same float image: 16-bit rounds v * 257 where 8-bit rounds v
    let worst = 0;
    out16.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - 257 * out8.data[i]))));
    expect(worst).toBeLessThanOrEqual(129);
    const greyAlpha = { data: new Uint8Array(4 * 4 * 2).map((_, i) => (i % 2 === 1 ? 77 : 90 + i)), width: 4, height: 4 };
    const ga = await restore(greyAlpha, base);
    expect(ga.channels).toBe(2);
    expect(ga.data.length).toBe(16 * 16 * 2);
    expect(ga.data.filter((_, i) => i % 2 === 1).every((a) => a === 77)).toBe(true); // alpha upscaled from a constant 77
  });

  it('reports progress with x0 previews and stops on abort without leaking', async () => {
    const y = lrFace(3);
    const seen: RestoreProgress[] = [];
    await restore(y, { ...base, previewEvery: 3, onProgress: (p) => seen.push(p) }).then((o) => o.dispose());
    const warmup = seen.filter((p) => p.phase === 'warmup');
    const diffusion = seen.filter((p) => p.phase === 'diffusion');
    expect(warmup.map((p) => p.step)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1)); // default warmupIters
    expect(diffusion.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.filter((p) => p.x0).length).toBe(2);
    expect(diffusion[2].x0!.data.length).toBe(16 * 16 * 4);

    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const run = restore(y, { ...base, steps: 50, onProgress: (p) => p.phase === 'diffusion' && p.step === 2 && ctrl.abort(), signal: ctrl.signal });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(tf.memory().numTensors).toBe(before);
    y.dispose();
  });

  it('a failing prior leaves no tensors behind', async () => {
    const y = lrFace(4);
    let calls = 0;
    const bad: Denoiser = {
      resolution: 16,
      learnedVariance: false,
      predict: (x, t) => {
        if (++calls === 3) throw new Error('prior exploded');
        return prior.predict(x, t);
      },
    };
    const before = tf.memory().numTensors;
    await expect(restore(y, { ...base, prior: bad })).rejects.toThrow('prior exploded');
    expect(tf.memory().numTensors).toBe(before);
    y.dispose();
  });

  it('detects a collapsed result (LR projection far from the input) and returns the SRM output, or bicubic, instead', async () => {
    const y = lrFace(6);
    const white: Denoiser = {
      resolution: 16,
      learnedVariance: false,
      // eps that makes x0 = +1 everywhere: a prior that ignores the input entirely
      predict: (x) => ({ eps: tf.mul(x, -1e3) as tf.Tensor4D }),
    };
    const opts = { ...base, prior: white, ablation: '#1' as const, lowPass: (x: tf.Tensor4D) => tf.zerosLike(x) };
    const { output, info } = await restoreWithInfo(y, opts);
    expect(info.collapsed).toBe(true);
    expect(info.lrRmse).toBeGreaterThan(3 * info.baselineLrRmse);
    const bicubic = tf.tidy(() => tf.round(tf.clipByValue(tf.mul(tf.add(tf.clipByValue(resizeBicubic(tf.expandDims(tf.sub(tf.div(y, 127.5), 1), 0) as tf.Tensor4D, 16, 16), -1, 1), 1), 127.5), 0, 255)));
    expect(maxAbsDiff(tf.reshape(output, [1, 16, 16, 3]), bicubic)).toBeLessThanOrEqual(1);
    expect(info.collapseFallback).toBe('srm');
    const healthy = await restoreWithInfo(y, { ...base, ablation: '#1' });
    expect(healthy.info.collapsed).toBe(false);
    expect(healthy.info.collapseFallback).toBeUndefined();
    // A collapsed SRM too (a random deep-image-prior start, never fitted): bicubic is returned.
    const both = await restoreWithInfo(y, { ...opts, ablation: '#3', srmStart: 'dip', warmupIters: 0 });
    expect(both.info.collapsed).toBe(true);
    expect(both.info.collapseFallback).toBe('bicubic');
    expect(maxAbsDiff(tf.reshape(both.output, [1, 16, 16, 3]), bicubic)).toBeLessThanOrEqual(1);
    tf.dispose([y, output, bicubic, healthy.output, both.output]);
  });

  it('validates input and options with typed errors', async () => {
    const wrong = tf.zeros([5, 5, 3]) as tf.Tensor3D;
    await expect(restore(wrong, base)).rejects.toMatchObject({ code: 'INVALID_SIZE', message: expect.stringContaining('resize the face to 4x4') });
    const nan = tf.fill([4, 4, 3], Number.NaN) as tf.Tensor3D;
    await expect(restore(nan, base)).rejects.toMatchObject({ code: 'NON_FINITE' });
    const two = tf.zeros([4, 4, 2]) as tf.Tensor3D;
    await expect(restore(two, base)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const ok = lrFace(5);
    await expect(restore(ok, { ...base, scale: 3 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(restore(ok, { ...base, strength: 1.5 })).rejects.toBeInstanceOf(DifbfsrError);
    await expect(restore({ data: new Uint8Array(10), width: 4, height: 4 }, base)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(restore({ data: new Float32Array(48) as unknown as Uint8Array, width: 4, height: 4 }, base)).rejects.toMatchObject({ code: 'UNSUPPORTED_DTYPE' });
    await expect(restore(ok, { steps: 3 })).rejects.toThrow(/No prior/);
    tf.dispose([wrong, nan, two, ok]);
  });
});
