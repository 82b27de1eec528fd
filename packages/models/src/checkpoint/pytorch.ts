import { DifbfsrError } from '@difbfsr/core';
import type { LoadCheckpointOptions } from './load.js';
import type { ByteSource } from './source.js';
import type { StateDict } from './types.js';

/** Read a PyTorch zip checkpoint. */
export async function readPytorch(src: ByteSource, _options: LoadCheckpointOptions): Promise<StateDict> {
  throw new DifbfsrError('CHECKPOINT_FORMAT', `${src.label}: PyTorch loading is not implemented yet`);
}
