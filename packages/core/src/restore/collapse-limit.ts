/**
 * Smallest bicubic-baseline LR RMSE ([-1, 1] units, about 1.3 grey levels RMS) the collapse check
 * scales by `collapseFactor`. On clean inputs the bicubic baseline misses the input by almost
 * nothing (about 0.003), and a multiple of that would flag ordinary results. Measured on the quality
 * bench (docs/benchmarks.md, 790 restores of #4): ordinary results miss by at most 0.014 with the
 * default LR low-pass, gross collapses by 0.1 to 0.5, and partial ones (striped texture over the
 * face, 1.3 dB below bicubic) by 0.036 and 0.049 where bicubic misses by 0.003 to 0.005.
 */
export const BASELINE_LR_RMSE_FLOOR = 0.01;

/**
 * The largest LR-consistency RMSE a restore may have before it counts as a collapse:
 * `collapseFactor` times the bicubic baseline's, or times {@link BASELINE_LR_RMSE_FLOOR} when the
 * baseline misses by less (or is no baseline: pass 0, as the contraction does when its loss goes
 * through a degradation operator that bicubic does not invert).
 */
export function collapseLimit(baselineLrRmse: number, collapseFactor: number): number {
  return collapseFactor * Math.max(baselineLrRmse, BASELINE_LR_RMSE_FLOOR);
}
