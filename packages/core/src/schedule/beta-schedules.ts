import { DifbfsrError } from '../errors.js';

/**
 * Linear beta schedule of Ho et al., as guided-diffusion's `get_named_beta_schedule("linear")`:
 * `linspace(scale * 1e-4, scale * 0.02, T)` with `scale = 1000 / T`, in float64.
 */
export function linearBetas(numTimesteps = 1000): Float64Array {
  assertCount(numTimesteps);
  const scale = 1000 / numTimesteps;
  const start = scale * 1e-4;
  const end = scale * 0.02;
  const betas = new Float64Array(numTimesteps);
  if (numTimesteps === 1) {
    betas[0] = start;
    return betas;
  }
  // numpy.linspace: start + i * step, with the last element set to `end` exactly.
  const step = (end - start) / (numTimesteps - 1);
  for (let i = 0; i < numTimesteps; i++) betas[i] = start + i * step;
  betas[numTimesteps - 1] = end;
  return betas;
}

/**
 * Cosine schedule of Nichol & Dhariwal (improved DDPM):
 * `beta_i = min(1 - abar((i+1)/T) / abar(i/T), maxBeta)`, `abar(u) = cos((u + 0.008) / 1.008 * pi / 2)^2`.
 */
export function cosineBetas(numTimesteps = 1000, maxBeta = 0.999): Float64Array {
  assertCount(numTimesteps);
  const alphaBar = (u: number): number => Math.cos(((u + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const betas = new Float64Array(numTimesteps);
  for (let i = 0; i < numTimesteps; i++) {
    const t1 = i / numTimesteps;
    const t2 = (i + 1) / numTimesteps;
    betas[i] = Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
  }
  return betas;
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new DifbfsrError('INVALID_OPTION', `numTimesteps must be a positive integer, got ${n}`);
  }
}
