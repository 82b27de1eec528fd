import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Loads a native TensorFlow binding (an optional peer dependency) and makes
 * its 'tensorflow' backend active.
 *
 * @param packageName '@tensorflow/tfjs-node' or '@tensorflow/tfjs-node-gpu'.
 * @throws when the package is not installed or its backend does not start.
 */
export async function activateTfjsNode(packageName: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<void> {
  // A non-literal specifier keeps bundlers and the type checker from requiring the optional package.
  const specifier: string = packageName;
  await import(specifier);
  if (!(await tf.setBackend('tensorflow'))) throw new DifbfsrError('BACKEND', `${packageName} is installed but its 'tensorflow' backend did not start`);
}
