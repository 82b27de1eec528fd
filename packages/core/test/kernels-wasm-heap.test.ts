import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertWasmHeapHeadroom, DifbfsrError, WASM_HEAP_LIMIT_BYTES } from '@difbfsr/core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { errorOf, usePlainBackend } from '../../../test-utils/plain-backend.js';

const MiB = 2 ** 20;

describe('assertWasmHeapHeadroom', () => {
  beforeAll(async () => {
    await usePlainBackend('wasm');
  });

  it('throws OUT_OF_MEMORY once live tensors plus the request pass the (lowered) limit', () => {
    const live = tf.zeros([MiB]); // 4 MiB of float32
    const limitBytes = tf.memory().numBytes + 2 * MiB;
    expect(() => assertWasmHeapHeadroom(MiB, { limitBytes })).not.toThrow();
    expect(() => assertWasmHeapHeadroom(2 * MiB, { limitBytes })).not.toThrow();
    const error = errorOf(() => assertWasmHeapHeadroom(2 * MiB + 1, { limitBytes }));
    expect(error.code).toBe('OUT_OF_MEMORY');
    expect(error.message).toMatch(/MiB of tensors live/);
    live.dispose();
    expect(() => assertWasmHeapHeadroom(5 * MiB, { limitBytes })).not.toThrow();
  });

  it('uses a default limit below the 4 GiB wasm32 address space', () => {
    expect(WASM_HEAP_LIMIT_BYTES).toBeLessThan(3.84 * 2 ** 30);
    expect(() => assertWasmHeapHeadroom(WASM_HEAP_LIMIT_BYTES + 1)).toThrow(DifbfsrError);
  });

  it('rejects a negative or non-finite request with INVALID_INPUT', () => {
    expect(errorOf(() => assertWasmHeapHeadroom(-1)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => assertWasmHeapHeadroom(Number.NaN)).code).toBe('INVALID_INPUT');
  });

  it('does nothing on other backends', async () => {
    await usePlainBackend('cpu');
    expect(() => assertWasmHeapHeadroom(MiB, { limitBytes: 0 })).not.toThrow();
    await usePlainBackend('wasm');
  });
});
