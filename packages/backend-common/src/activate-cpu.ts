import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/** Make tfjs' plain-JavaScript cpu backend active (one thread, no SIMD). */
export async function activateCpu(): Promise<{ threads: number; simd: null }> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new DifbfsrError('BACKEND', "tf.setBackend('cpu') failed");
  return { threads: 1, simd: null };
}
