import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreWithInfo } from '@difbfsr/core';
import { BUNDLED_PRIOR_URL, loadBundledPrior, setUNetDenoiserFactory, UNet, type UNetDenoiserFactory } from '@difbfsr/models';
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
    expect(info.prior).toBe('difbfsr-face64(tfjs)');
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

describe('the bundled prior on other backends goes through the registered U-Net denoiser factory [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('calls the registered factory for auto and onnx (with the bundled config), never for tfjs', async () => {
    const calls: { backend: string; resolution: number }[] = [];
    const factory: UNetDenoiserFactory = async (config, stateDict, { backend }) => {
      calls.push({ backend, resolution: config.image_size });
      return UNet.fromStateDict(config, stateDict, { name: `registered(${backend})` });
    };
    setUNetDenoiserFactory(factory);
    try {
      const auto = await loadBundledPrior({ backend: 'auto' });
      const onnx = await loadBundledPrior({ backend: 'onnx' });
      const tfjs = await loadBundledPrior({ backend: 'tfjs' });
      expect([auto.name, onnx.name, tfjs.name]).toEqual(['registered(auto)', 'registered(onnx)', 'difbfsr-face64(tfjs)']);
      expect(calls).toEqual([
        { backend: 'auto', resolution: 64 },
        { backend: 'onnx', resolution: 64 },
      ]);
      expect(auto.faceTemplate).toEqual(tfjs.faceTemplate);
      for (const p of [auto, onnx, tfjs]) p.dispose?.();
    } finally {
      setUNetDenoiserFactory(undefined);
    }
  });
});
