import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GaussianPrior,
  restoreWithInfo,
  TfjsContractionOptimizer,
  type ContractionOptimizer,
  type ContractionOptimizerFactory,
  type RestoreProgress,
} from '@difbfsr/core';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

const prior = new GaussianPrior({ resolution: 16, mean: 0, std: 0.5 });
const BASE = { prior, steps: 3, seed: 2, warmupIters: 2 } as const;

/** An optimiser whose every estimate is black: its result misses any non-black input (a collapse), and so does its SRM output. */
function collapsing(shape: [number, number, number, number]): ContractionOptimizer {
  const black = () => tf.fill(shape, -1) as tf.Tensor4D;
  return { name: 'collapsing', yHat: async () => black(), warmupStep: async () => 1, diffusionStep: async () => ({ xHat: black(), loss: 1 }), dispose: () => {} };
}

/** A factory whose first `bad` optimisers collapse, the rest are tfjs's; counts its calls. */
function collapsingFirst(bad: number): { factory: ContractionOptimizerFactory; calls: () => number } {
  let calls = 0;
  const factory: ContractionOptimizerFactory = (problem) => {
    calls++;
    return calls <= bad ? collapsing(problem.upsampled.shape) : new TfjsContractionOptimizer(problem);
  };
  return { factory, calls: () => calls };
}

describe('a collapsed chain is rerun with the next seed [wasm]', () => {
  let y: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    y = tf.tidy(() => tf.round(tf.randomUniform([4, 4, 3], 60, 200, 'float32', 3))) as tf.Tensor3D;
  });

  it('by default once: the result is the seed + 1 restore, and the rerun reports progress as attempt 1', async () => {
    const before = tf.memory().numTensors;
    const { factory, calls } = collapsingFirst(1);
    const progress: RestoreProgress[] = [];
    const retried = await restoreWithInfo(y, { ...BASE, optimizer: factory, onProgress: (p) => progress.push(p) });
    const direct = await restoreWithInfo(y, { ...BASE, seed: BASE.seed + 1, optimizer: 'tfjs' });
    expect(calls()).toBe(2);
    expect(retried.info).toMatchObject({ retries: 1, collapsed: false, seed: BASE.seed, optimizer: 'tfjs' });
    expect(retried.info.collapseFallback).toBeUndefined();
    expect(maxAbsDiff(retried.output, direct.output)).toBe(0);
    // 2 warm-up + 3 reverse steps per chain; the rerun's are marked.
    expect(progress.map((p) => p.attempt)).toEqual([...Array(5).fill(undefined), ...Array(5).fill(1)]);
    tf.dispose([retried.output, direct.output]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('returns the fallback when every chain collapses, after collapseRetries reruns (0: none)', async () => {
    const before = tf.memory().numTensors;
    const twice = collapsingFirst(Infinity);
    const r2 = await restoreWithInfo(y, { ...BASE, optimizer: twice.factory, collapseRetries: 2 });
    expect(twice.calls()).toBe(3);
    expect(r2.info).toMatchObject({ retries: 2, collapsed: true, collapseFallback: 'bicubic' });
    const none = collapsingFirst(1);
    const r0 = await restoreWithInfo(y, { ...BASE, optimizer: none.factory, collapseRetries: 0 });
    expect(none.calls()).toBe(1);
    expect(r0.info).toMatchObject({ retries: 0, collapsed: true, collapseFallback: 'bicubic' });
    // Both fallbacks are the bicubic upsampling of the same input.
    expect(maxAbsDiff(r2.output, r0.output)).toBe(0);
    const healthy = await restoreWithInfo(y, { ...BASE, optimizer: 'tfjs' });
    expect(healthy.info).toMatchObject({ retries: 0, collapsed: false });
    tf.dispose([r2.output, r0.output, healthy.output]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a collapseRetries that is not a whole number >= 0', async () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      await expect(restoreWithInfo(y, { ...BASE, collapseRetries: bad })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/collapseRetries/) });
    }
  });
});
