import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DifbfsrError } from '@difbfsr/core';
import { activateWasmBackend, registerWasmBackend } from '@difbfsr/backend-common';

/** Where the `.wasm` binaries are served: a folder URL ending in '/', or one URL per binary name. */
export type WasmPaths = string | Record<string, string>;

/**
 * Makes the wasm backend active (tfjs' loader: SIMD when supported, the
 * threaded binary when the page is cross-origin isolated), with the training
 * kernels and the allocation guard installed. `wasmPaths` and `threads` only
 * apply when the backend is created here, not to one already initialised.
 *
 * @throws DifbfsrError `BACKEND` with the loader's own reason (e.g. a binary that could not be fetched).
 */
export async function activateWasm(wasmPaths: WasmPaths | undefined, threads: number | undefined): Promise<{ threads: number; simd: boolean }> {
  await activateWasmBackend(async () => {
    const factory = tf.findBackendFactory('wasm');
    if (factory == null) throw new DifbfsrError('BACKEND', '@tensorflow/tfjs-backend-wasm is not registered');
    if (wasmPaths !== undefined) setWasmPaths(wasmPaths);
    if (threads !== undefined) setThreadsCount(threads);
    // Creating the backend here, not through tf.setBackend, surfaces the loader's error
    // (tf.setBackend only logs it and returns false).
    const backend = await Promise.resolve()
      .then(factory)
      .catch((reason: unknown) => {
        throw new DifbfsrError('BACKEND', reasonOf(reason));
      });
    registerWasmBackend(backend);
  });
  return { threads: getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean };
}

/** tfjs' wasm loader rejects with plain `{ message }` objects as well as Errors. */
function reasonOf(reason: unknown): string {
  if (typeof reason === 'object' && reason !== null && 'message' in reason) return String(reason.message);
  return String(reason);
}
