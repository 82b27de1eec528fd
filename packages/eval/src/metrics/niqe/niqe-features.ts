import { imresizeOperator, type SparseOperator } from '@difbfsr/core';
import type { RgbImage } from '../../image.js';
import { fitAggd } from './aggd.js';
import { gamma } from './gamma.js';

/** Side of NIQE's blocks at full scale (the MATLAB release's and the pristine model's). */
export const NIQE_BLOCK_SIZE = 96;

/** A single-channel image, row-major, values on the 0..255 scale. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/**
 * The Y channel of MATLAB's `rgb2ycbcr` for uint8 RGB (BT.601, 16..235), rounded as MATLAB
 * returns it for uint8 input.
 */
export function lumaY(img: RgbImage): Plane {
  const data = new Float64Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(16 + (65.481 * img.data[i * 3] + 128.553 * img.data[i * 3 + 1] + 24.966 * img.data[i * 3 + 2]) / 255);
  }
  return { width: img.width, height: img.height, data };
}

/** Correlate with a square window, borders replicated (scipy.ndimage 'nearest'). */
function filterNearest(p: Plane, window: Float64Array, size: number): Float64Array {
  const r = (size - 1) / 2;
  const { width: w, height: h, data } = p;
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < size; dy++) {
        const row = Math.min(h - 1, Math.max(0, y + dy - r)) * w;
        for (let dx = 0; dx < size; dx++) s += window[dy * size + dx] * data[row + Math.min(w - 1, Math.max(0, x + dx - r))];
      }
      out[y * w + x] = s;
    }
  return out;
}

/**
 * Mean-subtracted contrast-normalised coefficients (NIQE eq. 1): `(I - mu) / (sigma + 1)` with
 * local mean and deviation `sqrt(|E[I^2] - mu^2|)` under the Gaussian `window` (`size x size`).
 * The local statistics are rounded to single precision, as MATLAB's `niqe` (R2021a) and BasicSR
 * hold them: `E[I^2] - mu^2` cancels, and in double precision baboon.png scores 5.72996 instead
 * of the reference 5.72957.
 */
export function mscn(p: Plane, window: Float64Array, size: number): Float64Array {
  const f = Math.fround;
  const mu = filterNearest(p, window, size).map(f);
  const squares = filterNearest({ ...p, data: p.data.map((v) => v * v) }, window, size).map(f);
  return p.data.map((v, i) => f(f(v - mu[i]) / f(f(Math.sqrt(Math.abs(f(squares[i] - f(mu[i] * mu[i]))))) + 1)));
}

/** NIQE's 18 features of one block of MSCN coefficients (`bh x bw`, row-major). */
export function blockFeatures(block: Float64Array, bh: number, bw: number): number[] {
  const whole = fitAggd(block);
  const features = [whole.alpha, (whole.betaLeft + whole.betaRight) / 2];
  // Products with the circularly shifted block (numpy.roll by (dy, dx)): horizontal, vertical, two diagonals.
  for (const [dy, dx] of [[0, 1], [1, 0], [1, 1], [1, -1]]) {
    const product = new Float64Array(bh * bw);
    for (let y = 0; y < bh; y++)
      for (let x = 0; x < bw; x++) product[y * bw + x] = block[y * bw + x] * block[((y - dy + bh) % bh) * bw + ((x - dx + bw) % bw)];
    const { alpha, betaLeft, betaRight } = fitAggd(product);
    features.push(alpha, (betaRight - betaLeft) * (gamma(2 / alpha) / gamma(1 / alpha)), betaLeft, betaRight);
  }
  return features;
}

/** Apply a 1-D operator along both axes of a plane (MATLAB `imresize` semantics). */
function resizePlane(p: Plane, rows: SparseOperator, cols: SparseOperator): Plane {
  const tmp = new Float64Array(p.height * cols.outLength);
  for (let y = 0; y < p.height; y++)
    for (let o = 0; o < cols.outLength; o++) {
      let s = 0;
      for (let t = 0; t < cols.taps; t++) s += cols.weights[o * cols.taps + t] * p.data[y * p.width + cols.indices[o * cols.taps + t]];
      tmp[y * cols.outLength + o] = s;
    }
  const data = new Float64Array(rows.outLength * cols.outLength);
  for (let o = 0; o < rows.outLength; o++)
    for (let x = 0; x < cols.outLength; x++) {
      let s = 0;
      for (let t = 0; t < rows.taps; t++) s += rows.weights[o * rows.taps + t] * tmp[rows.indices[o * rows.taps + t] * cols.outLength + x];
      data[o * cols.outLength + x] = s;
    }
  return { width: cols.outLength, height: rows.outLength, data };
}

/**
 * The 36 features of every full block of a Y plane: the image is cropped to whole 96 px blocks,
 * each block gives 18 features at full scale and 18 at half scale (MATLAB bicubic with
 * antialiasing, blocks of 48 px). One row per block.
 */
export function niqeBlockFeatures(y: Plane, window: Float64Array, windowSize: number): number[][] {
  const bx = Math.floor(y.width / NIQE_BLOCK_SIZE);
  const by = Math.floor(y.height / NIQE_BLOCK_SIZE);
  const w = bx * NIQE_BLOCK_SIZE;
  const h = by * NIQE_BLOCK_SIZE;
  const cropped = new Float64Array(w * h);
  for (let r = 0; r < h; r++) cropped.set(y.data.subarray(r * y.width, r * y.width + w), r * w);
  let plane: Plane = { width: w, height: h, data: cropped };
  const rows: number[][] = Array.from({ length: bx * by }, () => []);
  for (const scale of [1, 2]) {
    const coefficients = mscn(plane, window, windowSize);
    const size = NIQE_BLOCK_SIZE / scale;
    for (let j = 0; j < by; j++)
      for (let i = 0; i < bx; i++) {
        const block = new Float64Array(size * size);
        for (let r = 0; r < size; r++) block.set(coefficients.subarray((j * size + r) * plane.width + i * size, (j * size + r) * plane.width + (i + 1) * size), r * size);
        rows[j * bx + i].push(...blockFeatures(block, size, size));
      }
    if (scale === 1) plane = resizePlane(plane, imresizeOperator(h, 0.5), imresizeOperator(w, 0.5));
  }
  return rows;
}
