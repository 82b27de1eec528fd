import { availableParallelism } from 'node:os';
import { activateCpu, checkPrefer, checkThreads, MAX_WASM_THREADS, startFirstBackend } from '@difbfsr/backend-common';
import { activateTfjsNode } from './activate-tfjs-node.js';
import { activateWasm } from './activate-wasm.js';
import { NODE_BACKENDS, type ActiveBackend, type NodeBackendName } from './backend-choice.js';
import { registerTfjsGradients } from './register-gradients.js';

/** Options of {@link init}. */
export interface InitOptions {
  /** Backends to try, in order; default `['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']`. */
  prefer?: NodeBackendName[];
  /**
   * WASM threads (1 to 8) when `init` creates the wasm backend; default: the
   * machine's available parallelism, at most 8.
   */
  threads?: number;
}

/**
 * Picks and activates the tfjs backend for @difbfsr/core in Node.js: the first
 * of `prefer` that starts (native TensorFlow only when its package is
 * installed), and registers what training needs: tfjs-core's gradients and,
 * on WASM, the training kernels and allocation guard of @difbfsr/backend-common.
 *
 * @returns the active backend, its threads and SIMD use, and why preferred
 *   backends before it were skipped.
 * @throws DifbfsrError `INVALID_OPTION` for bad options; `BACKEND` listing
 *   every backend's failure when none starts.
 */
export async function init(options: InitOptions = {}): Promise<ActiveBackend> {
  const prefer = checkPrefer(options.prefer, NODE_BACKENDS);
  checkThreads(options.threads);
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_WASM_THREADS);
  await registerTfjsGradients();
  const started = await startFirstBackend(prefer, (name) => activate(name, threads));
  return { name: started.name, tfBackend: started.tfBackend, ...started.activated, skipped: started.skipped };
}

async function activate(name: NodeBackendName, threads: number): Promise<{ threads: number | null; simd: boolean | null }> {
  switch (name) {
    case 'tensorflow-gpu':
      await activateTfjsNode('@tensorflow/tfjs-node-gpu');
      return { threads: null, simd: null };
    case 'tensorflow':
      await activateTfjsNode('@tensorflow/tfjs-node');
      return { threads: null, simd: null };
    case 'wasm':
      return activateWasm(threads);
    case 'cpu':
      return activateCpu();
  }
}
