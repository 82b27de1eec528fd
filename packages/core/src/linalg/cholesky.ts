import { DifbfsrError } from '../errors.js';

/**
 * Cholesky factor `L` (lower triangular, row-major, upper part zero) of a symmetric positive
 * definite `n x n` matrix, of which only the lower triangle is read.
 * @throws DifbfsrError `NON_FINITE` when the matrix is not positive definite (or holds NaN).
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = a[rowJ + j];
    for (let k = 0; k < j; k++) d -= l[rowJ + k] * l[rowJ + k];
    if (!(d > 0)) throw new DifbfsrError('NON_FINITE', `matrix is not positive definite (pivot ${j} is ${d})`);
    const ljj = Math.sqrt(d);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j];
      for (let k = 0; k < j; k++) s -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = s / ljj;
    }
  }
  return l;
}

/** Solve `L z = b` (forward substitution) for a lower-triangular row-major `L`. */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const row = i * n;
    for (let k = 0; k < i; k++) s -= l[row + k] * z[k];
    z[i] = s / l[row + i];
  }
  return z;
}

/** Solve `L^T x = z` (back substitution) for a lower-triangular row-major `L`. */
export function solveLowerTransposed(l: Float64Array, n: number, z: Float64Array): Float64Array {
  const x = Float64Array.from(z);
  for (let i = n - 1; i >= 0; i--) {
    x[i] /= l[i * n + i];
    const xi = x[i];
    for (let k = 0; k < i; k++) x[k] -= l[i * n + k] * xi;
  }
  return x;
}

/** Solve `A x = b` given the Cholesky factor `L` of `A`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  return solveLowerTransposed(l, n, solveLower(l, n, b));
}
