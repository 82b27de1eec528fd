import { gamma } from './gamma.js';

/** Parameters of an asymmetric generalised Gaussian distribution (Lasmar et al. 2009). */
export interface AggdFit {
  /** Shape. */
  readonly alpha: number;
  /** Left and right scales. */
  readonly betaLeft: number;
  readonly betaRight: number;
}

/** NIQE's search grid for the shape: 0.2:0.001:10 (9801 values, as `numpy.arange(0.2, 10.001, 0.001)`). */
const SHAPES = Float64Array.from({ length: 9801 }, (_, i) => 0.2 + i * 0.001);
/** `Γ(2/a)^2 / (Γ(1/a) Γ(3/a))` for every shape on the grid. */
const RATIOS = SHAPES.map((a) => gamma(2 / a) ** 2 / (gamma(1 / a) * gamma(3 / a)));

/**
 * Moment-matching AGGD fit of NIQE's MATLAB release (`estimateaggdparam`): left / right standard
 * deviations of the negative / positive values, the generalised Gaussian ratio corrected for their
 * asymmetry, and the grid shape whose ratio is closest. With no negative or no positive value the
 * scales are NaN (and the shape the grid's first, as MATLAB's `min` over NaN gives).
 */
export function fitAggd(values: ArrayLike<number>): AggdFit {
  let leftSq = 0;
  let leftN = 0;
  let rightSq = 0;
  let rightN = 0;
  let abs = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) (leftSq += v * v), leftN++;
    else if (v > 0) (rightSq += v * v), rightN++;
    abs += Math.abs(v);
  }
  const n = values.length;
  const leftStd = Math.sqrt(leftSq / leftN);
  const rightStd = Math.sqrt(rightSq / rightN);
  const g = leftStd / rightStd;
  const rhat = (abs / n) ** 2 / ((leftSq + rightSq) / n);
  const rhatNorm = (rhat * (g ** 3 + 1) * (g + 1)) / (g ** 2 + 1) ** 2;
  let best = 0;
  let bestError = Infinity;
  for (let i = 0; i < RATIOS.length; i++) {
    const e = (RATIOS[i] - rhatNorm) ** 2;
    if (e < bestError) (bestError = e), (best = i);
  }
  const alpha = SHAPES[best];
  const scale = Math.sqrt(gamma(1 / alpha) / gamma(3 / alpha));
  return { alpha, betaLeft: leftStd * scale, betaRight: rightStd * scale };
}
