import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import { activateWasm, type WasmPaths } from './activate-wasm.js';
import { WEB_BACKENDS, type ActiveBackend, type BackendFailure, type WebBackendName } from './backend-choice.js';

/** XNNPACK's thread pool in tfjs-backend-wasm 4.22 holds at most this many threads. */
const MAX_WASM_THREADS = 8;

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
 * gradients and, on WASM, the training kernels and heap guard of @difbfsr/core.
 *
 * @returns the active backend, its threads and SIMD use, and why preferred
 *   backends before it were skipped.
 * @throws DifbfsrError `INVALID_OPTION` for bad options; `BACKEND` listing
 *   every backend's failure when none starts.
 */
export async function init(options: InitOptions = {}): Promise<ActiveBackend> {
  const prefer = checkPrefer(options.prefer);
  checkThreads(options.threads);
  if (tf.getGradient(tf.Conv2D) == null) await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  const skipped: BackendFailure[] = [];
  for (const name of prefer) {
    try {
      const { threads, simd } = await activate(name, options);
      const crossOriginIsolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
      return { name, tfBackend: tf.getBackend(), threads, simd, crossOriginIsolated, skipped };
    } catch (error) {
      skipped.push({ name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new DifbfsrError(
    'BACKEND',
    `No tfjs backend could be started: ${skipped.map((f) => `${f.name}: ${f.reason}`).join('; ')}`,
    { cause: skipped },
  );
}

async function activate(name: WebBackendName, options: InitOptions): Promise<{ threads: number; simd: boolean | null }> {
  if (name === 'wasm') return activateWasm(options.wasmPaths, options.threads);
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new DifbfsrError('BACKEND', "tf.setBackend('cpu') failed");
  return { threads: 1, simd: null };
}

function checkPrefer(prefer: WebBackendName[] | undefined): WebBackendName[] {
  if (prefer === undefined) return [...WEB_BACKENDS];
  const unknown = Array.isArray(prefer) ? prefer.filter((p) => !(WEB_BACKENDS as readonly string[]).includes(p)) : [];
  if (!Array.isArray(prefer) || prefer.length === 0 || unknown.length > 0) {
    throw new DifbfsrError('INVALID_OPTION', `prefer must be a non-empty list of ${WEB_BACKENDS.join(', ')}; got ${JSON.stringify(prefer)}`);
  }
  return prefer;
}

function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS)) {
    throw new DifbfsrError('INVALID_OPTION', `threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
}
