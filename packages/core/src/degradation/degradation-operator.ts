import { DifbfsrError } from '../errors.js';
import type { Matrix1D } from '../image/resize-matrices.js';
import { gaussianBlurOperator } from './gaussian-kernel.js';
import { imresizeOperator } from './matlab-imresize-operator.js';
import { denseOf } from './sparse-operator.js';
import { identityMatrix, multiplyMatrices, type DenseMatrix } from '../linalg/dense-matrix.js';

/**
 * How a face was degraded, in the terms of the evaluation protocol (paper eq. 11):
 * `y = down_s(x * k_blur) + n`, JPEG and rounding folded into the noise.
 */
export interface Degradation {
  /** Standard deviation of the isotropic Gaussian blur, in HR pixels (0: no blur). */
  readonly blur: number;
  /** Standard deviation of the effective white noise on the 0..255 scale (sensor noise, JPEG and rounding together). */
  readonly noise: number;
}

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

/** The variance of a {@link Degradation}'s noise in the pipeline's [-1, 1] units: `(2 noise / 255)^2`. */
export function noiseVarianceOf(degradation: Degradation): number {
  return ((2 * degradation.noise) / 255) ** 2;
}
