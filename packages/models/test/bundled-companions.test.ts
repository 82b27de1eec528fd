import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_DEGRADATION_ESTIMATOR_URL, loadBundledDegradationEstimator, loadBundledGaussianModel, loadCheckpoint, unpackEigenvectors } from '@difbfsr/models';

/**
 * The bundled prior's companions (packages/models/assets/face64): the Gaussian face model
 * (tools/gaussian-prior/fit.py) and the degradation estimator (tools/degradation-estimator/train.py).
 */
describe('bundled Gaussian face model and degradation estimator', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('the Gaussian model unpacks to orthonormal, mirror-symmetric or -antisymmetric eigenvectors', async () => {
    const model = await loadBundledGaussianModel();
    const { eigenvectors, eigenvalues, mean, resolution, remainder } = model.data;
    const dim = resolution * resolution * 3;
    expect(resolution).toBe(64);
    expect(model.rank).toBe(eigenvalues.length);
    expect(Math.min(...mean)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...mean)).toBeLessThanOrEqual(1);
    expect(remainder).toBeGreaterThan(0);
    expect(eigenvalues[model.rank - 1]).toBeGreaterThan(remainder);
    // int8 storage: inner products within 2e-3 of the identity's.
    let worst = 0;
    for (const i of [0, 1, 7, 100, model.rank - 1])
      for (const j of [0, 2, 7, 250, model.rank - 1]) {
        let s = 0;
        for (let p = 0; p < dim; p++) s += eigenvectors[i * dim + p] * eigenvectors[j * dim + p];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    expect(worst).toBeLessThan(2e-3);
    model.dispose();
  });

  it('unpackEigenvectors mirrors each half with its parity', () => {
    // res 2: one row of width 2, so the left half is one pixel (3 values).
    const out = unpackEigenvectors(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), Float32Array.from([0.5, 1]), Float32Array.from([1, -1]), 2);
    expect(Array.from(out.subarray(0, 12))).toEqual([0.5, 1, 1.5, 0.5, 1, 1.5, 2, 2.5, 3, 2, 2.5, 3]);
    expect(Array.from(out.subarray(12))).toEqual([7, 8, 9, -7, -8, -9, 10, 11, 12, -10, -11, -12]);
    expect(() => unpackEigenvectors(new Float32Array(6), Float32Array.from([1]), Float32Array.from([0]), 2)).toThrow(/parity/);
  });

  it('the estimator computes what PyTorch computed on the closed-form check input', async () => {
    const sd = await loadCheckpoint(BUNDLED_DEGRADATION_ESTIMATOR_URL);
    const check = JSON.parse(sd.metadata.forward_check) as { raw_output: [number, number] };
    const norm = JSON.parse(sd.metadata.outputs) as { blur: [number, number]; log1p_noise: [number, number] };
    const estimator = await loadBundledDegradationEstimator();
    // x[c, h, w] = 0.9 sin(0.37 h + 0.23 w + 0.9 c), here NHWC.
    const data = new Float32Array(16 * 16 * 3);
    for (let h = 0; h < 16; h++) for (let w = 0; w < 16; w++) for (let c = 0; c < 3; c++) data[(h * 16 + w) * 3 + c] = 0.9 * Math.sin(0.37 * h + 0.23 * w + 0.9 * c);
    const x = tf.tensor4d(data, [1, 16, 16, 3]);
    const before = tf.memory().numTensors;
    const est = await estimator.estimate(x);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(est.blur).toBeCloseTo(check.raw_output[0] * norm.blur[1] + norm.blur[0], 4);
    expect(est.noise).toBeCloseTo(Math.expm1(check.raw_output[1] * norm.log1p_noise[1] + norm.log1p_noise[0]), 3);
    estimator.dispose?.();
  });
});
