import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/** The part of tfjs-backend-wasm's emscripten module that allocates tensor memory. */
interface WasmHeapModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
}

const guardedModules = new WeakSet<WasmHeapModule>();

/**
 * Makes every tensor allocation of the initialised wasm backend fail loudly.
 *
 * tfjs-backend-wasm uses `malloc`'s result without checking it, and near the
 * 4 GiB limit of the 32-bit heap that result is wrong: `0` once the heap
 * cannot grow (from ~3.84 GiB on), or, when the program break wraps around
 * 2^32, a block that runs past the end of the heap. Requests of 4 GiB or more
 * are even truncated to 32 bits. In every case the new tensor is then written
 * over earlier ones. The guard wraps the module's `_malloc` so that these
 * cases throw instead (a bad block is returned to the allocator first).
 *
 * Idempotent; returns false when the active backend is not wasm.
 *
 * @throws DifbfsrError `OUT_OF_MEMORY` later, from the allocation that fails.
 */
export function installWasmAllocationGuard(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const module = (tf.backend() as unknown as { wasm?: Partial<WasmHeapModule> }).wasm;
  if (module == null || typeof module._malloc !== 'function' || typeof module._free !== 'function' || module.HEAPU8 == null) {
    throw new DifbfsrError('BACKEND', 'The wasm backend does not expose its heap allocator (unexpected tfjs-backend-wasm version)');
  }
  const heap = module as WasmHeapModule;
  if (guardedModules.has(heap)) return true;
  // Emscripten binds `_malloc` lazily: its first call replaces the property
  // with the raw export, which would drop a wrapper installed before it.
  heap._free(heap._malloc(8));
  const rawMalloc = heap._malloc.bind(heap);
  heap._malloc = (bytes: number): number => {
    if (bytes <= 0) return rawMalloc(bytes);
    const pointer = bytes < 2 ** 32 ? rawMalloc(bytes) >>> 0 : 0;
    const heapBytes = (heap.wasmMemory?.buffer ?? heap.HEAPU8.buffer).byteLength;
    if (pointer !== 0 && pointer + bytes <= heapBytes) return pointer;
    if (pointer !== 0) heap._free(pointer);
    throw new DifbfsrError(
      'OUT_OF_MEMORY',
      `WASM heap exhausted: cannot allocate ${mib(bytes)} MiB next to ${mib(tf.memory().numBytes)} MiB of live ` +
        'tensors (the wasm heap cannot exceed 4 GiB). Use a smaller image or batch, or the tensorflow backend.',
    );
  };
  guardedModules.add(heap);
  return true;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
