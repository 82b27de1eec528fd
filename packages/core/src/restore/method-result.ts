import type * as tf from '@tensorflow/tfjs-core';
import type { DecodedInput } from '../image/image-io.js';
import type { RestoreInfo } from './options.js';
import type { ResolvedRestoreOptions } from './resolve-options.js';

/** A restored image `[1, H, W, 3]` in [-1, 1], what happened, and the per-pixel posterior std ([-1, 1] units, HWC). */
export interface MethodResult {
  image: tf.Tensor4D;
  info: Omit<RestoreInfo, 'backend' | 'timeMs'>;
  std?: Float64Array;
}

/** One restore method of `restore()`: the decoded input and the checked options to a result. */
export type RestoreMethodRun = (decoded: DecodedInput, options: ResolvedRestoreOptions) => Promise<MethodResult>;
