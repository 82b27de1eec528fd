import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { activateWasmBackend, registerWasmBackend } from '@difbfsr/backend-common';
import { createNodeWasmModule } from './node-wasm-module.js';

/** The emscripten pthread bookkeeping of the threaded build. */
interface PThreadRegistry {
  PThread?: { runningWorkers: Array<{ unref(): void }> };
}

/**
 * Lets Node exit while XNNPACK's pool threads idle. Emscripten keeps a Node
 * worker referenced for as long as its pthread runs, and the pool's threads
 * run (parked) until the backend is disposed, so without this a script that
 * used threaded WASM never exits. Safe because every pool job is waited for
 * synchronously by the main thread: no work is in flight when Node's event
 * loop is empty.
 */
function releasePoolThreads(module: PThreadRegistry): void {
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
}

/**
 * Makes the wasm backend active with `threads` XNNPACK threads, with the
 * training kernels and the allocation guard installed.
 *
 * The backend is created here (replacing tfjs' registration, whose loader
 * cannot start threads in Node) unless one is already initialised, which is
 * then kept as it is: the thread count cannot change after creation.
 */
export async function activateWasm(threads: number): Promise<{ threads: number; simd: boolean }> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  await activateWasmBackend(async () => {
    const module = await createNodeWasmModule(threads, simd);
    tfWasm.setThreadsCount(threads);
    const backend = new tfWasm.BackendWasm(module);
    releasePoolThreads(module as PThreadRegistry);
    registerWasmBackend(backend);
  });
  return { threads: tfWasm.getThreadsCount(), simd };
}
