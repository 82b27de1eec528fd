import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import { activateTfjsNode } from './activate-tfjs-node.js';
import { activateWasm } from './activate-wasm.js';
import { NODE_BACKENDS, type ActiveBackend, type BackendFailure, type NodeBackendName } from './backend-choice.js';
import { MAX_WASM_THREADS } from './node-wasm-module.js';
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
 * on WASM, the training kernels and heap guard of @difbfsr/core.
 *
 * @returns the active backend, its threads and SIMD use, and why preferred
 *   backends before it were skipped.
 * @throws DifbfsrError `INVALID_OPTION` for bad options; `BACKEND` listing
 *   every backend's failure when none starts.
 */
export async function init(options: InitOptions = {}): Promise<ActiveBackend> {
  const prefer = checkPrefer(options.prefer);
  const threads = checkThreads(options.threads);
  await registerTfjsGradients();
  const skipped: BackendFailure[] = [];
  for (const name of prefer) {
    try {
      const { threads: used, simd } = await activate(name, threads);
      return { name, tfBackend: tf.getBackend(), threads: used, simd, skipped };
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
      await import('@tensorflow/tfjs-backend-cpu');
      if (!(await tf.setBackend('cpu'))) throw new DifbfsrError('BACKEND', "tf.setBackend('cpu') failed");
      return { threads: 1, simd: null };
  }
}

function checkPrefer(prefer: NodeBackendName[] | undefined): NodeBackendName[] {
  if (prefer === undefined) return [...NODE_BACKENDS];
  const unknown = Array.isArray(prefer) ? prefer.filter((p) => !(NODE_BACKENDS as readonly string[]).includes(p)) : [];
  if (!Array.isArray(prefer) || prefer.length === 0 || unknown.length > 0) {
    throw new DifbfsrError(
      'INVALID_OPTION',
      `prefer must be a non-empty list of ${NODE_BACKENDS.join(', ')}; got ${JSON.stringify(prefer)}`,
    );
  }
  return prefer;
}

function checkThreads(threads: number | undefined): number {
  if (threads === undefined) return Math.min(availableParallelism(), MAX_WASM_THREADS);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new DifbfsrError('INVALID_OPTION', `threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  return threads;
}
