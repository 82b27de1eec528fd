import { DifbfsrError } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../../image.js';
import { symmetricPseudoInverse } from '@difbfsr/core';
import { lumaY, NIQE_BLOCK_SIZE, niqeBlockFeatures } from './niqe-features.js';
import { loadNiqeModel, type NiqeModel } from './pristine-model.js';

/** Column means ignoring NaN (MATLAB `nanmean`). */
function nanMean(rows: number[][], dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    let s = 0;
    let n = 0;
    for (const r of rows) if (!Number.isNaN(r[j])) (s += r[j]), n++;
    mean[j] = s / n;
  }
  return mean;
}

/** Covariance of the rows without NaN (MATLAB `nancov`): `1 / (n - 1)`, or `1 / n` for one row. */
function nanCovariance(rows: number[][], dim: number): Float64Array {
  const complete = rows.filter((r) => r.every((v) => !Number.isNaN(v)));
  if (complete.length === 0) throw new DifbfsrError('INVALID_INPUT', 'NIQE: every block has undefined features (a flat image?)');
  const mean = nanMean(complete, dim);
  const cov = new Float64Array(dim * dim);
  for (const r of complete) for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) cov[j * dim + k] += (r[j] - mean[j]) * (r[k] - mean[k]);
  const norm = complete.length > 1 ? complete.length - 1 : 1;
  return cov.map((v) => v / norm);
}

/**
 * NIQE (Mittal et al. 2013) of a uint8 RGB image, as the MATLAB release computes it on the Y
 * channel with no border crop: 36 features per 96 px block at two scales, fitted with a
 * multivariate Gaussian, and its distance to the pristine model,
 * `sqrt((mu_p - mu_d)^T pinv((S_p + S_d) / 2) (mu_p - mu_d))`. Lower is more natural.
 * Meaningful only with many blocks: use it on 256 px faces and whole photos.
 * @throws DifbfsrError `INVALID_SIZE` for an image smaller than one 96x96 block.
 */
export function niqe(img: RgbImage, model: NiqeModel = loadNiqeModel()): number {
  checkRgb(img, 'NIQE input');
  if (img.width < NIQE_BLOCK_SIZE || img.height < NIQE_BLOCK_SIZE) {
    throw new DifbfsrError('INVALID_SIZE', `NIQE needs an image of at least one ${NIQE_BLOCK_SIZE}x${NIQE_BLOCK_SIZE} block, got ${img.width}x${img.height}`);
  }
  const rows = niqeBlockFeatures(lumaY(img), model.window, model.windowSize);
  const dim = model.mean.length;
  const mean = nanMean(rows, dim);
  const cov = nanCovariance(rows, dim);
  const pooled = model.covariance.map((v, i) => (v + cov[i]) / 2);
  const inverse = symmetricPseudoInverse(pooled, dim);
  let q = 0;
  for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) q += (model.mean[j] - mean[j]) * inverse[j * dim + k] * (model.mean[k] - mean[k]);
  return Math.sqrt(q);
}
