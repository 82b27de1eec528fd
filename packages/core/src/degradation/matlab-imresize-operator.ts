import { DifbfsrError } from '../errors.js';
import { reflectSymmetric } from './reflect-index.js';
import type { SparseOperator } from './sparse-operator.js';

/** MATLAB's cubic kernel (Keys, `a = -0.5`). */
function cubic(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 1) return 1.5 * ax ** 3 - 2.5 * ax ** 2 + 1;
  if (ax <= 2) return -0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2;
  return 0;
}

/**
 * MATLAB `imresize(..., 'bicubic')` along one axis, as basicsr's `matlab_functions.imresize`:
 * output length `ceil(n * scale)`, cubic kernel with `a = -0.5`, stretched by `1 / scale` when
 * shrinking (antialiasing), weights normalised per output sample, borders padded symmetrically
 * (edge sample repeated).
 *
 * Not `bicubicMatrix`: that one is PyTorch's (`a = -0.75`, indices clamped at the borders).
 * @throws DifbfsrError `INVALID_OPTION` unless `scale` is a positive finite number.
 */
export function imresizeOperator(n: number, scale: number): SparseOperator {
  if (!(Number.isFinite(scale) && scale > 0)) throw new DifbfsrError('INVALID_OPTION', `resize scale must be a positive number, got ${scale}`);
  const outLength = Math.ceil(n * scale);
  const width = scale < 1 ? 4 / scale : 4;
  const taps = Math.ceil(width) + 2;
  const indices = new Int32Array(outLength * taps);
  const weights = new Float64Array(outLength * taps);
  for (let o = 0; o < outLength; o++) {
    // 1-based MATLAB coordinates: output sample o + 1 maps to input position u.
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - width / 2);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const j = left + t;
      const w = scale < 1 ? scale * cubic((u - j) * scale) : cubic(u - j);
      weights[o * taps + t] = w;
      indices[o * taps + t] = reflectSymmetric(j - 1, n);
      sum += w;
    }
    for (let t = 0; t < taps; t++) weights[o * taps + t] /= sum;
  }
  return { inLength: n, outLength, taps, indices, weights };
}
