import { degradationMatrix, type Degradation } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import type { ProtocolCase } from './protocol-case.js';
import { applySeparableOperator } from './separable.js';
import type { SparseOperator } from '@difbfsr/core';

/** A dense 1-D matrix as a {@link SparseOperator} with one tap per input sample. */
function asOperator(m: { rows: number; cols: number; data: Float64Array }): SparseOperator {
  const indices = new Int32Array(m.rows * m.cols);
  for (let o = 0; o < m.rows; o++) for (let t = 0; t < m.cols; t++) indices[o * m.cols + t] = t;
  return { inLength: m.cols, outLength: m.rows, taps: m.cols, indices, weights: m.data };
}

/**
 * What an oracle knows of a protocol degradation: the case's blur, and the effective noise level
 * of this LR face, the RMS (0..255 scale) of `y - D x` with `D` the blur and MATLAB bicubic down:
 * the sensor noise, rounding and JPEG error together, as the Gaussian restorer's data term models them.
 */
export function trueDegradation(hr: RgbImage, lr: RgbImage, protocol: ProtocolCase, scale = 4): Degradation {
  checkRgb(hr, 'HR face');
  checkRgb(lr, 'LR face');
  const rows = asOperator(degradationMatrix(hr.height, scale, protocol.sigma));
  const cols = asOperator(degradationMatrix(hr.width, scale, protocol.sigma));
  const clean = applySeparableOperator(hr, rows, cols);
  let sum = 0;
  for (let i = 0; i < clean.data.length; i++) sum += (lr.data[i] - clean.data[i]) ** 2;
  return { blur: protocol.sigma, noise: Math.sqrt(sum / clean.data.length) };
}
