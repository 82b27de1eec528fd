import type { SeparableOperator } from '../filters/low-pass.js';
import { areaMatrix } from '../image/resize-matrices.js';
import { degradationMatrix, toMatrix1D, type Degradation } from './degradation-operator.js';

/**
 * The HR -> LR operator of the contraction's data term on `height` x `width` images, as a separable
 * operator: the degradation operator `D = A (x) A` of `degradation` (its Gaussian blur, then MATLAB
 * bicubic down by `scale`; {@link degradationMatrix}), or, without one, area downsampling by `scale`.
 * @throws DifbfsrError `INVALID_OPTION` for a bad blur or a size that `scale` does not divide.
 */
export function lrProjection(height: number, width: number, scale: number, degradation?: Degradation): SeparableOperator {
  const axis = (n: number) => (degradation ? toMatrix1D(degradationMatrix(n, scale, degradation.blur)) : areaMatrix(n, n / scale));
  return { rows: axis(height), cols: axis(width) };
}
