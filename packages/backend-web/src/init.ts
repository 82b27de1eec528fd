import * as tf from '@tensorflow/tfjs-core';
import { activateCpu, checkPrefer, checkThreads, startFirstBackend } from '@difbfsr/backend-common';
import { activateWasm, type WasmPaths } from './activate-wasm.js';
import { WEB_BACKENDS, type ActiveBackend, type WebBackendName } from './backend-choice.js';

/** Options of {@link init}. */
export interface InitOptions {
  /** Backends to try, in order; default `['wasm', 'cpu']`. */
  prefer?: WebBackendName[];
  /**
   * WASM threads (1 to 8) on cross-origin-isolated pages; tfjs caps it at half
   * of `navigator.hardwareConcurrency`, which is also the default. Ignored on
   * other pages (1 thread).
   */
  threads?: number;
  /**
   * Where the `.wasm` binaries are served (tfjs' `setWasmPaths`): a folder URL
   * ending in '/', or a map from each binary's name to its URL. Default: next
   * to the bundled script.
   */
  wasmPaths?: WasmPaths;
}

/**
 * Picks and activates the tfjs backend for @difbfsr/core in a browser: the
 * first of `prefer` that starts, and registers what training needs: tfjs-core's
 * gradients and, on WASM, the training kernels and allocation guard of @difbfsr/backend-common.
 *
 * @returns the active backend, its threads and SIMD use, and why preferred
 *   backends before it were skipped.
 * @throws DifbfsrError `INVALID_OPTION` for bad options; `BACKEND` listing
 *   every backend's failure when none starts.
 */
export async function init(options: InitOptions = {}): Promise<ActiveBackend> {
  const prefer = checkPrefer(options.prefer, WEB_BACKENDS);
  checkThreads(options.threads);
  if (tf.getGradient(tf.Conv2D) == null) await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  const started = await startFirstBackend(prefer, (name): Promise<{ threads: number; simd: boolean | null }> =>
    name === 'wasm' ? activateWasm(options.wasmPaths, options.threads) : activateCpu(),
  );
  const crossOriginIsolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return { name: started.name, tfBackend: started.tfBackend, ...started.activated, crossOriginIsolated, skipped: started.skipped };
}
