import type { DenseMatrix } from '../linalg/dense-matrix.js';

/**
 * A 1-D linear operator from `inLength` to `outLength` samples, as `taps` (index, weight) pairs
 * per output sample: output `o` is `sum_t weights[o * taps + t] * input[indices[o * taps + t]]`.
 */
export interface SparseOperator {
  readonly inLength: number;
  readonly outLength: number;
  readonly taps: number;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
}


/** The operator as a dense `outLength x inLength` matrix (repeated indices add up). */
export function denseOf(op: SparseOperator): DenseMatrix {
  const data = new Float64Array(op.outLength * op.inLength);
  for (let o = 0; o < op.outLength; o++) {
    for (let t = 0; t < op.taps; t++) data[o * op.inLength + op.indices[o * op.taps + t]] += op.weights[o * op.taps + t];
  }
  return { rows: op.outLength, cols: op.inLength, data };
}
