import { gaussianLowPass, type LowPass } from '../filters/low-pass.js';

/** The LR low-pass of the data term when the input's noise is unknown (no degradation): Gaussian, sigma 1 LR pixel. */
export const UNKNOWN_NOISE_LR_SIGMA = 1;

/**
 * The default LR low-pass `L` of the contraction's data term for an input whose effective noise is
 * `noise` (0..255 scale, JPEG included; `undefined`: unknown): Gaussian with sigma
 * `perNoise * noise` LR pixels (the identity for a clean input), or {@link UNKNOWN_NOISE_LR_SIGMA}.
 * The data term is a plain fit (Adam does not see a constant weight), so the noise can only act
 * through what the fit looks at: a wider `L` leaves more of a noisy input's high band unexplained,
 * a narrower one lets a clean input's detail constrain the result.
 */
export function lrLowPassForNoise(noise: number | undefined, perNoise: number): LowPass {
  return gaussianLowPass(noise === undefined ? UNKNOWN_NOISE_LR_SIGMA : perNoise * noise);
}
