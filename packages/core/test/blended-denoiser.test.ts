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

  it("takes the mean colour from its own weights: the other weights' blend less its per-channel mean plus that of the colour blend", async () => {
    const a = new GaussianPrior({ resolution: 4, mean: -0.1, std: 0.3 });
    const b = new GaussianPrior({ resolution: 4, mean: 0.2, std: 0.6 });
    const meanColour = [0.2, 0, 0.7];
    const blend = new BlendedDenoiser(a, b, { ...weights, meanColour });
    const x = tf.randomNormal([3, 4, 4, 3], 0.3, 1, 'float32', 3) as tf.Tensor4D;
    const t = [0, 300, 800];
    const before = tf.memory().numTensors;
    const out = await blend.predict(x, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    const [pa, pb, got] = [a.predict(x, t).eps, b.predict(x, t).eps, out.eps].map((e) => {
      const rows = e.arraySync().map((img) => img.flat(2));
      e.dispose();
      return rows;
    });
    t.forEach((ti, i) => {
      const [w, c] = [blendWeightAt(weights, ti), blendWeightAt({ t: weights.t, w: meanColour }, ti)];
      const mix = (k: number, p: number): number => k * pa[i][p] + (1 - k) * pb[i][p];
      const channelMean = (k: number, ch: number): number => Array.from({ length: 16 }, (_, q) => mix(k, 3 * q + ch)).reduce((s, v) => s + v, 0) / 16;
      for (let p = 0; p < 48; p++) expect(got[i][p]).toBeCloseTo(mix(w, p) - channelMean(w, p % 3) + channelMean(c, p % 3), 5);
    });
    tf.dispose(x);
    expect(() => new BlendedDenoiser(a, b, { ...weights, meanColour: [0, 1] })).toThrow(/meanColour needs 3 weights/);
  });

  describe('with eigen-bands of the Gaussian face model', () => {
    const data = syntheticGaussianModel(); // 8 px, rank 20
    const ranges = [[0, 4], [4, 12]] as [number, number][];
    const t = [0, 100, 500];

    it('weighs each band of (eps_network - eps_gaussian) and the rest by its own w(t), exactly as the projections say', async () => {
      const face = new GaussianFaceModel(data);
      const net = new GaussianPrior({ resolution: face.resolution, mean: 0.1, std: 0.4 });
      const rows = [[1, 0.6, 0.2], [0.9, 0.5, 0.4], [0.8, 0.3, 0]];
      const blend = new BlendedDenoiser(net, face, { t, w: [1, 0.5, 0], bands: { ranges, w: rows } });
      const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const at = [50, 300, 700];
      const before = tf.memory().numTensors;
      const out = await blend.predict(x, at);
      expect(tf.memory().numTensors).toBe(before + 1);
      const en = net.predict(x, at).eps.arraySync().map((img) => img.flat(2));
      const eg = face.predict(x, at).eps.arraySync().map((img) => img.flat(2));
      const got = out.eps.arraySync().map((img) => img.flat(2));
      const dim = 8 * 8 * 3;
      const u = (j: number) => data.eigenvectors.subarray(j * dim, (j + 1) * dim);
      for (let i = 0; i < 3; i++) {
        const ws = rows.map((row) => blendWeightAt({ t, w: row }, at[i]));
        const d = en[i].map((v, p) => v - eg[i][p]);
        // Reference: eps_g + w_rest d + sum over components j in band k of (w_k - w_rest) (u_j . d) u_j.
        const ref = d.map((v, p) => eg[i][p] + ws[2] * v);
        ranges.forEach(([from, to], k) => {
          for (let j = from; j < to; j++) {
            const c = u(j).reduce((s, uj, p) => s + uj * d[p], 0);
            for (let p = 0; p < dim; p++) ref[p] += (ws[k] - ws[2]) * c * u(j)[p];
          }
        });
        for (let p = 0; p < dim; p++) expect(got[i][p]).toBeCloseTo(ref[p], 4);
      }
      tf.dispose([x, out.eps]);
      face.dispose();
    });

    it('equals the plain blend when every band has the same weights', async () => {
      const face = new GaussianFaceModel(data);
      const net = new GaussianPrior({ resolution: face.resolution, std: 0.3 });
      const w = [0.9, 0.4, 0.1];
      const plain = new BlendedDenoiser(net, face, { t, w });
      const banded = new BlendedDenoiser(net, face, { t, w, bands: { ranges, w: [w, w, w] } });
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
      const [a, b] = [await plain.predict(x, [80, 420]), await banded.predict(x, [80, 420])];
      expect(tf.max(tf.abs(tf.sub(a.eps, b.eps))).arraySync()).toBeLessThan(1e-5);
      tf.dispose([x, a.eps, b.eps]);
      face.dispose();
    });

    it('refuses bands without a Gaussian face model, overlapping or out-of-rank ranges and wrong rows', () => {
      const face = new GaussianFaceModel(data);
      const net = new GaussianPrior({ resolution: face.resolution });
      const w = [1, 0.5, 0];
      const rows = [w, w, w];
      expect(() => new BlendedDenoiser(net, new GaussianPrior({ resolution: face.resolution }), { t, w, bands: { ranges, w: rows } })).toThrow(/need a Gaussian face model/);
      for (const bad of [
        { ranges: [[0, 6], [4, 12]] as [number, number][], w: rows },
        { ranges: [[0, 4], [4, 21]] as [number, number][], w: rows },
        { ranges, w: [w, w] },
        { ranges, w: [w, w, [1, 2, 0]] },
      ]) {
        expect(() => new BlendedDenoiser(net, face, { t, w, bands: bad })).toThrow(/rank 20 and one row of 3 weights/);
      }
      face.dispose();
    });
  });
});
