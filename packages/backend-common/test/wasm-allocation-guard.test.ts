import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmAllocationGuard } from '@difbfsr/backend-common';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { errorOf, usePlainBackend } from '../../../test-utils/plain-backend.js';

// Its own file, on a fresh heap: how malloc fails (0, or a block running past the end of the
// heap) depends on the heap's history. In this order both cases occur: the third 1.5 GiB block
// gets 0, the 4 GiB - 64 KiB request a block ending past the heap (checked by logging malloc's
// raw results; removing the guard's end-of-heap check fails the second test).

describe('installWasmAllocationGuard', () => {
  beforeAll(async () => {
    await usePlainBackend('wasm');
  });

  it('throws OUT_OF_MEMORY when the heap cannot grow further, and later allocations still work', () => {
    expect(installWasmAllocationGuard()).toBe(true);
    // Reserve (never touch) two 1.5 GiB blocks through the backend, as a kernel output would:
    // cheap, the pages stay uncommitted. A third one cannot fit below 4 GiB.
    const backend = tf.backend() as unknown as {
      makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
      disposeData(dataId: object): boolean;
    };
    const quarterGiB = 2 ** 28;
    const small = tf.tensor1d([5, 6, 7]);
    const reserved = [backend.makeOutput([1.5 * quarterGiB], 'float32'), backend.makeOutput([1.5 * quarterGiB], 'float32')];
    try {
      const error = errorOf(() => backend.makeOutput([1.5 * quarterGiB], 'float32'));
      expect(error.code).toBe('OUT_OF_MEMORY');
      expect(error.message).toMatch(/cannot allocate 1536\.0 MiB/);
      const next = tf.add(small, 1);
      expect(Array.from(next.dataSync())).toEqual([6, 7, 8]);
      next.dispose();
    } finally {
      for (const info of reserved) backend.disposeData(info.dataId);
      small.dispose();
    }
  });

  it('throws OUT_OF_MEMORY for blocks past the end of the heap and truncated sizes, leaving earlier tensors intact', () => {
    expect(installWasmAllocationGuard()).toBe(true); // idempotent: installed by the test above
    const earlier = tf.tensor1d([1, 2, 3, 4]);
    const before = { tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds() };
    // 4 GiB - 64 KiB: more than the 32-bit heap can hold beside the module's own data.
    const failed = errorOf(() => tf.fill([(2 ** 32 - 2 ** 16) / 4], 1));
    expect(failed.code).toBe('OUT_OF_MEMORY');
    expect(failed.message).toMatch(/cannot allocate 4095\.9 MiB/);
    // 4 GiB + 4 bytes: tfjs would pass it to malloc truncated to 4 bytes.
    expect(errorOf(() => tf.fill([2 ** 30 + 1], 1)).code).toBe('OUT_OF_MEMORY');
    expect(Array.from(earlier.dataSync())).toEqual([1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(tf.backend().numDataIds()).toBe(before.dataIds);
    const after = tf.add(earlier, 1);
    expect(Array.from(after.dataSync())).toEqual([2, 3, 4, 5]);
    tf.dispose([earlier, after]);
  });

  it('reports false when the active backend is not wasm', async () => {
    await usePlainBackend('cpu');
    expect(installWasmAllocationGuard()).toBe(false);
    await usePlainBackend('wasm');
  });
});
