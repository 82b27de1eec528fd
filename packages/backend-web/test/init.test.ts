import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { init } from '@difbfsr/backend-web';

async function errorOf(fn: () => Promise<unknown>): Promise<DifbfsrError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DifbfsrError) return e;
    throw e;
  }
  throw new Error('expected a DifbfsrError');
}

describe('backend-web init (run under Node: not cross-origin isolated, so one thread)', () => {
  it('rejects bad options with INVALID_OPTION', async () => {
    expect((await errorOf(() => init({ prefer: [] }))).code).toBe('INVALID_OPTION');
    expect((await errorOf(() => init({ prefer: ['webgpu' as 'wasm'] }))).code).toBe('INVALID_OPTION');
    expect((await errorOf(() => init({ threads: 0 }))).code).toBe('INVALID_OPTION');
  });

  it('activates WASM with SIMD, reports it, and registers what training needs', async () => {
    const active = await init();
    expect(active).toEqual({ name: 'wasm', tfBackend: 'wasm', threads: 1, simd: true, crossOriginIsolated: false, skipped: [] });
    expect(getThreadsCount()).toBe(1);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    // tf.grad through conv2d now runs on wasm; d/dW sum(conv2d(1, W)) counts each tap's in-bounds positions.
    const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(tf.zeros([3, 3, 1, 1]));
    expect(Array.from(dw.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    tf.dispose([x, dw]);
  });

  it('falls back to the cpu backend on request', async () => {
    const active = await init({ prefer: ['cpu'] });
    expect(active).toMatchObject({ name: 'cpu', tfBackend: 'cpu', threads: 1, simd: null });
  });
});
