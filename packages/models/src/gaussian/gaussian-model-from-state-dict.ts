import { DifbfsrError, GaussianFaceModel } from '@difbfsr/core';
import type { StateDict } from '../checkpoint/types.js';

/** The `format` metadata value of a Gaussian face model file (`tools/gaussian-prior/fit.py export`). */
export const GAUSSIAN_MODEL_FORMAT = 'difbfsr-gaussian-face-model/1';

function shapeOf(sd: StateDict, name: string, expected: readonly number[]): Float32Array {
  const entry = sd.get(name);
  if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
    throw new DifbfsrError('SHAPE_MISMATCH', `Gaussian face model: tensor ${name} has shape [${entry.shape}], expected [${expected}]`);
  }
  return entry.toFloat32();
}

/**
 * A {@link GaussianFaceModel} from a loaded safetensors file with tensors `mean` `[D]`,
 * `eigenvalues` `[rank]`, `eigenvectors` `[rank, D]` and metadata `format`, `resolution`,
 * `remainder_variance`.
 * @throws DifbfsrError `CHECKPOINT_FORMAT` for another file, `MISSING_TENSOR`/`SHAPE_MISMATCH` for a malformed one.
 */
export function gaussianModelFromStateDict(sd: StateDict, name?: string): GaussianFaceModel {
  if (sd.metadata.format !== GAUSSIAN_MODEL_FORMAT) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `not a Gaussian face model: metadata format is ${JSON.stringify(sd.metadata.format)}, expected ${GAUSSIAN_MODEL_FORMAT}`);
  }
  const resolution = Number(sd.metadata.resolution);
  const remainder = Number(sd.metadata.remainder_variance);
  if (!Number.isInteger(resolution) || resolution < 1) throw new DifbfsrError('CHECKPOINT_FORMAT', `Gaussian face model: bad resolution ${sd.metadata.resolution}`);
  const dim = resolution * resolution * 3;
  const rank = sd.get('eigenvalues').shape[0] ?? 0;
  return new GaussianFaceModel(
    {
      resolution,
      mean: shapeOf(sd, 'mean', [dim]),
      eigenvalues: Float64Array.from(shapeOf(sd, 'eigenvalues', [rank])),
      eigenvectors: shapeOf(sd, 'eigenvectors', [rank, dim]),
      remainder,
    },
    name ? { name } : {},
  );
}
