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
 * The full eigenvectors `[rank, res*res*3]` from their stored form: int8 left halves (columns
 * `w < res/2`, HWC order) times a per-vector scale, the right half being the mirror image times the
 * vector's parity (+1 or -1): the covariance is flip-symmetric, so each eigenvector is mirror-symmetric
 * or antisymmetric.
 */
export function unpackEigenvectors(halves: Float32Array, scales: Float32Array, parities: Float32Array, res: number): Float32Array {
  const rank = scales.length;
  const half = res / 2;
  const dim = res * res * 3;
  const out = new Float32Array(rank * dim);
  for (let i = 0; i < rank; i++) {
    const s = scales[i];
    const parity = parities[i];
    if (parity !== 1 && parity !== -1) throw new DifbfsrError('CHECKPOINT_FORMAT', `Gaussian face model: eigenvector ${i} has parity ${parity}, expected 1 or -1`);
    for (let h = 0; h < res; h++)
      for (let w = 0; w < half; w++)
        for (let c = 0; c < 3; c++) {
          const v = halves[i * (dim / 2) + (h * half + w) * 3 + c] * s;
          out[i * dim + (h * res + w) * 3 + c] = v;
          out[i * dim + (h * res + (res - 1 - w)) * 3 + c] = parity * v;
        }
  }
  return out;
}

/**
 * A {@link GaussianFaceModel} from a loaded safetensors file (`tools/gaussian-prior/fit.py export`):
 * tensors `mean` `[D]`, `eigenvalues` `[rank]`, `eigenvector_halves` `[rank, D/2]` (int8),
 * `eigenvector_scales` and `eigenvector_parities` `[rank]` (see {@link unpackEigenvectors}), and
 * metadata `format`, `resolution`, `remainder_variance`.
 * @throws DifbfsrError `CHECKPOINT_FORMAT` for another file, `MISSING_TENSOR`/`SHAPE_MISMATCH` for a malformed one.
 */
export function gaussianModelFromStateDict(sd: StateDict, name?: string): GaussianFaceModel {
  if (sd.metadata.format !== GAUSSIAN_MODEL_FORMAT) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `not a Gaussian face model: metadata format is ${JSON.stringify(sd.metadata.format)}, expected ${GAUSSIAN_MODEL_FORMAT}`);
  }
  const resolution = Number(sd.metadata.resolution);
  const remainder = Number(sd.metadata.remainder_variance);
  if (!Number.isInteger(resolution) || resolution < 2 || resolution % 2 !== 0) throw new DifbfsrError('CHECKPOINT_FORMAT', `Gaussian face model: bad resolution ${sd.metadata.resolution}`);
  const dim = resolution * resolution * 3;
  const rank = sd.get('eigenvalues').shape[0] ?? 0;
  return new GaussianFaceModel(
    {
      resolution,
      mean: shapeOf(sd, 'mean', [dim]),
      eigenvalues: Float64Array.from(shapeOf(sd, 'eigenvalues', [rank])),
      eigenvectors: unpackEigenvectors(
        shapeOf(sd, 'eigenvector_halves', [rank, dim / 2]),
        shapeOf(sd, 'eigenvector_scales', [rank]),
        shapeOf(sd, 'eigenvector_parities', [rank]),
        resolution,
      ),
      remainder,
    },
    name ? { name } : {},
  );
}
