import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainSeparable, downUpLowPass, gaussianLowPass, resizeBicubic, type LowPass } from '@difbfsr/core';
import { applySeparable } from '../src/image/apply-separable.js';
import { areaMatrix, bicubicMatrix } from '../src/image/resize-matrices.js';
import { downsampleArea, upsampleNearest } from '../src/image/resize.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';

/** Independent scalar reference of PyTorch's bicubic (a = -0.75, half-pixel, clamped indices). */
function torchBicubic1D(src: number[], outSize: number): number[] {
  const W = (x: number): number => {
    const a = -0.75;
    const t = Math.abs(x);
    return t <= 1 ? (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1 : t < 2 ? a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a : 0;
  };
  const n = src.length;
  const out: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const x = ((i + 0.5) * n) / outSize - 0.5;
    const x0 = Math.floor(x);
    const f = x - x0;
    let v = 0;
    for (let m = -1; m <= 2; m++) v += W(m - f) * src[Math.min(n - 1, Math.max(0, x0 + m))];
    out.push(v);
  }
  return out;
}

const filters: Array<[string, () => LowPass]> = [
  ['area-down x4 + bicubic-up', () => downUpLowPass(4)],
  ['area-down x4 + nearest-up', () => downUpLowPass(4, 'nearest')],
  ['gaussian sigma 2', () => gaussianLowPass(2)],
];

for (const backend of TEST_BACKENDS) {
  describe(`resampling and low-pass filters [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('bicubic x4 equals an independent PyTorch-semantics reference', () => {
      const src = [0.1, -0.5, 0.9, 0.3, -0.2, 0.7];
      const m = bicubicMatrix(6, 24);
      const ref = torchBicubic1D(src, 24);
      for (let i = 0; i < 24; i++) {
        let v = 0;
        for (let j = 0; j < 6; j++) v += m.data[i * 6 + j] * src[j];
        expect(v).toBeCloseTo(ref[i], 6);
      }
      // and separably on an image, against the 1-D reference applied to rows then columns
      const img = tf.tensor4d(Array.from({ length: 36 }, (_, i) => Math.sin(i)), [1, 6, 6, 1]);
      const up = resizeBicubic(img, 24, 24).dataSync();
      const rows = Array.from({ length: 6 }, (_, r) => torchBicubic1D(Array.from({ length: 6 }, (_, c) => Math.sin(r * 6 + c)), 24));
      const cols = Array.from({ length: 24 }, (_, c) => torchBicubic1D(rows.map((row) => row[c]), 24));
      for (let r = 0; r < 24; r++) for (let c = 0; c < 24; c++) expect(up[r * 24 + c]).toBeCloseTo(cols[c][r], 5);
      img.dispose();
    });

    it('area downsampling averages blocks; nearest replicates', () => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
      expect([...downsampleArea(x, 2).dataSync()]).toEqual([3.5, 5.5, 11.5, 13.5]);
      expect([...upsampleNearest(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), 2).dataSync()]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
      x.dispose();
    });

    for (const [name, make] of filters) {
      describe(name, () => {
        it('passes a constant image unchanged', () => {
          const f = make();
          const c = tf.fill([2, 16, 16, 3], 0.37) as tf.Tensor4D;
          expect(maxAbsDiff(f.apply(c), c)).toBeLessThan(1e-6);
          c.dispose();
        });

        it('is idempotent to within interpolation error on smooth images', () => {
          const f = make();
          const x = tf.tidy(() => {
            const g = tf.linspace(0, Math.PI, 32);
            const s = tf.sin(g);
            return tf.tile(tf.reshape(tf.outerProduct(s, tf.cos(g)), [1, 32, 32, 1]), [1, 1, 1, 3]) as tf.Tensor4D;
          });
          const once = f.apply(x);
          const twice = f.apply(once);
          const d = tf.tidy(() => tf.sqrt(tf.mean(tf.squaredDifference(once, twice))).dataSync()[0]);
          const energy = tf.tidy(() => tf.sqrt(tf.mean(tf.square(once))).dataSync()[0]);
          expect(d / energy).toBeLessThan(0.1);
          tf.dispose([x, once, twice]);
        });

        it('attenuates high frequencies and keeps low ones', () => {
          const f = make();
          const [hi, lo] = tf.tidy(() => {
            const idx = tf.range(0, 32);
            const checker = tf.sub(tf.mul(tf.mod(tf.add(tf.reshape(idx, [32, 1]), tf.reshape(idx, [1, 32])), 2), 2), 1);
            const high = tf.reshape(checker, [1, 32, 32, 1]) as tf.Tensor4D;
            const ramp = tf.reshape(tf.outerProduct(tf.sin(tf.linspace(0, Math.PI / 2, 32)), tf.ones([32])), [1, 32, 32, 1]) as tf.Tensor4D;
            const rms = (t: tf.Tensor) => tf.sqrt(tf.mean(tf.square(t))).dataSync()[0];
            return [rms(f.apply(high)) / rms(high), rms(tf.sub(f.apply(ramp), ramp)) / rms(ramp)];
          });
          expect(hi).toBeLessThan(0.1);
          expect(lo).toBeLessThan(0.1);
        });
      });
    }

    it('is differentiable and leak-free', () => {
      const f = downUpLowPass(4);
      const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const g = tf.grad((v: tf.Tensor) => tf.sum(f.apply(v as tf.Tensor4D)))(x);
      // the column sums of P_f: each input pixel's total weight; a partition of unity sums to 1 on average
      expect(tf.tidy(() => tf.mean(g).dataSync()[0])).toBeCloseTo(1, 4);
      g.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}

describe('chainSeparable', () => {
  beforeAll(() => useBackend('cpu'));

  it('is the second operator applied after the first (area down 12x10 -> 3x5, then a Gaussian blur)', () => {
    const first = { rows: areaMatrix(12, 3), cols: areaMatrix(10, 5) } as const;
    const then = gaussianLowPass(0.8).separable!(3, 5);
    const x = tf.randomUniform([1, 12, 10, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const twoSteps = tf.tidy(() => applySeparable(applySeparable(x, first.rows, first.cols), then.rows, then.cols));
    const chained = chainSeparable(first, then);
    expect([chained.rows.rows, chained.rows.cols, chained.cols.rows, chained.cols.cols]).toEqual([3, 12, 5, 10]);
    const oneStep = applySeparable(x, chained.rows, chained.cols);
    expect(maxAbsDiff(oneStep, twoSteps)).toBeLessThan(1e-6);
    expect(() => chainSeparable(then, first)).toThrow(/do not chain/);
    tf.dispose([x, twoSteps, oneStep]);
  });
});
