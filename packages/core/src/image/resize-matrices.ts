import { DifbfsrError } from '../errors.js';

/**
 * 1-D resampling operators as dense matrices (`out x in`, row-major Float32Array). Applied along rows
 * and columns by `applySeparable`, they give exact, differentiable linear resizes and filters
 * at any size, with boundaries handled like PyTorch (indices clamped).
 */
export interface Matrix1D {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

function matrix(rows: number, cols: number): Matrix1D {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** Keys' cubic convolution kernel with `a = -0.75` (PyTorch and OpenCV). */
function cubic(x: number, a = -0.75): number {
  const ax = Math.abs(x);
  if (ax <= 1) return (a + 2) * ax ** 3 - (a + 3) * ax ** 2 + 1;
  if (ax < 2) return a * ax ** 3 - 5 * a * ax ** 2 + 8 * a * ax - 4 * a;
  return 0;
}

/**
 * Bicubic interpolation from `inSize` to `outSize` samples with half-pixel centres
 * (`F.interpolate(mode='bicubic', align_corners=False)`); indices outside the signal are clamped.
 * With `antialias` and `outSize < inSize` the kernel is stretched by the scale factor (MATLAB
 * `imresize`), with weights renormalised at the borders.
 */
export function bicubicMatrix(inSize: number, outSize: number, antialias = false): Matrix1D {
  const m = matrix(outSize, inSize);
  const scale = outSize / inSize;
  const stretch = antialias && scale < 1 ? scale : 1;
  const support = 2 / stretch;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) / scale - 0.5;
    const lo = Math.floor(center - support) + 1;
    const hi = Math.floor(center + support);
    let sum = 0;
    const w: number[] = [];
    for (let j = lo; j <= hi; j++) {
      const wj = stretch * cubic((center - j) * stretch);
      w.push(wj);
      sum += wj;
    }
    for (let j = lo; j <= hi; j++) {
      const wj = stretch < 1 ? w[j - lo] / sum : w[j - lo];
      const src = Math.min(Math.max(j, 0), inSize - 1);
      m.data[i * inSize + src] += wj;
    }
  }
  return m;
}

/** Area (box-average) downsampling by an integer factor: `inSize` must be a multiple of `outSize`. */
export function areaMatrix(inSize: number, outSize: number): Matrix1D {
  const f = inSize / outSize;
  if (!Number.isInteger(f)) throw new DifbfsrError('INVALID_SIZE', `area resize needs an integer factor (${inSize} -> ${outSize})`);
  const m = matrix(outSize, inSize);
  for (let i = 0; i < outSize; i++) for (let j = 0; j < f; j++) m.data[i * inSize + i * f + j] = 1 / f;
  return m;
}

/** Nearest-neighbour replication by an integer factor (DDNM's `MeanUpsample`). */
export function nearestMatrix(inSize: number, outSize: number): Matrix1D {
  const f = outSize / inSize;
  if (!Number.isInteger(f)) throw new DifbfsrError('INVALID_SIZE', `nearest upsampling needs an integer factor (${inSize} -> ${outSize})`);
  const m = matrix(outSize, inSize);
  for (let i = 0; i < outSize; i++) m.data[i * inSize + Math.floor(i / f)] = 1;
  return m;
}

/**
 * Gaussian blur of standard deviation `sigma` (truncated at `ceil(3 sigma)`), with the kernel
 * renormalised where it leaves the signal, so a constant signal passes unchanged.
 */
export function gaussianMatrix(size: number, sigma: number): Matrix1D {
  const m = matrix(size, size);
  if (sigma <= 0) {
    for (let i = 0; i < size; i++) m.data[i * size + i] = 1;
    return m;
  }
  const r = Math.ceil(3 * sigma);
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(size - 1, i + r); j++) sum += Math.exp(-((i - j) ** 2) / (2 * sigma * sigma));
    for (let j = Math.max(0, i - r); j <= Math.min(size - 1, i + r); j++) {
      m.data[i * size + j] = Math.exp(-((i - j) ** 2) / (2 * sigma * sigma)) / sum;
    }
  }
  return m;
}

/** Matrix product `a * b`. */
export function matMul1D(a: Matrix1D, b: Matrix1D): Matrix1D {
  if (a.cols !== b.rows) throw new DifbfsrError('INVALID_SIZE', `matrix shapes do not chain: ${a.rows}x${a.cols} * ${b.rows}x${b.cols}`);
  const m = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) m.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  return m;
}
