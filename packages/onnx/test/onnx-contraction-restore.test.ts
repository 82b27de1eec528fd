import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortError, GaussianPrior, gaussianLowPass, restoreWithInfo, type Ablation, type RestoreInfo, type RestoreOptions } from '@difbfsr/core';
import '@difbfsr/onnx';
import { useBackend } from '../../../test-utils/backends.js';

/** A 32 px closed-form prior: a restore of 8x8 faces, x4, in well under a second per step. */
/** The degradation the data term models, given (importing @difbfsr/onnx registers the bundled estimator). */
const DEGRADATION = { blur: 2, noise: 5 } as const;
const prior = new GaussianPrior({ resolution: 32, mean: 0, std: 0.5 });
/**
 * No SRM warm-up here: these runs check that every step agrees to float rounding. Fifty warm-up
 * iterations (the default) on a noise image let Adam, which normalises each gradient, turn
 * rounding-level gradient differences into visible ones; the warm-up test below bounds that.
 */
/**
 * The collapse check is switched off: a uniform-noise input is no blurred face, so through the blur
 * the results and bicubic alike miss it by about 0.2 (limit 0.03) and the check would return
 * bicubic for every seed. Only the optimisers are compared here.
 */
const BASE = { prior, steps: 6, seed: 3, warmupIters: 0, degradation: DEGRADATION, collapseFactor: 1e6 } as const;

function lrFace(seed: number, size = 8): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.randomUniform([size, size, 3], 40, 215, 'float32', seed))) as tf.Tensor3D;
}

async function run(y: tf.Tensor3D, options: RestoreOptions): Promise<{ pixels: Float32Array; info: RestoreInfo }> {
  const { output, info } = await restoreWithInfo(y, options);
  const pixels = output.dataSync() as Float32Array;
  output.dispose();
  return { pixels, info };
}

/** Max |a - b| and PSNR (0..255 values). */
function compare(a: Float32Array, b: Float32Array): { maxDiff: number; psnr: number } {
  let maxDiff = 0;
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    maxDiff = Math.max(maxDiff, Math.abs(d));
    se += d * d;
  }
  return { maxDiff, psnr: se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length)) };
}

describe('restore() with the SRM/CFM optimisation on ONNX Runtime [wasm]', () => {
  let y: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    y = lrFace(1);
  });

  const runs: Array<{ ablation: Ablation; extra?: RestoreOptions }> = [
    { ablation: '#4', extra: { warmupIters: 3, adamSteps: 2 } },
    { ablation: '#4', extra: { srmStart: 'dip', cfmKernelSize: 3 } },
    { ablation: '#3' },
    { ablation: '#2' },
    { ablation: '#1' },
    { ablation: 'ddnm' },
  ];
  for (const { ablation, extra } of runs) {
    it(`ablation ${ablation}${extra ? ` ${JSON.stringify(extra)}` : ''}: ONNX Runtime gives the tfjs result within float tolerance, and leaks nothing`, async () => {
      const options = { ...BASE, ...extra, ablation };
      const tfjs = await run(y, { ...options, optimizer: 'tfjs' });
      const before = tf.memory().numTensors;
      const onnx = await run(y, { ...options, optimizer: 'onnx' });
      expect(tf.memory().numTensors).toBe(before);
      expect(tfjs.info.optimizer).toBe('tfjs');
      expect(onnx.info.optimizer).toBe('onnx(cpu)');
      expect(onnx.info.optimizerFallback).toBeUndefined();
      const { maxDiff, psnr } = compare(onnx.pixels, tfjs.pixels);
      // Float differences (~1e-6 relative per gradient) may flip a rounded 0..255 value by one.
      expect(maxDiff).toBeLessThanOrEqual(1);
      expect(psnr).toBeGreaterThan(60);
      expect(Math.abs(onnx.info.loss - tfjs.info.loss)).toBeLessThan(1e-3 * tfjs.info.loss);
      // Another seed moves the result far more than the optimiser does.
      const other = await run(y, { ...options, optimizer: 'onnx', seed: BASE.seed + 1 });
      expect(compare(other.pixels, onnx.pixels).psnr).toBeLessThan(Math.min(psnr, 80) - 20);
    });
  }

  it('with the default 50 warm-up iterations the two optimisers agree on a smooth face-like input', async () => {
    // On a smooth input (an image's usual case) the warm-up's gradients are far above rounding
    // level; on the noise image of the runs above they are not, and results drift apart (~37 dB).
    const smooth = tf.tidy(
      () => tf.round(tf.image.resizeBilinear(tf.randomUniform([3, 3, 3], 40, 215, 'float32', 5) as tf.Tensor3D, [8, 8], true)) as tf.Tensor3D,
    );
    const options = { prior, steps: 6, seed: 3, ablation: '#4' as const, degradation: DEGRADATION };
    const tfjs = await run(smooth, { ...options, optimizer: 'tfjs' });
    const onnx = await run(smooth, { ...options, optimizer: 'onnx' });
    const other = await run(smooth, { ...options, optimizer: 'onnx', seed: 4 });
    smooth.dispose();
    const { maxDiff, psnr } = compare(onnx.pixels, tfjs.pixels);
    expect(maxDiff).toBeLessThanOrEqual(2);
    expect(psnr).toBeGreaterThan(55);
    expect(compare(other.pixels, onnx.pixels).psnr).toBeLessThan(psnr - 20);
  });

  it('scale 2 (one sub-pixel layer) gives the tfjs result too', async () => {
    const y16 = lrFace(2, 16);
    const options = { ...BASE, steps: 3, scale: 2 };
    const tfjs = await run(y16, { ...options, optimizer: 'tfjs' });
    const onnx = await run(y16, { ...options, optimizer: 'onnx' });
    expect(onnx.info.optimizer).toBe('onnx(cpu)');
    expect(compare(onnx.pixels, tfjs.pixels).maxDiff).toBeLessThanOrEqual(1);
    y16.dispose();
  });

  it('the same seed gives the same result on ONNX Runtime', async () => {
    const a = await run(y, { ...BASE, optimizer: 'onnx' });
    const b = await run(y, { ...BASE, optimizer: 'onnx' });
    expect(compare(a.pixels, b.pixels).maxDiff).toBe(0);
  });

  it("backend 'onnx' and 'auto' pick the ONNX Runtime optimiser once @difbfsr/onnx is imported; 'tfjs' keeps tfjs", async () => {
    expect((await run(y, { ...BASE, steps: 2, backend: 'onnx' })).info.optimizer).toBe('onnx(cpu)');
    expect((await run(y, { ...BASE, steps: 2 })).info.optimizer).toBe('onnx(cpu)');
    expect((await run(y, { ...BASE, steps: 2, backend: 'tfjs' })).info.optimizer).toBe('tfjs');
  });

  it('a custom low-pass function (no linear operator) falls back to tfjs and says why', async () => {
    const blur = gaussianLowPass(1);
    const custom = (x: tf.Tensor4D): tf.Tensor4D => blur.apply(x);
    const { info } = await run(y, { ...BASE, steps: 2, optimizer: 'onnx', lrLowPass: custom });
    expect(info.optimizer).toBe('tfjs');
    expect(info.optimizerFallback).toMatch(/"custom".*no linear operator.*tfjs/);
    // The fixed low-pass is part of both fusions: the learned CFM filters its band.
    for (const ablation of ['#4', '#3'] as const) {
      const fixed = await run(y, { ...BASE, steps: 2, optimizer: 'onnx', lowPass: custom, ablation });
      expect(fixed.info.optimizer).toBe('tfjs');
      expect(fixed.info.optimizerFallback).toMatch(/no linear operator/);
    }
  });

  it('aborts mid-run without leaking', async () => {
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const steps: number[] = [];
    const pending = restoreWithInfo(y, {
      ...BASE,
      steps: 40,
      optimizer: 'onnx',
      signal: ctrl.signal,
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step === 3) ctrl.abort();
      },
    });
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(steps).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown optimiser with INVALID_OPTION', async () => {
    await expect(restoreWithInfo(y, { ...BASE, optimizer: 'gpu' as 'auto' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/optimizer/) });
  });
});
