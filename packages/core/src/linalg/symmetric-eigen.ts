import { DifbfsrError } from '../errors.js';

/** Eigen-decomposition `A = V diag(values) V^T` of a real symmetric matrix. */
export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues, in no particular order. */
  readonly values: Float64Array;
  /** Eigenvectors as the columns of a row-major `n x n` matrix. */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * Eigenvalues and eigenvectors of a symmetric row-major `n x n` matrix by cyclic Jacobi rotations
 * (Golub & Van Loan, Algorithm 8.5.3), in float64; sweeps until the off-diagonal mass is below
 * machine precision relative to the matrix. Only the upper triangle's symmetry is assumed.
 * @throws DifbfsrError `INVALID_SIZE` when `a` is not `n x n`.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new DifbfsrError('INVALID_SIZE', `expected a ${n}x${n} matrix, got ${a.length} values`);
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i] * m[i];
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(m, v, n, p, q, c, s);
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { n, values, vectors: v };
}

/** Apply the Jacobi rotation J(p, q, c, s): `m <- J^T m J`, `v <- v J`. */
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const mkp = m[k * n + p];
    const mkq = m[k * n + q];
    m[k * n + p] = c * mkp - s * mkq;
    m[k * n + q] = s * mkp + c * mkq;
  }
  for (let k = 0; k < n; k++) {
    const mpk = m[p * n + k];
    const mqk = m[q * n + k];
    m[p * n + k] = c * mpk - s * mqk;
    m[q * n + k] = s * mpk + c * mqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p];
    const vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** `V diag(f(values)) V^T`: a function of a symmetric matrix through its eigen-decomposition. */
export function symmetricFunction(e: SymmetricEigen, f: (value: number) => number): Float64Array {
  const { n, values, vectors: v } = e;
  const fv = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k] * fv[k] * v[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  return out;
}

/**
 * Moore-Penrose pseudo-inverse of a symmetric matrix: eigenvalues below `n * eps * max|value|`
 * (MATLAB's `pinv` tolerance) are taken as zero.
 */
export function symmetricPseudoInverse(a: ArrayLike<number>, n: number): Float64Array {
  const e = symmetricEigen(a, n);
  const largest = e.values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const tolerance = n * Number.EPSILON * largest;
  return symmetricFunction(e, (x) => (Math.abs(x) > tolerance ? 1 / x : 0));
}
