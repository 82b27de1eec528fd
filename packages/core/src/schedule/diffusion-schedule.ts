import { DifbfsrError } from '../errors.js';
import { linearBetas } from './beta-schedules.js';
import { spaceTimesteps } from './space-timesteps.js';

/**
 * A noise schedule: the betas of a (possibly respaced) chain and the original timestep each step
 * stands for. Researchers can pass their own: only `betas` and `timesteps` are required, every
 * derived table is computed by {@link diffusionTables}.
 */
export interface Schedule {
  /** `beta_k` of the chain, float64. */
  readonly betas: Float64Array;
  /** Original-scale timestep `tau_k` of step k (what the network is called with). */
  readonly timesteps: readonly number[];
}

/** Every schedule-derived table of guided-diffusion's `GaussianDiffusion`, in float64. */
export interface DiffusionTables extends Schedule {
  readonly alphas: Float64Array;
  readonly alphasCumprod: Float64Array;
  readonly alphasCumprodPrev: Float64Array;
  /** `beta_k (1 - abar_{k-1}) / (1 - abar_k)` (eq. 8's variance). */
  readonly posteriorVariance: Float64Array;
  /** `log(posteriorVariance)` with index 0 replaced by index 1 (the first value is 0). */
  readonly posteriorLogVarianceClipped: Float64Array;
  /** `beta_k sqrt(abar_{k-1}) / (1 - abar_k)`: weight of x0 in the posterior mean (eq. 8). */
  readonly posteriorMeanCoef1: Float64Array;
  /** `(1 - abar_{k-1}) sqrt(alpha_k) / (1 - abar_k)`: weight of x_t in the posterior mean (eq. 8). */
  readonly posteriorMeanCoef2: Float64Array;
}

/** Derive every table from a schedule (guided-diffusion `GaussianDiffusion.__init__`). */
export function diffusionTables(schedule: Schedule): DiffusionTables {
  const { betas, timesteps } = schedule;
  const n = betas.length;
  if (n === 0 || timesteps.length !== n) {
    throw new DifbfsrError('INVALID_OPTION', `A schedule needs one timestep per beta (got ${n} betas, ${timesteps.length} timesteps)`);
  }
  for (let i = 0; i < n; i++) {
    if (!(betas[i] > 0 && betas[i] <= 1)) {
      throw new DifbfsrError('INVALID_OPTION', `betas must lie in (0, 1]; betas[${i}] = ${betas[i]}`);
    }
  }
  const alphas = new Float64Array(n);
  const alphasCumprod = new Float64Array(n);
  const alphasCumprodPrev = new Float64Array(n);
  const posteriorVariance = new Float64Array(n);
  const posteriorLogVarianceClipped = new Float64Array(n);
  const posteriorMeanCoef1 = new Float64Array(n);
  const posteriorMeanCoef2 = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    alphas[i] = 1 - betas[i];
    alphasCumprodPrev[i] = prod;
    prod *= alphas[i];
    alphasCumprod[i] = prod;
  }
  for (let i = 0; i < n; i++) {
    const denom = 1 - alphasCumprod[i];
    posteriorVariance[i] = (betas[i] * (1 - alphasCumprodPrev[i])) / denom;
    posteriorMeanCoef1[i] = (betas[i] * Math.sqrt(alphasCumprodPrev[i])) / denom;
    posteriorMeanCoef2[i] = ((1 - alphasCumprodPrev[i]) * Math.sqrt(alphas[i])) / denom;
  }
  for (let i = 0; i < n; i++) {
    posteriorLogVarianceClipped[i] = Math.log(i === 0 && n > 1 ? posteriorVariance[1] : posteriorVariance[i]);
  }
  return {
    betas,
    timesteps,
    alphas,
    alphasCumprod,
    alphasCumprodPrev,
    posteriorVariance,
    posteriorLogVarianceClipped,
    posteriorMeanCoef1,
    posteriorMeanCoef2,
  };
}

/** The full (unrespaced) chain of a set of betas: timestep k is k. */
export function fullSchedule(betas: Float64Array): Schedule {
  return { betas, timesteps: Array.from(betas, (_, i) => i) };
}

/**
 * Respace a base chain (guided-diffusion `SpacedDiffusion`): keep the timesteps chosen by
 * {@link spaceTimesteps} and rebuild `beta'_k = 1 - abar[tau_k] / abar[tau_{k-1}]`.
 */
export function respace(baseBetas: Float64Array, spec: string | readonly number[]): Schedule {
  const keep = new Set(spaceTimesteps(baseBetas.length, spec));
  const betas: number[] = [];
  const timesteps: number[] = [];
  let abar = 1;
  let lastKept = 1;
  for (let i = 0; i < baseBetas.length; i++) {
    abar *= 1 - baseBetas[i];
    if (keep.has(i)) {
      betas.push(1 - abar / lastKept);
      lastKept = abar;
      timesteps.push(i);
    }
  }
  return { betas: Float64Array.from(betas), timesteps };
}

/** The schedule every public face prior uses: linear, T = 1000, respaced by `spec` ("250" by default). */
export function linearSchedule(spec: string | readonly number[] = '250', numTimesteps = 1000): Schedule {
  return respace(linearBetas(numTimesteps), spec);
}
