import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { init } from '@difbfsr/backend-node';

async function errorOf(fn: () => Promise<unknown>): Promise<DifbfsrError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DifbfsrError) return e;
    throw e;
  }
  throw new Error('expected a DifbfsrError');
}

/** Small conv whose value and gradients are compared across backends. */
function convProbe(): { y: number[]; dx: number[]; dw: number[] } {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, 9, 9, 8], -1, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 2) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
    const [dx, dw] = tf.grads(f)([x, w]);
    return { y: Array.from(f(x, w).dataSync()), dx: Array.from(dx.dataSync()), dw: Array.from(dw.dataSync()) };
  });
}

function maxRelDiff(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

// tfjs-node(-gpu) are optional peers and not installed here, so the default order falls through to WASM.
describe('init on a machine without tfjs-node', () => {
  it('rejects bad options with INVALID_OPTION', async () => {
    expect((await errorOf(() => init({ prefer: [] }))).code).toBe('INVALID_OPTION');
    expect((await errorOf(() => init({ prefer: ['webgl' as 'wasm'] }))).code).toBe('INVALID_OPTION');
    for (const threads of [0, 1.5, 9]) expect((await errorOf(() => init({ threads }))).code).toBe('INVALID_OPTION');
  });

  it('reports every failure together when no preferred backend starts', async () => {
    const error = await errorOf(() => init({ prefer: ['tensorflow-gpu', 'tensorflow'] }));
    expect(error.code).toBe('BACKEND');
    expect(error.message).toMatch(/tensorflow-gpu: .*@tensorflow\/tfjs-node-gpu/);
    expect(error.message).toMatch(/; tensorflow: .*@tensorflow\/tfjs-node\b/);
    expect(error.cause).toHaveLength(2);
  });

  it('falls through to WASM with 2 worker threads and reports it, with the skipped backends', async () => {
    const active = await init({ threads: 2 });
    expect(active).toMatchObject({ name: 'wasm', tfBackend: 'wasm', threads: 2, simd: true });
    expect(active.skipped.map((f) => f.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(active.skipped[1].reason).toMatch(/@tensorflow\/tfjs-node\b/);
    // Independent evidence: tfjs' own count, and the emscripten pthreads actually running.
    expect(tfWasm.getThreadsCount()).toBe(2);
    const pthreads = (tf.backend() as unknown as { wasm: { PThread: { runningWorkers: unknown[] } } }).wasm.PThread;
    expect(pthreads.runningWorkers.length).toBe(1); // the main thread is the pool's other thread
  });

  it('computes conv2d and its gradients on the threaded backend as the cpu backend does', async () => {
    await init({ prefer: ['wasm'] });
    const onWasm = convProbe();
    await init({ prefer: ['cpu'] });
    const onCpu = convProbe();
    expect(maxRelDiff(onWasm.y, onCpu.y)).toBeLessThan(1e-5);
    expect(maxRelDiff(onWasm.dx, onCpu.dx)).toBeLessThan(1e-5);
    expect(maxRelDiff(onWasm.dw, onCpu.dw)).toBeLessThan(1e-5);
  });

  it('keeps the existing wasm backend on a later init and guards its heap', async () => {
    const again = await init({ prefer: ['wasm'], threads: 1 });
    expect(again.threads).toBe(2);
    const before = tf.memory().numTensors;
    expect((await errorOf(async () => tf.fill([2 ** 30 + 1], 0))).code).toBe('OUT_OF_MEMORY');
    expect(tf.memory().numTensors).toBe(before);
  });
});
