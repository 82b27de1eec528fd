import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlendedDenoiser, blendWeightAt, GaussianFaceModel, GaussianPrior } from '@difbfsr/core';
import { resolveRestoreOptions } from '../src/restore/resolve-options.js';
import { syntheticGaussianModel } from './gaussian-fixtures.js';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';

describe('BlendedDenoiser', () => {
  beforeAll(() => usePlainBackend('cpu'));
  const weights = { t: [0, 100, 500], w: [1, 0.5, 0] };

  it('interpolates the weight linearly between knots and holds it beyond them', () => {
    expect([0, 50, 100, 300, 500, 900].map((t) => blendWeightAt(weights, t))).toEqual([1, 0.75, 0.5, 0.25, 0, 0]);
    expect(blendWeightAt(weights, -3)).toBe(1);
  });

  it("mixes two priors' epsilon by the weight of each item's timestep, leak-free", async () => {
    const a = new GaussianPrior({ resolution: 4, std: 0.3 });
    const b = new GaussianPrior({ resolution: 4, mean: 0.2, std: 0.6 });
    const blend = new BlendedDenoiser(a, b, weights);
    const x = tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const t = [0, 300, 800];
    const before = tf.memory().numTensors;
    const out = await blend.predict(x, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    const ea = a.predict(x, t).eps;
    const eb = b.predict(x, t).eps;
    const got = out.eps.arraySync();
    const [pa, pb] = [ea.arraySync(), eb.arraySync()];
    t.forEach((ti, i) => {
      const w = blendWeightAt(weights, ti);
      for (let p = 0; p < 16 * 3; p++) {
        const [yy, xx, c] = [Math.floor(p / 12), Math.floor(p / 3) % 4, p % 3];
        expect(got[i][yy][xx][c]).toBeCloseTo(w * pa[i][yy][xx][c] + (1 - w) * pb[i][yy][xx][c], 5);
      }
    });
    tf.dispose([x, out.eps, ea, eb]);
    expect(blend.name).toBe(`${a.name}+${b.name}`);
  });

  it('refuses priors of different sizes and bad weights', () => {
    const a = new GaussianPrior({ resolution: 4 });
    expect(() => new BlendedDenoiser(a, new GaussianPrior({ resolution: 8 }), weights)).toThrow(/4 and 8 px/);
    expect(() => new BlendedDenoiser(a, a, { t: [0, 0], w: [1, 1] })).toThrow(/ascending/);
    expect(() => new BlendedDenoiser(a, a, { t: [0], w: [2] })).toThrow(/ascending/);
  });

  it("carries the Gaussian face model it blends with, so restore()'s 'auto' is the posterior sampler with that model", () => {
    const face = new GaussianFaceModel(syntheticGaussianModel());
    const net = new GaussianPrior({ resolution: face.resolution, std: 0.3 });
    const blend = new BlendedDenoiser(net, face, weights);
    expect(blend.gaussianModel).toBe(face);
    const run = resolveRestoreOptions({ prior: blend }).run;
    expect(run.method).toBe('posterior');
    expect(run.gaussianModel).toBe(face);
    // A blend of two plain priors carries none: the contraction.
    const plain = new BlendedDenoiser(net, new GaussianPrior({ resolution: face.resolution }), weights);
    expect(plain.gaussianModel).toBeUndefined();
    expect(resolveRestoreOptions({ prior: plain }).run.method).toBe('diffusion');
    face.dispose?.();
  });
});
