import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fitAggd,
  gamma,
  gaussianBlur,
  gaussianNoise,
  loadNiqeModel,
  lumaY,
  niqe,
  NIQE_MODEL_FILE,
  parseNpy,
  parseNpz,
  quantizeToUint8,
  readRgb,
  type RgbImage,
} from '@difbfsr/eval';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { errorOf } from '../../../test-utils/plain-backend.js';

/** A little-endian float64 .npy file (format 1.0) of `values` in the given memory order. */
function npy(shape: number[], values: number[], fortran: boolean): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const out = new Uint8Array(10 + header.length + values.length * 8);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0, header.length & 255, header.length >> 8]);
  out.set(Array.from(header, (c) => c.charCodeAt(0)), 10);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat64(10 + header.length + i * 8, v, true));
  return out;
}

describe('NIQE building blocks', () => {
  it('gamma matches closed forms', () => {
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 14);
    expect(gamma(5)).toBeCloseTo(24, 12);
    expect(gamma(1 / 3)).toBeCloseTo(2.678938534707747, 13);
    expect(gamma(0.1)).toBeCloseTo(9.513507698668732, 12);
    expect(gamma(15)).toBeCloseTo(87178291200, 0);
  });

  it('reads .npy in C and Fortran order, and the shipped .npz model as numpy does', () => {
    const values = [1, 2, 3, 4, 5, 6];
    expect(Array.from(parseNpy(npy([2, 3], values, false), 'c').data)).toEqual(values);
    // Column-major storage of [[1, 2, 3], [4, 5, 6]] is 1, 4, 2, 5, 3, 6.
    expect(Array.from(parseNpy(npy([2, 3], [1, 4, 2, 5, 3, 6], true), 'f').data)).toEqual(values);
    expect(errorOf(() => parseNpy(new Uint8Array(16), 'junk')).code).toBe('CHECKPOINT_FORMAT');
    const model = loadNiqeModel();
    // numpy.load of the same file: mu_pris_param[0, :2], cov_pris_param[0, :2], gaussian_window[0, :2].
    expect(model.mean[0]).toBeCloseTo(2.60131368, 8);
    expect(model.mean[1]).toBeCloseTo(0.90570272, 8);
    expect(model.covariance[0]).toBeCloseTo(0.4534781, 7);
    expect(model.covariance[1]).toBeCloseTo(0.0961011, 7);
    expect(model.windowSize).toBe(7);
    expect(model.window.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(parseNpz(readFileSync(NIQE_MODEL_FILE), 'model').size).toBe(3);
    expect(errorOf(() => loadNiqeModel('/nonexistent/model.npz')).code).toBe('IO');
  });

  it('fits the shape and scales of Gaussian, Laplacian and asymmetric samples', () => {
    const n = 200_000;
    const g = gaussianNoise(4 * n, 1, 7);
    const gauss = g.subarray(0, n).map((v) => 3 * v);
    // X Y - Z W of independent standard normals is Laplace(0, 1): a generalised Gaussian of shape 1, scale 1.
    const laplace = new Float64Array(n).map((_, i) => g[i] * g[n + i] - g[2 * n + i] * g[3 * n + i]);
    // An AGGD of shape 2 and scales sqrt(2) (0.5, 2): each side's mass is proportional to its scale,
    // left with probability 0.2 = P(N(0, 1) < -0.8416212335729143), magnitudes half-normal.
    const asymmetric = new Float64Array(n).map((_, i) => (g[n + i] < -0.8416212335729143 ? -0.5 : 2) * Math.abs(g[i]));
    const fg = fitAggd(gauss);
    expect(fg.alpha).toBeCloseTo(2, 1);
    expect(fg.betaLeft).toBeCloseTo(3 * Math.SQRT2, 1);
    expect(fg.betaRight).toBeCloseTo(3 * Math.SQRT2, 1);
    const fl = fitAggd(laplace);
    expect(Math.abs(fl.alpha - 1)).toBeLessThan(0.03);
    expect(Math.abs(fl.betaLeft - 1)).toBeLessThan(0.03);
    const fa = fitAggd(asymmetric);
    expect(fa.alpha).toBeCloseTo(2, 1);
    expect(fa.betaLeft).toBeCloseTo(0.5 * Math.SQRT2, 1);
    expect(fa.betaRight).toBeCloseTo(2 * Math.SQRT2, 1);
  });

  it('takes the Y channel of MATLAB rgb2ycbcr (16 for black, 235 for white)', () => {
    const img: RgbImage = { width: 3, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0]) };
    expect(Array.from(lumaY(img).data)).toEqual([16, 235, Math.round(16 + 65.481)]);
  });

  it('refuses images smaller than one block and flat images', () => {
    const flat = (w: number, h: number): RgbImage => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(90) });
    expect(errorOf(() => niqe(flat(95, 200))).code).toBe('INVALID_SIZE');
    expect(errorOf(() => niqe(flat(96, 96))).code).toBe('INVALID_INPUT');
  });
});

describeShared('NIQE against the MATLAB release', ['metrics/niqe/baboon.png'], () => {
  it('gives baboon.png the MATLAB R2021a value 5.72957 (to 3 decimals), and blur raises it', async () => {
    const baboon = await readRgb(sharedPath('metrics/niqe/baboon.png'));
    const score = niqe(baboon);
    expect(score).toBeCloseTo(5.72957, 3);
    // Measured: 5.7295736 (MATLAB 5.72957338, BasicSR 5.7295763).
    expect(Math.abs(score - 5.72957338)).toBeLessThan(1e-5);
    expect(niqe(quantizeToUint8(gaussianBlur(baboon, 2)))).toBeGreaterThan(score + 1);
  });
});
