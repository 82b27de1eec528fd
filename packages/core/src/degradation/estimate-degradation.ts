import { decodeInput, type ImageInput } from '../image/image-io.js';
import { getDefaultDegradationEstimator } from '../runtime/face-model.js';
import type { DegradationEstimator } from './degradation-estimator.js';
import type { Degradation } from './degradation-operator.js';

/**
 * Estimate, blind, how a low-resolution face was degraded: the Gaussian blur (HR pixels) and the
 * effective noise level (0..255 scale, JPEG included), with `estimator` or the registered default
 * (the bundled one of `@difbfsr/models`, trained for 16x16 faces at scale 4).
 * @param input the LR face (as `restore()` takes it)
 */
export async function estimateDegradation(input: ImageInput, options: { estimator?: DegradationEstimator } = {}): Promise<Degradation> {
  const estimator = options.estimator ?? (await getDefaultDegradationEstimator());
  const decoded = decodeInput(input);
  try {
    return await estimator.estimate(decoded.rgb);
  } finally {
    decoded.rgb.dispose();
    decoded.alpha?.dispose();
  }
}
