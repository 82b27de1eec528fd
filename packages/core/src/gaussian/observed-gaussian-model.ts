import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { applySeparable } from '../image/apply-separable.js';
import { toMatrix1D } from '../degradation/degradation-operator.js';
import { multiplyMatrices, transposeMatrix, type DenseMatrix } from '../linalg/dense-matrix.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import type { GaussianFaceModel } from './gaussian-face-model.js';

/**
 * `M^T X M` for every channel of an HWC image `x` (`n x n x 3`) and a `n x k` matrix `M`: a `k x k x 3`
 * image. With `M = G` it maps an HR image to rotated LR coefficients; with `M = G^T` it lifts them back.
 */
export function sandwich(x: Float64Array, m: DenseMatrix): Float64Array {
  const n = m.rows;
  const k = m.cols;
  const tmp = new Float64Array(k * n * 3);
  for (let a = 0; a < n; a++)
    for (let i = 0; i < k; i++) {
      const mai = m.data[a * k + i];
      if (mai === 0) continue;
      for (let b = 0; b < n; b++) {
        const src = (a * n + b) * 3;
        const dst = (i * n + b) * 3;
        tmp[dst] += mai * x[src];
        tmp[dst + 1] += mai * x[src + 1];
        tmp[dst + 2] += mai * x[src + 2];
      }
    }
  const out = new Float64Array(k * k * 3);
  for (let i = 0; i < k; i++)
    for (let b = 0; b < n; b++) {
      const src = (i * n + b) * 3;
      for (let j = 0; j < k; j++) {
        const mbj = m.data[b * k + j];
        if (mbj === 0) continue;
        const dst = (i * k + j) * 3;
        out[dst] += mbj * tmp[src];
        out[dst + 1] += mbj * tmp[src + 1];
        out[dst + 2] += mbj * tmp[src + 2];
      }
    }
  return out;
}

/**
 * A {@link GaussianFaceModel} seen through a separable degradation `D = A (x) A` (each colour
 * channel alike), in the eigenbasis `Q = P (x) P` of `D D^T` (`A A^T = P diag(e) P^T`), where the
 * isotropic part of every covariance stays diagonal:
 * - `observe(x) = Q^T D x` (rotated LR coefficients of an HR image), `rotate(y) = Q^T y`,
 *   `lift(w) = D^T Q w`;
 * - `spectrum`: the eigenvalues of `D D^T`, one per rotated LR coefficient;
 * - `basis`: `V = (Q^T D U)^T`, the model's eigenvectors seen through `D`, `[rank, lr^2 * 3]`.
 * Plain arrays; nothing to dispose.
 */
export class ObservedGaussianModel {
  readonly hrSize: number;
  readonly lrSize: number;
  /** Rotated LR coefficients: `lrSize^2 * 3`. */
  readonly size: number;
  readonly spectrum: Float64Array;
  readonly basis: Float64Array;
  /** `observe(mean)`. */
  readonly observedMean: Float64Array;
  /** `G = A^T P`, `[hrSize, lrSize]`: `D^T Q = G (x) G (x) I3`. */
  readonly liftFactor: DenseMatrix;
  private readonly gT: DenseMatrix;
  private readonly p: DenseMatrix;

  /**
   * @param a the 1-D factor of `D`, `[lrSize, hrSize]` (see `degradationMatrix`).
   * @throws DifbfsrError `INVALID_SIZE` when `a` does not act on the model's resolution.
   */
  constructor(readonly model: GaussianFaceModel, a: DenseMatrix) {
    if (a.cols !== model.resolution) {
      throw new DifbfsrError('INVALID_SIZE', `degradation operator acts on ${a.cols} px, the Gaussian face model on ${model.resolution} px`);
    }
    this.hrSize = a.cols;
    this.lrSize = a.rows;
    this.size = a.rows * a.rows * 3;
    const h = a.rows;
    const eig = symmetricEigen(multiplyMatrices(a, transposeMatrix(a)).data, h);
    this.p = { rows: h, cols: h, data: eig.vectors };
    this.liftFactor = multiplyMatrices(transposeMatrix(a), this.p);
    this.gT = transposeMatrix(this.liftFactor);
    this.spectrum = new Float64Array(this.size);
    for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) this.spectrum.fill(eig.values[i] * eig.values[j], (i * h + j) * 3, (i * h + j) * 3 + 3);
    this.observedMean = this.observe(Float64Array.from(model.data.mean));
    this.basis = this.observeBasis();
  }

  private observeBasis(): Float64Array {
    const { rank, resolution: n } = this.model;
    const op = toMatrix1D(this.gT);
    const observed = tf.tidy(() => applySeparable(tf.reshape(this.model.basisTensor, [rank, n, n, 3]) as tf.Tensor4D, op, op));
    const out = Float64Array.from(observed.dataSync());
    observed.dispose();
    return out;
  }

  /** `Q^T D x` of an HR image (HWC-flattened). */
  observe(x: Float64Array): Float64Array {
    return sandwich(x, this.liftFactor);
  }

  /** `Q^T y` of an LR image (HWC-flattened). */
  rotate(y: Float64Array): Float64Array {
    return sandwich(y, this.p);
  }

  /** `D^T Q w` of rotated LR coefficients: an HR image. */
  lift(w: Float64Array): Float64Array {
    return sandwich(w, this.gT);
  }
}
