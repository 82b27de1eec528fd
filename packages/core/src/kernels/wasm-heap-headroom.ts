import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';

/**
 * Default ceiling for tensor bytes on the wasm backend. Its linear memory is
 * a 32-bit address space (4 GiB); filling it with 256 MiB tensors, growth
 * stalls at ~3.84 GiB, `malloc` returns 0 and tfjs-backend-wasm then writes
 * the new tensor over earlier ones. The margin keeps room for XNNPACK's
 * packed weights and scratch buffers and for heap fragmentation.
 */
export const WASM_HEAP_LIMIT_BYTES = 3.5 * 2 ** 30;

/** Options of {@link assertWasmHeapHeadroom}. */
export interface WasmHeapHeadroomOptions {
  /** Ceiling for live tensor bytes plus `bytesNeeded`; default {@link WASM_HEAP_LIMIT_BYTES}. */
  limitBytes?: number;
}

/**
 * Throws before an allocation of `bytesNeeded` bytes would take the wasm
 * backend's live tensors past the heap ceiling. A no-op on other backends.
 *
 * @param bytesNeeded bytes the next step will allocate (estimate generously).
 * @throws DifbfsrError `OUT_OF_MEMORY` naming live, requested and limit bytes;
 *   `INVALID_INPUT` for a negative or non-finite request.
 */
export function assertWasmHeapHeadroom(bytesNeeded: number, options: WasmHeapHeadroomOptions = {}): void {
  if (!Number.isFinite(bytesNeeded) || bytesNeeded < 0) {
    throw new DifbfsrError('INVALID_INPUT', `bytesNeeded must be a finite number >= 0, got ${bytesNeeded}`);
  }
  const limitBytes = options.limitBytes ?? WASM_HEAP_LIMIT_BYTES;
  if (tf.getBackend() !== 'wasm') return;
  const liveBytes = tf.memory().numBytes;
  if (liveBytes + bytesNeeded > limitBytes) {
    throw new DifbfsrError(
      'OUT_OF_MEMORY',
      `WASM heap exhausted: ${mib(liveBytes)} MiB of tensors live + ${mib(bytesNeeded)} MiB requested > ` +
        `${mib(limitBytes)} MiB limit (the wasm heap cannot exceed 4 GiB). ` +
        'Use a smaller image or batch, or the tensorflow backend.',
    );
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
