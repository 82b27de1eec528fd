import { DifbfsrError, symmetricEigen, symmetricFunction } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import { frechetDistance, gaussianFit } from './frechet-distance.js';

/** Mahalanobis² of the 99th percentile of a 3-D Gaussian (chi-square, 3 degrees of freedom). */
export const CHI2_3_P99 = 11.3449;

/** How the per-image mean colours of a set of images compare with those of a reference set. */
export interface ColourCastStats {
  /** Squared Fréchet distance between the Gaussian fits of the two sets' mean colours (0..255 units²). */
  frechet: number;
  /** Mean over the images of their mean R, G, B (0..255). */
  meanRgb: [number, number, number];
  /** The same for the reference images. */
  referenceMeanRgb: [number, number, number];
  /**
   * Share of the images whose mean colour lies outside the reference's 99% ellipsoid (Mahalanobis²
   * under the reference's mean-colour Gaussian above {@link CHI2_3_P99}): about 0.01 for images
   * from the reference's distribution, more for colour casts.
   */
  outsideShare: number;
}

/** The mean R, G, B (0..255) of each image. */
export function meanColours(images: readonly RgbImage[]): Float64Array[] {
  return images.map((img, i) => {
    const { data } = checkRgb(img, `image ${i}`);
    const sum = new Float64Array(3);
    for (let p = 0; p < data.length; p += 3) for (let c = 0; c < 3; c++) sum[c] += data[p + c];
    return sum.map((s) => s / (data.length / 3));
  });
}

/**
 * Colour casts of `images` (e.g. a generator's samples) against `reference` images (real faces):
 * the per-image mean colour's distribution, compared by its Fréchet distance, the mean colours and
 * the share outside the reference's 99% ellipsoid.
 * @throws DifbfsrError `INVALID_INPUT` for fewer than two images in a set or malformed images, and
 *   when the reference's mean colours have no spread (a singular covariance).
 */
export function colourCastStats(images: readonly RgbImage[], reference: readonly RgbImage[]): ColourCastStats {
  const colours = meanColours(images);
  const a = gaussianFit(colours);
  const b = gaussianFit(meanColours(reference));
  const eigen = symmetricEigen(b.covariance, 3);
  if (eigen.values.some((v) => !(v > 1e-12))) throw new DifbfsrError('INVALID_INPUT', 'the reference images\' mean colours have no spread in some direction');
  const inverse = symmetricFunction(eigen, (v) => 1 / v);
  let outside = 0;
  for (const m of colours) {
    const d = [0, 1, 2].map((c) => m[c] - b.mean[c]);
    let q = 0;
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) q += d[j] * inverse[j * 3 + k] * d[k];
    if (q > CHI2_3_P99) outside++;
  }
  const triple = (v: Float64Array): [number, number, number] => [v[0], v[1], v[2]];
  return { frechet: frechetDistance(a, b), meanRgb: triple(a.mean), referenceMeanRgb: triple(b.mean), outsideShare: outside / images.length };
}
