import { DifbfsrError } from '../errors.js';

/** A dense row-major float64 matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** The `n x n` identity. */
export function identityMatrix(n: number): DenseMatrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { rows: n, cols: n, data };
}

/** `a * b`. */
export function multiplyMatrices(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  if (a.cols !== b.rows) throw new DifbfsrError('INVALID_SIZE', `matrix shapes do not chain: ${a.rows}x${a.cols} * ${b.rows}x${b.cols}`);
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik !== 0) for (let j = 0; j < b.cols; j++) data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  return { rows: a.rows, cols: b.cols, data };
}

/** The transpose. */
export function transposeMatrix(m: DenseMatrix): DenseMatrix {
  const data = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data };
}
