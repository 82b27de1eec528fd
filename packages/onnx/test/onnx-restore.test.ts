import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreWithInfo, setDefaultFaceModel, type RestoreInfo } from '@difbfsr/core';
import { BUNDLED_FACE_MODEL, checkpointFaceModel, saveSafetensors, type UNetConfig } from '@difbfsr/models';
import { registerOnnxRuntime } from '@difbfsr/onnx';
import { useBackend } from '../../../test-utils/backends.js';
import { randomUNetTensors } from './random-state-dict.js';

/** A 32 px learned-variance U-Net like the tiny-a fixture (attention, scale-shift, resblock up/down). */
const CONFIG: UNetConfig = {
  image_size: 32,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1, 2],
  attention_resolutions: '16',
  num_head_channels: 16,
  use_scale_shift_norm: true,
  resblock_updown: true,
  learn_sigma: true,
};

/**
 * A restore short enough for a unit test: 8 network calls from t ~ 400. No SRM warm-up: on this
 * noise face 50 Adam warm-up steps would amplify rounding differences (onnx-contraction-restore.test.ts
 * bounds the warm-up case on a smooth input). The degradation is given, so that the result does not
 * depend on the bundled estimator. No collapse check: a uniform-noise input is no blurred face
 * (through the blur, results and bicubic alike miss it by about 0.2, limit 0.03), and the check
 * would return bicubic for every seed.
 */
const RESTORE = { steps: 8, seed: 5, warmupIters: 0, degradation: { blur: 2, noise: 5 }, collapseFactor: 1e6 } as const;

function lrFace(seed: number): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.randomUniform([8, 8, 3], 40, 215, 'float32', seed))) as tf.Tensor3D;
}

describe('restore() with the default prior on each backend', () => {
  let lr: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    const checkpoint = saveSafetensors(randomUNetTensors(CONFIG, 11), { config: JSON.stringify(CONFIG) });
    registerOnnxRuntime({ denoiser: { threads: 2 } });
    setDefaultFaceModel(checkpointFaceModel(checkpoint));
    lr = lrFace(1);
  });
  afterAll(() => {
    setDefaultFaceModel(BUNDLED_FACE_MODEL);
    registerOnnxRuntime();
    lr.dispose();
  });

  async function run(backend: 'tfjs' | 'onnx' | 'auto', seed: number = RESTORE.seed): Promise<{ pixels: Float32Array; info: RestoreInfo }> {
    const { output, info } = await restoreWithInfo(lr, { ...RESTORE, seed, backend });
    const pixels = output.dataSync() as Float32Array;
    output.dispose();
    return { pixels, info };
  }

  const meanAbs = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

  it('ONNX and tfjs give the same restore for the same seed, and info.prior says which ran', async () => {
    const tfjs = await run('tfjs');
    const before = tf.memory().numTensors;
    const onnx = await run('onnx');
    expect(tf.memory().numTensors).toBe(before);
    expect(tfjs.info.prior).toBe('tfjs-unet(32px)');
    expect(onnx.info.prior).toBe('onnx-unet(32px, cpu)');
    expect(onnx.pixels.length).toBe(32 * 32 * 3);
    // Float differences (~1e-6 per call) may flip a rounded 0..255 value by one, rarely.
    expect(maxAbs(onnx.pixels, tfjs.pixels)).toBeLessThanOrEqual(1);
    expect(meanAbs(onnx.pixels, tfjs.pixels)).toBeLessThan(0.01); // measured 0.0007: 2 of 3072 values
    expect(Math.abs(onnx.info.loss - tfjs.info.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, tfjs.info.loss));
    // Another seed moves the result far more than the backend does.
    const other = await run('onnx', RESTORE.seed + 1);
    const backendDiff = meanAbs(onnx.pixels, tfjs.pixels);
    expect(meanAbs(other.pixels, onnx.pixels)).toBeGreaterThan(Math.max(0.1, 100 * backendDiff));
  });

  it("'auto' picks ONNX Runtime when it is installed", async () => {
    const { info } = await run('auto');
    expect(info.prior).toBe('onnx-unet(32px, cpu)');
  });

  it('rejects an unknown backend with INVALID_OPTION', async () => {
    await expect(restoreWithInfo(lr, { ...RESTORE, backend: 'gpu' as 'auto' })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/backend/) });
  });
});
