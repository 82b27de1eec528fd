import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { degradationMatrix, GaussianFaceModel, restoreWithInfo, type RestoreProgress } from '@difbfsr/core';
import { GaussianPosterior } from '../src/gaussian/gaussian-posterior.js';
import { noiseCovarianceOf } from '../src/degradation/degradation-operator.js';
import { ObservedGaussianModel } from '../src/gaussian/observed-gaussian-model.js';
import { UNCERTAINTY_SAMPLES } from '../src/gaussian/gaussian-restore.js';
import { errorOf, usePlainBackend } from '../../../test-utils/plain-backend.js';
import { syntheticGaussianModel } from './gaussian-fixtures.js';
import { combineSamples } from '../src/restore/restore-posterior.js';

/** A 2x2 RGB input in 0..255 (the synthetic model works at 8x8, so scale 4). */
const LR = { data: Uint8Array.from([140, 100, 120, 180, 128, 90, 150, 150, 110, 95, 170, 130]), width: 2, height: 2, channels: 3 };

describe("restore()'s closed-form and posterior methods", () => {
  let model: GaussianFaceModel;
  beforeAll(async () => {
    await usePlainBackend('cpu');
    model = new GaussianFaceModel(syntheticGaussianModel());
  });
  afterAll(() => model.dispose());
  const degradation = { blur: 1.5, noise: 8 };

  it("'gaussian' returns the exact posterior mean, rounded, and a Monte Carlo estimate of its std as the uncertainty map", async () => {
    const before = tf.memory().numTensors;
    const { output, info, uncertainty } = await restoreWithInfo(LR, { method: 'gaussian', gaussianModel: model, degradation });
    expect(tf.memory().numTensors).toBe(before);
    const post = new GaussianPosterior(new ObservedGaussianModel(model, degradationMatrix(8, 4, 1.5)), model.priorCovariance(), noiseCovarianceOf(degradation));
    const mean = post.mean(Float64Array.from(model.data.mean), Float64Array.from(LR.data, (v) => v / 127.5 - 1));
    const expected = Array.from(mean, (v) => Math.round(Math.min(255, Math.max(0, (v + 1) * 127.5))));
    expect(Array.from(output.data)).toEqual(expected);
    const std = post.std();
    expect(uncertainty!.data.length).toBe(192);
    // UNCERTAINTY_SAMPLES exact draws: each ratio has a relative standard error of 1 / sqrt(2 n) (~10%).
    const ratios = Array.from(uncertainty!.data, (u, p) => u / (std[p] * 127.5));
    const se = 1 / Math.sqrt(2 * UNCERTAINTY_SAMPLES);
    expect(Math.abs(ratios.reduce((a, b) => a + b, 0) / ratios.length - 1)).toBeLessThan(3 * se);
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(5 * se);
    expect(info).toMatchObject({ method: 'gaussian', degradation: { ...degradation, estimated: false }, steps: 0 });
  });

  it("'posterior' is seeded, batches K chains, and fidelity blends the mean towards the first sample", async () => {
    const base = { method: 'posterior' as const, prior: model, gaussianModel: model, degradation, steps: 10, seed: 4 };
    const events: RestoreProgress[] = [];
    const before = tf.memory().numTensors;
    const mean = await restoreWithInfo(LR, { ...base, samples: 3, onProgress: (p) => events.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(mean.info).toMatchObject({ method: 'posterior', samples: 3, fidelity: 1, steps: 10 });
    expect(mean.uncertainty!.data.length).toBe(192);
    const again = await restoreWithInfo(LR, { ...base, samples: 3 });
    expect(Array.from(again.output.data)).toEqual(Array.from(mean.output.data));
    const first = await restoreWithInfo(LR, { ...base, samples: 3, fidelity: 0 });
    const diff = Array.from(first.output.data).reduce((s, v, i) => s + Math.abs(v - mean.output.data[i]), 0);
    expect(diff).toBeGreaterThan(0);
    expect((await restoreWithInfo(LR, { ...base, samples: 1 })).uncertainty).toBeUndefined();
    // Previews: the first chain's x0 sample as RGBA, every previewEvery steps and at the last one.
    const previews: RestoreProgress[] = [];
    await restoreWithInfo(LR, { ...base, samples: 2, previewEvery: 4, onProgress: (p) => previews.push(p) });
    expect(previews.filter((p) => p.x0).map((p) => p.step)).toEqual([4, 8, 10]);
    expect(previews.find((p) => p.x0)!.x0).toMatchObject({ width: 8, height: 8, channels: 4 });
  });

  it('samples combine into their mean, blended towards the first by 1 - fidelity, with their std', () => {
    const samples = [Float64Array.from([0, 1]), Float64Array.from([2, 1]), Float64Array.from([4, 4])];
    expect(Array.from(combineSamples(samples, 1).image)).toEqual([2, 2]);
    expect(Array.from(combineSamples(samples, 0).image)).toEqual([0, 1]);
    expect(Array.from(combineSamples(samples, 0.5).image)).toEqual([1, 1.5]);
    expect(Array.from(combineSamples(samples, 1).std!)).toEqual([2, Math.sqrt(3)]);
    expect(combineSamples([samples[0]], 1).std).toBeUndefined();
  });

  it('bad method options are typed errors', async () => {
    await expect(restoreWithInfo(LR, { method: 'nope' as never })).rejects.toThrow(/method must be one of/);
    await expect(restoreWithInfo(LR, { method: 'gaussian', gaussianModel: model, degradation: { blur: -1, noise: 3 } })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(restoreWithInfo(LR, { method: 'posterior', prior: model, gaussianModel: model, degradation, fidelity: 2 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const wrong = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, channels: 3 };
    await expect(restoreWithInfo(wrong, { method: 'gaussian', gaussianModel: model, degradation })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    expect(errorOf(() => new GaussianPosterior(new ObservedGaussianModel(model, degradationMatrix(8, 4, 1)), model.priorCovariance(), Number.NaN)).code).toBe('INVALID_OPTION');
  });
});
