import * as tf from '@tensorflow/tfjs-core';
import { applySeparable } from '../image/apply-separable.js';
import { areaMatrix, bicubicMatrix, gaussianMatrix, matMul1D, nearestMatrix, type Matrix1D } from '../image/resize-matrices.js';
import { DifbfsrError } from '../errors.js';

/**
 * A low-pass filter on NHWC images, same size in and out. Pluggable: pass any object with this
 * shape (or a plain function, see `toLowPass`) wherever the pipeline takes a filter.
 */
export interface LowPass {
  /** Name shown in reports. */
  readonly name: string;
  /** Filter a batch of images. Must be differentiable in `x` and must not dispose `x`. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
  /**
   * The filter as a separable linear operator on `height` x `width` images, when it is one. Lets
   * runtimes other than tfjs run it (the ONNX Runtime optimiser of `@difbfsr/onnx`); a filter
   * without it keeps that work on tfjs. The built-in filters have it.
   */
  separable?(height: number, width: number): SeparableOperator;
}

/**
 * A separable linear image operator: every channel `x` becomes `rows * x * cols^T` (`rows` acts
 * on the height, `cols` on the width).
 */
export interface SeparableOperator {
  readonly rows: Matrix1D;
  readonly cols: Matrix1D;
}

/** `then` after `first` as one separable operator (`then.rows * first.rows`, `then.cols * first.cols`). */
export function chainSeparable(first: SeparableOperator, then: SeparableOperator): SeparableOperator {
  return { rows: matMul1D(then.rows, first.rows), cols: matMul1D(then.cols, first.cols) };
}

/** A low-pass given as an object or as a bare function. */
export type LowPassLike = LowPass | ((x: tf.Tensor4D) => tf.Tensor4D);

/** Normalise a {@link LowPassLike} to a {@link LowPass}. */
export function toLowPass(f: LowPassLike): LowPass {
  return typeof f === 'function' ? { name: f.name || 'custom', apply: f } : f;
}

/** A separable linear low-pass built from per-size 1-D operators (cached per image size). */
function separableLowPass(name: string, op: (size: number) => Matrix1D): LowPass {
  const cache = new Map<number, Matrix1D>();
  const get = (n: number): Matrix1D => {
    let m = cache.get(n);
    if (!m) {
      m = op(n);
      cache.set(n, m);
    }
    return m;
  };
  return { name, apply: (x) => applySeparable(x, get(x.shape[1]), get(x.shape[2])), separable: (height, width) => ({ rows: get(height), cols: get(width) }) };
}

/**
 * The paper's `P_f`: area-downsample by `f`, then upsample back by bicubic interpolation (default)
 * or nearest replication (`'nearest'`, the DDNM variant `A^+ A`).
 */
export function downUpLowPass(factor: number, up: 'bicubic' | 'nearest' = 'bicubic'): LowPass {
  if (!Number.isInteger(factor) || factor < 1) throw new DifbfsrError('INVALID_OPTION', `low-pass factor must be a positive integer, got ${factor}`);
  return separableLowPass(`area-down x${factor} + ${up}-up`, (n) => {
    if (n % factor !== 0) throw new DifbfsrError('INVALID_SIZE', `image size ${n} is not a multiple of the low-pass factor ${factor}`);
    const down = areaMatrix(n, n / factor);
    const upM = up === 'bicubic' ? bicubicMatrix(n / factor, n) : nearestMatrix(n / factor, n);
    return matMul1D(upM, down);
  });
}

/** Gaussian blur with standard deviation `sigma` pixels (renormalised at borders). */
export function gaussianLowPass(sigma: number): LowPass {
  if (!(sigma >= 0)) throw new DifbfsrError('INVALID_OPTION', `sigma must be >= 0, got ${sigma}`);
  return separableLowPass(`gaussian(sigma=${sigma})`, (n) => gaussianMatrix(n, sigma));
}

/** The identity filter (for example to disable the LR low-pass of the loss). */
export const identityLowPass: LowPass = {
  name: 'identity',
  apply: (x) => tf.clone(x),
  separable: (height, width) => ({ rows: gaussianMatrix(height, 0), cols: gaussianMatrix(width, 0) }),
};
