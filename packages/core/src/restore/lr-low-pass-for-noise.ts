import { gaussianLowPass, type LowPass } from '../filters/low-pass.js';

/** Default of `RestoreOptions.lrSigmaPerNoise`. */
export const DEFAULT_LR_SIGMA_PER_NOISE = 0;

/**
 * The default LR low-pass `L` of the contraction's data term for an input whose effective noise is
 * `noise` (0..255 scale, JPEG included): Gaussian with sigma `1 + perNoise * noise` LR pixels. The
 * data term is a plain fit (Adam does not see a constant weight), so the noise can only act through
 * what the fit looks at: a wider `L` leaves more of a noisy input's high band unexplained.
 */
export function lrLowPassForNoise(noise: number, perNoise: number): LowPass {
  return gaussianLowPass(1 + perNoise * noise);
}
