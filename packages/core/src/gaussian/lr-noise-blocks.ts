import { DifbfsrError } from '../errors.js';
import { cholesky, solveLower, solveLowerTransposed } from '../linalg/cholesky.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';

/**
 * `K = c diag(spectrum) (x) I3 + I (x) N`: the LR-space covariance of the isotropic part of a prior
 * seen through `D` plus the noise, in the rotated basis of {@link ObservedGaussianModel}, where it is
 * block diagonal: one 3x3 block `c e_ij I3 + N` per spatial coefficient, `N` the noise's colour
 * covariance. Each block is kept as its Cholesky factor.
 */
export class LrNoiseBlocks {
  /** Lower Cholesky factors, 9 values (row-major 3x3) per spatial coefficient. */
  private readonly factors: Float64Array;
  /** `diag(K_ij^-1)`, 3 values per spatial coefficient. */
  readonly inverseDiagonal: Float64Array;

  /**
   * @param spectrum eigenvalues of `D D^T`, one per rotated LR value (equal within each coefficient's 3 channels)
   * @param noise the noise's 3x3 colour covariance (RGB, [-1, 1] units), row-major
   * @throws DifbfsrError `INVALID_OPTION` when a block is not positive definite (zero noise and `c = 0`).
   */
  constructor(spectrum: Float64Array, c: number, noise: Float64Array) {
    const n = spectrum.length / 3;
    this.factors = new Float64Array(n * 9);
    this.inverseDiagonal = new Float64Array(n * 3);
    for (let s = 0; s < n; s++) {
      const block = Float64Array.from(noise);
      for (let d = 0; d < 3; d++) block[d * 4] += c * spectrum[s * 3];
      let l: Float64Array;
      try {
        l = cholesky(block, 3);
      } catch (e) {
        throw new DifbfsrError('INVALID_OPTION', 'the noise covariance and the prior leave an LR direction with zero variance: give the noise a positive level', { cause: e });
      }
      this.factors.set(l, s * 9);
      for (let d = 0; d < 3; d++) {
        const unit = new Float64Array(3);
        unit[d] = 1;
        this.inverseDiagonal[s * 3 + d] = solveLowerTransposed(l, 3, solveLower(l, 3, unit))[d];
      }
    }
  }

  private apply(v: Float64Array, op: (l: Float64Array, b: Float64Array) => Float64Array): Float64Array {
    const out = new Float64Array(v.length);
    for (let s = 0; s < v.length / 3; s++) out.set(op(this.factors.subarray(s * 9, s * 9 + 9), v.subarray(s * 3, s * 3 + 3)), s * 3);
    return out;
  }

  /** `K^-1 v`. */
  solve(v: Float64Array): Float64Array {
    return this.apply(v, (l, b) => solveLowerTransposed(l, 3, solveLower(l, 3, b)));
  }

  /** `L^-1 v` blockwise (`K = L L^T`), so `|L^-1 v|^2 = v^T K^-1 v`. */
  whiten(v: Float64Array): Float64Array {
    return this.apply(v, (l, b) => solveLower(l, 3, b));
  }
}

/** A square root `S` (`S S^T = N`) of a 3x3 covariance, row-major, for drawing `N(0, N)` noise; semi-definite is fine. */
export function covarianceRoot(noise: Float64Array): Float64Array {
  const { values, vectors } = symmetricEigen(noise, 3);
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = vectors[i * 3 + j] * Math.sqrt(Math.max(0, values[j]));
  return out;
}
