import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionalFusionModule, downUpLowPass, resizeBicubic, SeededRandom, SuperResolutionModule, fidelityLoss, gaussianLowPass, lrProjection } from '@difbfsr/core';
import { filterPerPixel } from '../src/modules/cfm.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';

/** Naive per-pixel filter with reflect padding (independent reference). */
function naiveFilter(x: number[][][], kernels: number[][][], k: number): number[][][] {
  const h = x.length;
  const w = x[0].length;
  const r = (k - 1) / 2;
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  return x.map((row, i) =>
    row.map((_, j) => {
      const out = [0, 0, 0];
      for (let dy = 0; dy < k; dy++)
        for (let dx = 0; dx < k; dx++) {
          const wgt = kernels[i][j][dy * k + dx];
          const src = x[refl(i + dy - r, h)][refl(j + dx - r, w)];
          for (let c = 0; c < 3; c++) out[c] += wgt * src[c];
        }
      return out;
    }),
  );
}

describe('SRM and CFM modules [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('the SRM starts as (clamped) bicubic interpolation and is seeded', () => {
    const y = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const a = new SuperResolutionModule(new SeededRandom(1), { scale: 4 });
    const b = new SuperResolutionModule(new SeededRandom(1), { scale: 4 });
    const c = new SuperResolutionModule(new SeededRandom(2), { scale: 4 });
    const out = a.apply(y);
    expect(out.shape).toEqual([1, 32, 32, 3]);
    const ref = tf.tidy(() => tf.clipByValue(resizeBicubic(y, 32, 32), -1, 1));
    expect(maxAbsDiff(out, ref)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.variables[0], b.variables[0])).toBe(0);
    expect(maxAbsDiff(a.variables[0], c.variables[0])).toBeGreaterThan(0.01);
    // 5 residual + head + 2 upsampling octaves + tail, weight and bias each
    expect(a.variables.length).toBe(2 * (1 + 5 + 2 + 1));
    tf.dispose([y, out, ref]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects scales that are not powers of two', () => {
    expect(() => new SuperResolutionModule(new SeededRandom(0), { scale: 3 })).toThrow(/power of two/);
  });

  it('the per-pixel filter equals a naive reference, and the CFM starts as a 7x7 box filter on the low-pass band', () => {
    const k = 3;
    const x = tf.randomNormal([1, 5, 6, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const kern = tf.softmax(tf.randomNormal([1, 5, 6, k * k], 0, 1, 'float32', 8)) as tf.Tensor4D;
    const ours = filterPerPixel(x, kern, k);
    const ref = naiveFilter(
      (x.arraySync() as number[][][][])[0],
      (kern.arraySync() as number[][][][])[0],
      k,
    );
    expect(maxAbsDiff(ours, ref.flat(2))).toBeLessThan(1e-5);

    const cfm = new ConditionalFusionModule(new SeededRandom(3), { kernelSize: 7 });
    const yHat = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
    const x0 = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 10) as tf.Tensor4D;
    const lowPass = downUpLowPass(4);
    const fused = cfm.fuse(yHat, x0, lowPass);
    const box = Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => new Array(49).fill(1 / 49)));
    // x_hat = x0 + psi(P(y_hat - x0)), P the fixed low-pass (tested on its own in low-pass.test.ts).
    const d = lowPass.apply(tf.sub(yHat, x0));
    const boxRef = naiveFilter((d.arraySync() as number[][][][])[0], box, 7).flat(2);
    const x0v = x0.dataSync();
    expect(maxAbsDiff(fused, boxRef.map((v, i) => v + x0v[i]))).toBeLessThan(1e-5);
    tf.dispose([x, kern, ours, yHat, x0, fused, d]);
    cfm.dispose();
  });

  it('the per-pixel filter gradient matches finite differences', () => {
    const k = 3;
    const x = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const logits = tf.randomNormal([1, 4, 4, k * k], 0, 1, 'float32', 12) as tf.Tensor4D;
    const w = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 13);
    const f = (l: tf.Tensor) => tf.sum(tf.mul(filterPerPixel(x, tf.softmax(l) as tf.Tensor4D, k), w));
    const g = tf.grad(f)(logits).dataSync();
    const base = logits.dataSync();
    const h = 1e-2;
    for (const idx of [0, 17, 60, 143]) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[idx] += h;
      minus[idx] -= h;
      const fd = tf.tidy(() => (f(tf.tensor4d(plus, logits.shape)).dataSync()[0] - f(tf.tensor4d(minus, logits.shape)).dataSync()[0]) / (2 * h));
      expect(g[idx]).toBeCloseTo(fd, 2);
    }
    tf.dispose([x, logits, w]);
  });

  it('Adam on the eq. 3 loss lowers it for both modules (gradients reach phi and eta)', () => {
    const rng = new SeededRandom(4);
    const srm = new SuperResolutionModule(rng, { scale: 4 });
    const cfm = new ConditionalFusionModule(rng);
    const lp = gaussianLowPass(1);
    const y = tf.randomUniform([1, 4, 4, 3], -0.8, 0.8, 'float32', 14) as tf.Tensor4D;
    const x0 = tf.randomUniform([1, 16, 16, 3], -0.8, 0.8, 'float32', 15) as tf.Tensor4D;
    const lowY = lp.apply(y);
    const fixed = downUpLowPass(4);
    const down = lrProjection(16, 16, 4, { blur: 1.5, noise: 0 });
    const loss = () => fidelityLoss(lowY, tf.clipByValue(cfm.fuse(srm.apply(y), x0, fixed), -1, 1) as tf.Tensor4D, down, lp);
    const first = tf.tidy(() => loss().dataSync()[0]);
    const optA = tf.train.adam(2e-3);
    const optB = tf.train.adam(5e-3);
    for (let i = 0; i < 15; i++) {
      optA.minimize(loss, false, srm.variables);
      optB.minimize(loss, false, cfm.variables);
    }
    const last = tf.tidy(() => loss().dataSync()[0]);
    expect(last).toBeLessThan(0.7 * first);
    tf.dispose([y, x0, lowY]);
    optA.dispose();
    optB.dispose();
    srm.dispose();
    cfm.dispose();
  });
});

/**
 * Plain-JS gradient of `0.5 sum(w * filter(x)^2)` with respect to `x` (one batch): the output
 * gradient `w * filter(x)` spread over each pixel's k x k taps and added onto the reflected source
 * pixels, so mirrored border copies count where they came from.
 */
function filterInputGradReference(x: number[][][], kernels: number[][][], w: number[][][], k: number): number[][][] {
  const h = x.length;
  const wd = x[0].length;
  const r = (k - 1) / 2;
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const out = naiveFilter(x, kernels, k);
  const grad = x.map((row) => row.map(() => [0, 0, 0]));
  for (let i = 0; i < h; i++)
    for (let j = 0; j < wd; j++)
      for (let dy = 0; dy < k; dy++)
        for (let dx = 0; dx < k; dx++) {
          const src = grad[refl(i + dy - r, h)][refl(j + dx - r, wd)];
          for (let c = 0; c < 3; c++) src[c] += kernels[i][j][dy * k + dx] * w[i][j][c] * out[i][j][c];
        }
  return grad;
}

describe.each(TEST_BACKENDS)('per-pixel filter gradient of the image on %s', (backendName) => {
  beforeAll(() => useBackend(backendName));

  // k - 1 reaches the smallest side reflect padding allows (r = side - 1), and past it.
  it.each([
    { k: 3, h: 2, w: 3 },
    { k: 3, h: 4, w: 4 },
    { k: 5, h: 3, w: 4 },
    { k: 5, h: 5, w: 3 },
    { k: 7, h: 4, w: 4 },
    { k: 7, h: 6, w: 5 },
  ])('includes the mirrored borders: equals a plain-JS fold and central differences, k=$k, $h x $w', ({ k, h, w }) => {
    const x = tf.randomNormal([1, h, w, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
    const kern = tf.softmax(tf.randomNormal([1, h, w, k * k], 0, 1, 'float32', 22)) as tf.Tensor4D;
    const wgt = tf.randomNormal([1, h, w, 3], 0, 1, 'float32', 23);
    // Quadratic in x, so central differences are exact up to float32 rounding.
    const f = (v: tf.Tensor) => tf.mul(tf.sum(tf.mul(tf.square(filterPerPixel(v as tf.Tensor4D, kern, k)), wgt)), 0.5);
    const before = tf.memory().numTensors;
    const grad = tf.grad(f)(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const [xs, ks, ws] = [x, kern, wgt].map((t) => (t.arraySync() as number[][][][])[0]);
    expect(maxAbsDiff(grad, filterInputGradReference(xs, ks, ws, k).flat(2))).toBeLessThan(1e-5);

    const g = grad.dataSync();
    const base = x.dataSync();
    const step = 0.1;
    let worst = 0;
    let scale = 0;
    for (let idx = 0; idx < base.length; idx++) {
      const shifted = (d: number) => {
        const v = Float32Array.from(base);
        v[idx] += d;
        return tf.tidy(() => f(tf.tensor4d(v, x.shape)).dataSync()[0]);
      };
      worst = Math.max(worst, Math.abs(g[idx] - (shifted(step) - shifted(-step)) / (2 * step)));
      scale = Math.max(scale, Math.abs(g[idx]));
    }
    expect(worst).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([x, kern, wgt, grad]);
  });
});
