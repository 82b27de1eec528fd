import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DifbfsrError, RESTORE_DEFAULTS, GaussianPrior, registerRuntime, restoreWithInfo, TfjsContractionOptimizer, unregisterRuntime, type ContractionOptimizerFactory } from '@difbfsr/core';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

const prior = new GaussianPrior({ resolution: 16, mean: 0, std: 0.5 });
const BASE = { prior, steps: 3, seed: 2 } as const;

describe('choosing the SRM/CFM optimiser [wasm]', () => {
  let y: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    y = tf.tidy(() => tf.round(tf.randomUniform([4, 4, 3], 40, 215, 'float32', 1))) as tf.Tensor3D;
  });
  afterEach(() => unregisterRuntime('onnx'));

  it("'auto' runs tfjs when no ONNX Runtime optimiser is registered; 'onnx' says what to import", async () => {
    const { output, info } = await restoreWithInfo(y, BASE);
    expect(info.optimizer).toBe('tfjs');
    expect(info.optimizerFallback).toBeUndefined();
    output.dispose();
    await expect(restoreWithInfo(y, { ...BASE, optimizer: 'onnx' })).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringContaining('@difbfsr/onnx') });
    await expect(restoreWithInfo(y, { ...BASE, backend: 'onnx' })).rejects.toMatchObject({ code: 'BACKEND' });
  });

  it('a custom factory runs, sees the problem, and is reported by name', async () => {
    const seen: string[] = [];
    const custom: ContractionOptimizerFactory = (problem) => {
      seen.push(`${problem.scale} ${problem.learnSrm} ${problem.learnCfm} ${problem.y.shape.join('x')}`);
      const inner = new TfjsContractionOptimizer(problem);
      return { name: 'custom', yHat: () => inner.yHat(), warmupStep: () => inner.warmupStep(), diffusionStep: (x0) => inner.diffusionStep(x0), dispose: () => inner.dispose() };
    };
    const mine = await restoreWithInfo(y, { ...BASE, optimizer: custom });
    const tfjs = await restoreWithInfo(y, { ...BASE, optimizer: 'tfjs' });
    expect(seen).toEqual(['4 true true 1x4x4x3']);
    expect(mine.info.optimizer).toBe('custom');
    expect(maxAbsDiff(mine.output, tfjs.output)).toBe(0);
    tf.dispose([mine.output, tfjs.output]);
  });

  it("'auto' steps aside when the registered runtime cannot load (and says so); 'onnx' does not", async () => {
    registerRuntime('onnx', { optimizer: { create: () => Promise.reject(new DifbfsrError('BACKEND', 'onnxruntime-node cannot be loaded')) } }, 10);
    const before = tf.memory().numTensors;
    const { output, info } = await restoreWithInfo(y, BASE);
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(info.optimizer).toBe('tfjs');
    expect(info.optimizerFallback).toMatch(/could not start.*cannot be loaded/);
    await expect(restoreWithInfo(y, { ...BASE, optimizer: 'onnx' })).rejects.toThrow('cannot be loaded');
    expect(tf.memory().numTensors).toBe(before);
    // Other errors of a runtime that loaded are not hidden.
    registerRuntime('onnx', { optimizer: { create: () => Promise.reject(new DifbfsrError('OUT_OF_MEMORY', 'no room')) } }, 10);
    await expect(restoreWithInfo(y, BASE)).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adamEpsilon reaches the optimiser (default 1e-7) and changes the result; a bad value is INVALID_OPTION', async () => {
    const seen: number[] = [];
    const spy: ContractionOptimizerFactory = (problem) => {
      seen.push(problem.adamEpsilon);
      return new TfjsContractionOptimizer(problem);
    };
    const base = await restoreWithInfo(y, { ...BASE, optimizer: spy });
    const same = await restoreWithInfo(y, { ...BASE, adamEpsilon: 1e-7 });
    const damped = await restoreWithInfo(y, { ...BASE, optimizer: spy, adamEpsilon: 1e-4 });
    expect(seen).toEqual([RESTORE_DEFAULTS.adamEpsilon, 1e-4]);
    expect(RESTORE_DEFAULTS.adamEpsilon).toBe(1e-7);
    expect(maxAbsDiff(base.output, same.output)).toBe(0);
    expect(maxAbsDiff(base.output, damped.output)).toBeGreaterThan(0);
    tf.dispose([base.output, same.output, damped.output]);
    for (const bad of [0, -1e-7, Number.NaN]) {
      await expect(restoreWithInfo(y, { ...BASE, adamEpsilon: bad })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/adamEpsilon/) });
    }
  });

  it('rejects unknown optimiser and backend names with INVALID_OPTION', async () => {
    await expect(restoreWithInfo(y, { ...BASE, optimizer: 'gpu' as 'auto' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/optimizer/) });
    await expect(restoreWithInfo(y, { ...BASE, backend: 'gpu' as 'auto' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/backend/) });
  });
});
