import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { degradationMatrix, diffusionTables, GaussianFaceModel, linearSchedule } from '@difbfsr/core';
import { GaussianPosterior } from '../src/gaussian/gaussian-posterior.js';
import { noiseCovarianceOf } from '../src/degradation/degradation-operator.js';
import { ObservedGaussianModel } from '../src/gaussian/observed-gaussian-model.js';
import { runPosteriorChain } from '../src/restore/posterior-chain.js';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';
import { syntheticGaussianModel } from './gaussian-fixtures.js';

describe('posterior chain against the closed form (Gaussian prior)', () => {
  beforeAll(() => usePlainBackend('cpu'));

  it('the mean and per-pixel std of N chains converge to the exact posterior', async () => {
    const model = new GaussianFaceModel(syntheticGaussianModel());
    const degradation = { blur: 1.2, noise: 6 };
    const y = tf.tensor4d([0.3, -0.2, 0.1, 0.5, 0.0, -0.4, 0.2, 0.2, -0.1, -0.3, 0.4, 0.1], [1, 2, 2, 3]);
    const n = 400;
    const before = tf.memory().numTensors;
    const { samples } = await runPosteriorChain(y, {
      prior: model,
      gaussian: model,
      degradation,
      tables: diffusionTables(linearSchedule('50')),
      startIndex: 19,
      scale: 4,
      samples: n,
      seed: 3,
      clipX0: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    const exact = new GaussianPosterior(new ObservedGaussianModel(model, degradationMatrix(8, 4, degradation.blur)), model.priorCovariance(), noiseCovarianceOf(degradation));
    const yFlat = Float64Array.from(y.dataSync());
    const mean = exact.mean(Float64Array.from(model.data.mean), yFlat);
    const std = exact.std();
    let worstMean = 0;
    let worstStd = 0;
    for (let p = 0; p < mean.length; p++) {
      let m = 0;
      for (const s of samples) m += s[p] / n;
      let v = 0;
      for (const s of samples) v += (s[p] - m) ** 2 / (n - 1);
      worstMean = Math.max(worstMean, Math.abs(m - mean[p]) / (std[p] / Math.sqrt(n)));
      worstStd = Math.max(worstStd, Math.abs(Math.sqrt(v) - std[p]) / (std[p] / Math.sqrt(2 * n)));
    }
    // In standard errors, over 192 pixel values: about 3 is chance; 5 is a failure.
    expect(worstMean).toBeLessThan(5);
    expect(worstStd).toBeLessThan(5);
    y.dispose();
    model.dispose();
  });
});
