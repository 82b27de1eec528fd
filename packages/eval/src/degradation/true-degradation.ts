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

/** JPEG's RGB -> YCbCr rows (the offsets cancel in a difference). */
const YCC = [
  [0.299, 0.587, 0.114],
  [-0.168736, -0.331264, 0.5],
  [0.5, -0.418688, -0.081312],
];

/**
 * What an oracle knows of a protocol degradation: the case's blur, and the effective noise levels
 * of this LR face, the RMS (0..255 scale) of `y - D x` (`D`: the blur and MATLAB bicubic down) in
 * JPEG's YCbCr, luma (`noise`) and chroma (`chroma`, Cb and Cr together): the sensor noise, rounding
 * and JPEG error together, as the Gaussian restorer's data term models them.
 */
export function trueDegradation(hr: RgbImage, lr: RgbImage, protocol: ProtocolCase, scale = 4): Degradation {
  checkRgb(hr, 'HR face');
  checkRgb(lr, 'LR face');
  const rows = asOperator(degradationMatrix(hr.height, scale, protocol.sigma));
  const cols = asOperator(degradationMatrix(hr.width, scale, protocol.sigma));
  const clean = applySeparableOperator(hr, rows, cols);
  const sums = [0, 0, 0];
  for (let p = 0; p < clean.data.length; p += 3) {
    const d = [0, 1, 2].map((c) => lr.data[p + c] - clean.data[p + c]);
    for (let k = 0; k < 3; k++) sums[k] += (YCC[k][0] * d[0] + YCC[k][1] * d[1] + YCC[k][2] * d[2]) ** 2;
  }
  const pixels = clean.data.length / 3;
  return { blur: protocol.sigma, noise: Math.sqrt(sums[0] / pixels), chroma: Math.sqrt((sums[1] + sums[2]) / (2 * pixels)) };
}
