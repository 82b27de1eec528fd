import { DifbfsrError } from '../errors.js';
import type { Matrix1D } from '../image/resize-matrices.js';
import { gaussianBlurOperator } from './gaussian-kernel.js';
import { imresizeOperator } from './matlab-imresize-operator.js';
import { denseOf } from './sparse-operator.js';
import { identityMatrix, multiplyMatrices, type DenseMatrix } from '../linalg/dense-matrix.js';

/**
 * How a face was degraded, in the terms of the evaluation protocol (paper eq. 11):
 * `y = down_s(x * k_blur) + n`, JPEG and rounding folded into the effective noise `n`.
 */
export interface Degradation {
  /** Standard deviation of the isotropic Gaussian blur, in HR pixels (0: no blur). */
  readonly blur: number;
  /**
   * Standard deviation of the effective noise on the 0..255 scale (sensor noise, JPEG and rounding
   * together): white in RGB when `chroma` is absent, else the noise of the luma (JPEG's Y).
   */
  readonly noise: number;
  /**
   * Standard deviation of the effective noise of the chroma (JPEG's Cb and Cr), 0..255 scale, when it
   * differs from the luma's (JPEG's 4:2:0 subsampling and coarser chroma quantisation).
   */
  readonly chroma?: number;
}

/** JPEG's RGB -> YCbCr matrix (row-major; the offsets cancel in a noise). */
const RGB_TO_YCC = [0.299, 0.587, 0.114, -0.168736, -0.331264, 0.5, 0.5, -0.418688, -0.081312];

/**
 * The 1-D factor `A` of the degradation operator `D = A (x) A` on `hrSize`-pixel signals: the
 * protocol's Gaussian blur (reflect-101 borders), then MATLAB's antialiased bicubic downscaling by
 * `scale`. Shape `[hrSize / scale, hrSize]`, float64.
 * @throws DifbfsrError `INVALID_OPTION` for a negative or non-finite blur, or a size that `scale` does not divide.
 */
export function degradationMatrix(hrSize: number, scale: number, blur: number): DenseMatrix {
  if (!(Number.isFinite(blur) && blur >= 0)) throw new DifbfsrError('INVALID_OPTION', `blur must be a finite number >= 0, got ${blur}`);
  if (!(Number.isInteger(scale) && scale >= 1 && hrSize % scale === 0)) {
    throw new DifbfsrError('INVALID_OPTION', `scale ${scale} must be a positive integer dividing the size ${hrSize}`);
  }
  const down = denseOf(imresizeOperator(hrSize, 1 / scale));
  return multiplyMatrices(down, blur > 0 ? denseOf(gaussianBlurOperator(hrSize, blur)) : identityMatrix(hrSize));
}

/** A dense float64 matrix as the float32 {@link Matrix1D} that `applySeparable` takes. */
export function toMatrix1D(m: DenseMatrix): Matrix1D {
  return { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
}

/**
 * The 3x3 RGB colour covariance (row-major) of a {@link Degradation}'s noise in the pipeline's
 * [-1, 1] units: `(2 noise / 255)^2 I` for white noise, `T^-1 diag(vY, vC, vC) T^-T` (`T`: JPEG's
 * YCbCr matrix) with luma and chroma levels.
 */
export function noiseCovarianceOf(degradation: Degradation): Float64Array {
  const v = (x: number) => ((2 * x) / 255) ** 2;
  if (degradation.chroma === undefined) {
    const w = v(degradation.noise);
    return Float64Array.from([w, 0, 0, 0, w, 0, 0, 0, w]);
  }
  const inv = invert3(RGB_TO_YCC);
  const d = [v(degradation.noise), v(degradation.chroma), v(degradation.chroma)];
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += inv[i * 3 + k] * d[k] * inv[j * 3 + k];
  return out;
}

/** The inverse of a 3x3 row-major matrix. */
function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d].map((x) => x / det);
}
