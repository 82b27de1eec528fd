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

  describe('the Gaussian chains as a control variate', () => {
    const degradation = { blur: 1.2, noise: 6 };
    const tables = diffusionTables(linearSchedule('50'));
    const settings = { degradation, tables, startIndex: 19, scale: 4, clipX0: false };
    let model: GaussianFaceModel;
    let y: tf.Tensor4D;
    beforeAll(() => {
      model = new GaussianFaceModel(syntheticGaussianModel());
      y = tf.tensor4d([0.3, -0.2, 0.1, 0.5, 0.0, -0.4, 0.2, 0.2, -0.1, -0.3, 0.4, 0.1], [1, 2, 2, 3]);
    });

    it('with the Gaussian model as the prior, the estimate is the exact posterior mean for any K', async () => {
      const before = tf.memory().numTensors;
      const { meanEstimate } = await runPosteriorChain(y, { ...settings, prior: model, gaussian: model, samples: 2, seed: 4 });
      expect(tf.memory().numTensors).toBe(before);
      const exact = new GaussianPosterior(new ObservedGaussianModel(model, degradationMatrix(8, 4, degradation.blur)), model.priorCovariance(), noiseCovarianceOf(degradation));
      const mean = exact.mean(Float64Array.from(model.data.mean), Float64Array.from(y.dataSync()));
      expect(meanEstimate).toBeDefined();
      for (let p = 0; p < mean.length; p++) expect(meanEstimate![p]).toBeCloseTo(mean[p], 5);
    });

    it('with another prior, it is unbiased and far less noisy than the mean of the samples', async () => {
      // Prior: the model with its mean moved; the chain is then no longer exact, so the reference is
      // the mean of 400 plain chains.
      const data = syntheticGaussianModel();
      const moved = new GaussianFaceModel({ ...data, mean: data.mean.map((v, i) => v + 0.4 * Math.sin(i)) });
      const n = 400;
      const ref = await runPosteriorChain(y, { ...settings, prior: moved, gaussian: model, samples: n, seed: 3, controlVariate: false });
      const dim = ref.samples[0].length;
      const refMean = new Float64Array(dim);
      for (const s of ref.samples) for (let p = 0; p < dim; p++) refMean[p] += s[p] / n;
      const refVar = new Float64Array(dim);
      for (const s of ref.samples) for (let p = 0; p < dim; p++) refVar[p] += (s[p] - refMean[p]) ** 2 / (n - 1);
      const k = 8;
      const runs = 12;
      let plainSq = 0;
      let cvSq = 0;
      const cvAvg = new Float64Array(dim);
      const cvRuns: Float64Array[] = [];
      for (let r = 0; r < runs; r++) {
        const { samples, meanEstimate } = await runPosteriorChain(y, { ...settings, prior: moved, gaussian: model, samples: k, seed: 100 + r });
        for (let p = 0; p < dim; p++) {
          const plain = samples.reduce((a, s) => a + s[p], 0) / k;
          plainSq += (plain - refMean[p]) ** 2;
          cvSq += (meanEstimate![p] - refMean[p]) ** 2;
          cvAvg[p] += meanEstimate![p] / runs;
        }
        cvRuns.push(meanEstimate!);
      }
      // Measured: the control variate removes most of the spread (error RMS ratio 0.13).
      expect(Math.sqrt(cvSq / plainSq)).toBeLessThan(0.5);
      // Unbiased: the average of the estimates agrees with the reference within its standard errors.
      let worst = 0;
      for (let p = 0; p < dim; p++) {
        const cvVar = cvRuns.reduce((a, m) => a + (m[p] - cvAvg[p]) ** 2, 0) / (runs - 1);
        worst = Math.max(worst, Math.abs(cvAvg[p] - refMean[p]) / Math.sqrt(refVar[p] / n + cvVar / runs));
      }
      expect(worst).toBeLessThan(5);
      moved.dispose();
    });
  });
});
