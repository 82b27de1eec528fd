import {
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';
import { createWasmConv2DBackpropInputConfig } from './wasm-conv2d-backprop-input.js';

/** Input-gradient kernels this module registered, so that a second call does not wrap its own. */
const ownInputKernels = new WeakSet<KernelFunc>();

/**
 * Registers the kernels that per-image optimisation (`tf.grad` through
 * `tf.conv2d`) needs on the wasm backend:
 * - `Conv2DBackpropFilter`, missing from tfjs-backend-wasm 4.22;
 * - a faster `Conv2DBackpropInput` (forward-convolution formulation), replacing
 *   the original, which stays in use for the shapes the new one delegates.
 *
 * Idempotent. Call it after `@tensorflow/tfjs-backend-wasm` has been imported,
 * before or after the backend is initialised.
 *
 * @throws DifbfsrError `BACKEND` when the wasm kernels are not registered.
 */
export function registerWasmTrainingKernels(): void {
  const inputKernel = getKernel(Conv2DBackpropInput, 'wasm');
  if (inputKernel == null) {
    throw new DifbfsrError(
      'BACKEND',
      "The wasm kernels are not registered: import '@tensorflow/tfjs-backend-wasm' before registerWasmTrainingKernels()",
    );
  }
  if (!ownInputKernels.has(inputKernel.kernelFunc)) {
    const replacement = createWasmConv2DBackpropInputConfig(inputKernel);
    ownInputKernels.add(replacement.kernelFunc);
    unregisterKernel(Conv2DBackpropInput, 'wasm');
    registerKernel(replacement);
  }
  if (getKernel(Conv2DBackpropFilter, 'wasm') == null) registerKernel(wasmConv2DBackpropFilterConfig);
}
