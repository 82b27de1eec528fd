import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint, saveSafetensors, type StateDict, type UNetConfig } from '@difbfsr/models';
import { estimateActivationBytes, exportUNetToOnnx, OnnxDenoiser } from '@difbfsr/onnx';
import { planUNet, unetParamCount } from '@difbfsr/models';
import { chooseStorage, LARGE_WEIGHTS_BYTES } from '../src/onnx-denoiser.js';
import { SMALL_UNET } from './helpers.js';
import { randomUNetTensors } from './random-state-dict.js';

const CONFIG = SMALL_UNET;

let weights: StateDict;
beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = await loadCheckpoint(saveSafetensors(randomUNetTensors(CONFIG, 3)));
});

describe('configs and checkpoints that cannot be built', () => {
  it('an unbuildable config is INVALID_OPTION naming the field, for export and denoiser alike', async () => {
    const bad: UNetConfig = { ...CONFIG, num_channels: 40 };
    expect(() => exportUNetToOnnx(bad, weights)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/not a multiple of 32/) }));
    await expect(OnnxDenoiser.create({ ...CONFIG, class_cond: true }, weights)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/class_cond/) });
  });

  it('a state dict that does not fit the config is CONFIG_MISMATCH naming the tensor', async () => {
    await expect(OnnxDenoiser.create({ ...CONFIG, learn_sigma: false }, weights)).rejects.toMatchObject({
      code: 'CONFIG_MISMATCH',
      message: expect.stringMatching(/out\.2\.weight/),
    });
  });

  it('a stored config that disagrees in what shapes cannot show (heads) is CONFIG_MISMATCH', () => {
    const stored = saveSafetensors(randomUNetTensors(CONFIG, 3), { config: JSON.stringify({ ...CONFIG, num_head_channels: 16 }) });
    return loadCheckpoint(stored).then((sd) =>
      expect(() => exportUNetToOnnx(CONFIG, sd)).toThrow(expect.objectContaining({ code: 'CONFIG_MISMATCH', message: expect.stringMatching(/heads/) })),
    );
  });

  it('bad options are INVALID_OPTION', async () => {
    await expect(OnnxDenoiser.create(CONFIG, weights, { threads: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(OnnxDenoiser.create(CONFIG, weights, { executionProviders: [] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('memory', () => {
  it('estimates activations as the skips plus six copies of the largest block input', () => {
    // 16 px: skips 32*256 (in0) + 32*256 (in1) + 32*64 (in2, conv down) + 64*64 (in3) = 22528 floats;
    // largest block input: output_blocks.2, 64 + 32 channels at 16 px after the upsample = 24576 floats.
    const plan = planUNet({ ...CONFIG, use_scale_shift_norm: true });
    expect(estimateActivationBytes(plan, 1, 16)).toBe(4 * (22528 + 6 * 24576));
    expect(estimateActivationBytes(plan, 3, 32)).toBe(3 * 4 * 4 * (22528 + 6 * 24576));
  });

  it('refuses with OUT_OF_MEMORY when the session will not fit in free memory', async () => {
    vi.resetModules();
    vi.doMock('node:os', async (original) => ({ ...(await original<typeof import('node:os')>()), freemem: () => 100_000 }));
    const { OnnxDenoiser: Fresh } = await import('@difbfsr/onnx');
    await expect(Fresh.create(CONFIG, weights)).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY',
      message: expect.stringMatching(/needs about .* MiB .* but only 0 MiB is available.*memoryCheck: false/),
    });
    const unchecked = await Fresh.create(CONFIG, weights, { memoryCheck: false, threads: 1 });
    unchecked.dispose();
    vi.doUnmock('node:os');
  });

  it("weights 'auto' feeds the weights as inputs when initializers would not fit, and takes initializers when they do", async () => {
    const fp32 = 4 * unetParamCount(CONFIG);
    const activations = estimateActivationBytes(planUNet(CONFIG), 1, 16);
    // Enough for one JS copy of the weights plus activations, not for onnxruntime's two copies on top.
    const free = 2 * fp32 + activations;
    vi.resetModules();
    vi.doMock('node:os', async (original) => ({ ...(await original<typeof import('node:os')>()), freemem: () => free }));
    const { OnnxDenoiser: Fresh } = await import('@difbfsr/onnx');
    const tight = await Fresh.create(CONFIG, weights, { threads: 1 });
    expect(tight.weights).toBe('inputs');
    tight.dispose();
    vi.doUnmock('node:os');
    const roomy = await OnnxDenoiser.create(CONFIG, weights, { threads: 1 });
    expect(roomy.weights).toBe('initializers');
    roomy.dispose();
  });

  it("weights 'auto' feeds large models' weights as inputs on the CPU (float16 too), never on GPUs or in browsers", async () => {
    const plan = planUNet(CONFIG);
    const large = LARGE_WEIGHTS_BYTES / 4;
    expect(await chooseStorage(plan, large, 'node', 'cpu', {})).toBe('inputs');
    expect(await chooseStorage(plan, large - 1, 'node', 'cpu', {})).toBe('external');
    expect(await chooseStorage(plan, large, 'node', 'cuda', {})).toBe('external');
    expect(await chooseStorage(plan, large, 'web', 'wasm', {})).toBe('external');
    expect(await chooseStorage(plan, large, 'node', 'cpu', { fp16: true })).toBe('inputs');
    expect(await chooseStorage(plan, large, 'node', 'cpu', { weights: 'initializers' })).toBe('external');
  });
});

describe('predict() arguments', () => {
  let net: OnnxDenoiser;
  beforeAll(async () => {
    net = await OnnxDenoiser.create(CONFIG, weights, { threads: 1 });
  });
  afterAll(() => net.dispose());

  it('rejects bad inputs with typed errors before running', async () => {
    const good = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const cases: Array<[tf.Tensor4D, number[], string]> = [
      [tf.zeros([1, 16, 16, 4]) as tf.Tensor4D, [1], 'INVALID_INPUT'],
      [tf.zeros([1, 16, 16, 3], 'int32') as tf.Tensor4D, [1], 'UNSUPPORTED_DTYPE'],
      [tf.zeros([1, 15, 16, 3]) as tf.Tensor4D, [1], 'INVALID_SIZE'],
      [good, [1, 2], 'INVALID_INPUT'],
      [good, [Number.NaN], 'INVALID_INPUT'],
    ];
    for (const [x, t, code] of cases) await expect(net.predict(x, t)).rejects.toMatchObject({ code });
    tf.dispose([good, ...cases.map(([x]) => x)]);
  });

  it('runs at another multiple of the size, and refuses after dispose()', async () => {
    const x = tf.zeros([1, 32, 16, 3]) as tf.Tensor4D;
    const { eps, v } = await net.predict(x, [10]);
    expect(eps.shape).toEqual([1, 32, 16, 3]);
    expect(v?.shape).toEqual([1, 32, 16, 3]);
    tf.dispose([eps, v!]);
    const other = await OnnxDenoiser.create(CONFIG, weights, { threads: 1 });
    other.dispose();
    await expect(other.predict(x, [10])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/disposed/) });
    x.dispose();
  });
});
