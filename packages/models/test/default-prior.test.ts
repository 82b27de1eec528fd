import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DifbfsrError, getDefaultPrior, registerRuntime, restoreWithInfo, setDefaultFaceModel, unregisterRuntime } from '@difbfsr/core';
import { BUNDLED_FACE_MODEL, BUNDLED_FACE_TEMPLATE, BUNDLED_PRIOR_URL, UNet, unetSpecOf } from '@difbfsr/models';
import { useBackend } from '../../../test-utils/backends.js';

describe('restore() without a prior option uses the bundled face prior [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('loads it from the package, runs it on tfjs, and leaks nothing', async () => {
    expect(BUNDLED_PRIOR_URL.protocol).toBe('file:');
    const lr = tf.tidy(() => tf.round(tf.randomUniform([16, 16, 3], 30, 220, 'float32', 1))) as tf.Tensor3D;
    // the first call loads and converts the weights, which stay cached for later calls
    const warm = await restoreWithInfo(lr, { backend: 'tfjs', steps: 1 });
    warm.output.dispose();
    const before = tf.memory().numTensors;
    const { output, info } = await restoreWithInfo(lr, { backend: 'tfjs', steps: 3, seed: 2 });
    expect(info.prior).toBe('difbfsr-face64(tfjs)+difbfsr-face64-gaussian');
    expect(info.steps).toBe(3);
    // The data term models the bundled estimator's estimate of the input's degradation.
    expect(info.degradation?.estimated).toBe(true);
    expect(info.degradation!.blur).toBeGreaterThanOrEqual(0);
    expect(info.degradation!.noise).toBeGreaterThanOrEqual(0);
    expect(output.shape).toEqual([64, 64, 3]);
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
    lr.dispose();
  });
});

describe('the bundled prior on other backends goes through the runtime registry [wasm]', () => {
  beforeAll(() => useBackend('wasm'));
  afterEach(() => {
    unregisterRuntime('onnx');
    setDefaultFaceModel(BUNDLED_FACE_MODEL);
  });

  it("builds it on the registered runtime asked for: 'auto' by priority, 'onnx' by name, 'tfjs' never elsewhere", async () => {
    const calls: { device: string; resolution: number }[] = [];
    registerRuntime('onnx', {
      denoiser: {
        devices: ['auto', 'cpu', 'cuda'],
        create: (spec, { device }) => {
          const { config, weights, name } = unetSpecOf(spec);
          calls.push({ device, resolution: config.image_size });
          return UNet.fromStateDict(config, weights, { name: `registered(${name}, ${device})` });
        },
      },
    }, 10);
    setDefaultFaceModel(BUNDLED_FACE_MODEL); // forget the priors built so far
    const auto = await getDefaultPrior({ backend: 'auto' });
    const onnx = await getDefaultPrior({ backend: 'onnx', device: 'cuda' });
    const tfjs = await getDefaultPrior({ backend: 'tfjs' });
    expect([auto.name, onnx.name, tfjs.name]).toEqual(['registered(difbfsr-face64, auto)', 'registered(difbfsr-face64, cuda)', 'difbfsr-face64(tfjs)'].map((n) => `${n}+difbfsr-face64-gaussian`));
    expect(calls).toEqual([
      { device: 'auto', resolution: 64 },
      { device: 'cuda', resolution: 64 },
    ]);
    // Each prior carries the bundled face template; the default priors are built once and shared.
    expect(auto.faceTemplate).toEqual(BUNDLED_FACE_TEMPLATE);
    expect(tfjs.faceTemplate).toEqual(BUNDLED_FACE_TEMPLATE);
    expect(await getDefaultPrior({ backend: 'auto' })).toBe(auto);
    for (const p of [auto, onnx, tfjs]) p.dispose?.();
  });

  it("'auto' steps over a runtime that cannot start and gathers the reasons when none does", async () => {
    const unavailable = { devices: ['auto', 'cpu', 'cuda'] as const, create: () => Promise.reject(new DifbfsrError('BACKEND', 'onnxruntime-node cannot be loaded')) };
    registerRuntime('onnx', { denoiser: unavailable }, 10);
    setDefaultFaceModel(BUNDLED_FACE_MODEL);
    const auto = await getDefaultPrior({ backend: 'auto' });
    expect(auto.name).toBe('difbfsr-face64(tfjs)+difbfsr-face64-gaussian');
    auto.dispose?.();
    // tfjs runs no CUDA device: nothing is left, and the error says why each runtime did not run.
    await expect(getDefaultPrior({ backend: 'auto', device: 'cuda' })).rejects.toMatchObject({
      code: 'BACKEND',
      message: expect.stringMatching(/onnx: onnxruntime-node cannot be loaded; tfjs: runs no 'cuda' device/),
    });
    await expect(getDefaultPrior({ backend: 'tfjs', device: 'cuda' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/device 'cuda' does not run on 'tfjs'.*use backend 'onnx'/) });
    await expect(getDefaultPrior({ backend: 'onnx' })).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringMatching(/cannot be loaded/) });
    await expect(getDefaultPrior({ backend: 'gpu' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/backend must be one of auto, tfjs, onnx/) });
  });

  it("without a runtime 'onnx', asking for it names the package that registers it", async () => {
    setDefaultFaceModel(BUNDLED_FACE_MODEL);
    await expect(getDefaultPrior({ backend: 'onnx' })).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringContaining('@difbfsr/onnx') });
  });
});
