import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DifbfsrError } from '@difbfsr/core';
import { parseNpz } from './npz.js';

/** NIQE's multivariate Gaussian model of pristine images and its MSCN window. */
export interface NiqeModel {
  /** Mean of the 36 block features. */
  readonly mean: Float64Array;
  /** Their covariance, row-major 36 x 36. */
  readonly covariance: Float64Array;
  /** The MSCN Gaussian window, row-major `windowSize x windowSize`. */
  readonly window: Float64Array;
  readonly windowSize: number;
}

/** The MATLAB release's pristine model shipped with this package (assets/niqe, see its NOTICE.md). */
export const NIQE_MODEL_FILE = fileURLToPath(new URL('../../../assets/niqe/niqe_pris_params.npz', import.meta.url));

let shipped: NiqeModel | undefined;

/**
 * Read a pristine model from a BasicSR-style `.npz` (`mu_pris_param` 1x36, `cov_pris_param`
 * 36x36, `gaussian_window` square); without a path, the shipped one (read once).
 * @throws DifbfsrError `IO` when the file cannot be read, `CHECKPOINT_FORMAT` when it is not such a model.
 */
export function loadNiqeModel(path?: string): NiqeModel {
  if (path === undefined && shipped) return shipped;
  const file = path ?? NIQE_MODEL_FILE;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DifbfsrError('IO', `cannot read the NIQE model ${file}: ${(e as Error).message}`, { cause: e });
  }
  const arrays = parseNpz(bytes, file);
  const [mu, cov, window] = ['mu_pris_param', 'cov_pris_param', 'gaussian_window'].map((k) => arrays.get(k));
  const dim = mu?.data.length ?? 0;
  const windowSize = window?.shape[0] ?? 0;
  if (!mu || !cov || !window || dim !== 36 || cov.data.length !== dim * dim || window.data.length !== windowSize * windowSize) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${file} is not a NIQE model (mu_pris_param 1x36, cov_pris_param 36x36, gaussian_window square)`);
  }
  const model = { mean: mu.data, covariance: cov.data, window: window.data, windowSize };
  if (path === undefined) shipped = model;
  return model;
}
