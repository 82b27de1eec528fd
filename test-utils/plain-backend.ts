import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Switch backends without registering gradients (test-utils/backends' gradient import costs seconds). */
export async function usePlainBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
}

/** The DifbfsrError `fn` throws (any other outcome fails the test). */
export function errorOf(fn: () => unknown): DifbfsrError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DifbfsrError) return e;
    throw e;
  }
  throw new Error('expected a DifbfsrError');
}
