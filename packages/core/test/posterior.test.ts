import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffusionTables, linearSchedule, posteriorLogVariance, posteriorMean, predictX0FromEps, qSample, reverseStep } from '@difbfsr/core';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';

const tables = diffusionTables(linearSchedule('250'));

for (const backend of TEST_BACKENDS) {
  describe(`posterior maths [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('x0 from eps inverts q_sample exactly (no clipping) and clips when asked', () => {
      const k = 100;
      const x0 = tf.randomUniform([1, 4, 4, 3], -0.9, 0.9, 'float32', 1) as tf.Tensor4D;
      const eps = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const xt = qSample(tables, k, x0, eps);
      const back = predictX0FromEps(tables, k, xt, eps, false);
      expect(maxAbsDiff(back, x0)).toBeLessThan(1e-5);
      const wild = tf.mul(eps, 50) as tf.Tensor4D;
      const clipped = predictX0FromEps(tables, k, xt, wild, true);
      expect(tf.max(tf.abs(clipped)).dataSync()[0]).toBeLessThanOrEqual(1);
      tf.dispose([x0, eps, xt, back, wild, clipped]);
    });

    it('posterior mean and learned-range log variance follow the closed forms (eq. 8)', () => {
      const k = 57;
      const x0 = tf.fill([1, 2, 2, 3], 0.3) as tf.Tensor4D;
      const xt = tf.fill([1, 2, 2, 3], -0.7) as tf.Tensor4D;
      const mu = posteriorMean(tables, k, x0, xt).dataSync()[0];
      const ab = tables.alphasCumprod[k];
      const abPrev = tables.alphasCumprod[k - 1];
      const beta = 1 - ab / abPrev;
      const expected = ((beta * Math.sqrt(abPrev)) / (1 - ab)) * 0.3 + (((1 - abPrev) * Math.sqrt(1 - beta)) / (1 - ab)) * -0.7;
      expect(mu).toBeCloseTo(expected, 5);
      const fixed = posteriorLogVariance(tables, k).dataSync()[0];
      expect(fixed).toBeCloseTo(Math.log((beta * (1 - abPrev)) / (1 - ab)), 5);
      const v = tf.tensor4d([-1, 0, 1], [1, 1, 1, 3]);
      const lv = posteriorLogVariance(tables, k, v).dataSync();
      expect(lv[0]).toBeCloseTo(fixed, 5);
      expect(lv[2]).toBeCloseTo(Math.log(beta), 5);
      expect(lv[1]).toBeCloseTo((Math.log(beta) + fixed) / 2, 5);
      tf.dispose([x0, xt, v]);
    });

    it('a reverse step adds exp(logvar/2) z except at k = 0', () => {
      const mean = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
      const z = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
      const lv = tf.scalar(Math.log(0.25));
      expect(reverseStep(3, mean, lv, z).dataSync()[0]).toBeCloseTo(0.5, 6);
      expect(reverseStep(0, mean, lv, z).dataSync()[0]).toBe(0);
      tf.dispose([mean, z, lv]);
    });

    it('leaks no tensors', () => {
      const x = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      tf.dispose([predictX0FromEps(tables, 5, x, x), posteriorMean(tables, 5, x, x), posteriorLogVariance(tables, 5, x), qSample(tables, 5, x, x)]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}
