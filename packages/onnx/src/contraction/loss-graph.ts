import type { GraphBuilder } from '../graph/builder.js';
import { separable } from './graph-ops.js';

/** Graph inputs of the loss: `L(y)` and the separable operator `M = L D` and its transpose (`D` the problem's `lrProjection`). */
export const LOSS_INPUTS = { lowY: 'lowY', rows: 'loss.rows', colsT: 'loss.colsT', rowsT: 'loss.rowsT', cols: 'loss.cols' } as const;

/**
 * The loss of eq. 3, `1/2 mean((M x_hat - L(y))^2)`, with `M` the LR low-pass after the HR -> LR
 * projection `D` as one separable operator; also returns the residual `M x_hat - L(y)`.
 */
export function fidelityLoss(g: GraphBuilder, xHat: string): { loss: string; residual: string } {
  const residual = g.op('Sub', [separable(g, xHat, LOSS_INPUTS.rows, LOSS_INPUTS.colsT), LOSS_INPUTS.lowY]);
  const loss = g.op('Mul', [g.op('ReduceMean', [g.op('Mul', [residual, residual])], { keepdims: { int: 0 } }), g.float32([0.5])]);
  return { loss, residual };
}

/** The gradient of {@link fidelityLoss} with respect to `x_hat`: `M^T residual / n`, `n` the number of LR values. */
export function fidelityLossGrad(g: GraphBuilder, residual: string, lrValues: number): string {
  return separable(g, g.op('Mul', [residual, g.float32([1 / lrValues])]), LOSS_INPUTS.rowsT, LOSS_INPUTS.cols);
}
