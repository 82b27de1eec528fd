import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
import { installWasmAllocationGuard } from './wasm-allocation-guard.js';

/** tfjs-backend-wasm's own registration priority, kept when a backend replaces its registration. */
export const WASM_PRIORITY = 2;

/**
 * Activate the wasm backend the way both runtimes do: training kernels registered first,
 * `create` registers a backend of its own when none is initialised yet (Node's threaded loader,
 * or the browser's with the loader's error surfaced), then the backend is made active and the
 * allocation guard installed.
 *
 * @throws DifbfsrError `BACKEND` when tfjs cannot make it active.
 */
export async function activateWasmBackend(create: () => Promise<void>): Promise<void> {
  registerWasmTrainingKernels();
  if (tf.engine().registry['wasm'] == null) await create();
  if (!(await tf.setBackend('wasm'))) throw new DifbfsrError('BACKEND', "tf.setBackend('wasm') failed");
  installWasmAllocationGuard();
}

/** Replace tfjs' registration of 'wasm' by `backend`. */
export function registerWasmBackend(backend: tf.KernelBackend): void {
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
}
