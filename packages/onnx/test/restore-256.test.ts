import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restorePhoto, restoreWithInfo, type RestoreInfo } from '@difbfsr/core';
import { ffhqFaceTemplate, getPreset, loadCheckpoint, saveSafetensors, UNet } from '@difbfsr/models';
import { OnnxDenoiser } from '@difbfsr/onnx';
import { useBackend } from '../../../test-utils/backends.js';
import { SMALL_FFHQ256 } from '../../../test-utils/small-unets.js';
import { randomUNetTensors } from './random-state-dict.js';

/** One step from t ~ 400, no SRM warm-up: both optimisers agree to float rounding (see onnx-restore.test.ts). */
const RESTORE = { steps: 1, seed: 2, warmupIters: 0 } as const;

/** A smooth 64x64 "face": the library's input at 256 px, x4. */
function lrCrop(): tf.Tensor3D {
  return tf.tidy(() => {
    const [y, x] = tf.meshgrid(tf.linspace(-1, 1, 64), tf.linspace(-1, 1, 64)) as unknown as [tf.Tensor2D, tf.Tensor2D];
    const r = tf.sqrt(tf.add(tf.square(x), tf.square(y)));
    const base = tf.sub(200, tf.mul(90, r));
    return tf.clipByValue(tf.round(tf.stack([base, tf.sub(base, 20), tf.sub(base, 40)], 2)), 0, 255) as tf.Tensor3D;
  });
}

describe('restore() of a 64 px crop to 256 px with the ffhq256-p2 architecture (narrowed), library API', () => {
  let onnx: OnnxDenoiser;
  let tfjs: UNet;
  let lr: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    const sd = await loadCheckpoint(saveSafetensors(randomUNetTensors(SMALL_FFHQ256, 7)));
    onnx = (await OnnxDenoiser.create(SMALL_FFHQ256, sd, { device: 'cpu', threads: 2 }));
    tfjs = UNet.fromStateDict(SMALL_FFHQ256, sd);
    lr = lrCrop();
  });
  afterAll(() => {
    onnx?.dispose();
    tfjs?.dispose();
    lr?.dispose();
  });

  async function run(prior: UNet | OnnxDenoiser, optimizer: 'tfjs' | 'onnx'): Promise<{ pixels: Float32Array; info: RestoreInfo; shape: number[] }> {
    const { output, info } = await restoreWithInfo(lr, { ...RESTORE, prior, optimizer });
    const pixels = output.dataSync() as Float32Array;
    const shape = output.shape;
    output.dispose();
    return { pixels, info, shape };
  }

  it('on ONNX Runtime (U-Net and SRM/CFM) it gives what tfjs gives, to float rounding, and leaks nothing', async () => {
    const ref = await run(tfjs, 'tfjs');
    const before = tf.memory().numTensors;
    const got = await run(onnx, 'onnx');
    expect(tf.memory().numTensors).toBe(before);
    expect(got.shape).toEqual([256, 256, 3]);
    expect(got.info).toMatchObject({ prior: 'onnx-unet(256px, cpu)', optimizer: 'onnx(cpu)', collapsed: false });
    let worst = 0;
    for (let i = 0; i < ref.pixels.length; i++) worst = Math.max(worst, Math.abs(got.pixels[i] - ref.pixels[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("restorePhoto takes the preset's template for a prior built from a checkpoint", async () => {
    // An aligned 64 px crop: the report gives the template's landmarks, scaled to the input.
    const { faces, image } = await restorePhoto(
      { data: new Uint8Array(lr.dataSync()), width: 64, height: 64 },
      { prior: onnx, template: getPreset('ffhq256-p2').faceTemplate, aligned: true, ...RESTORE },
    );
    expect([image.width, image.height]).toEqual([256, 256]);
    ffhqFaceTemplate(64).points.forEach((p, i) => {
      expect(faces[0].landmarks![i].x).toBeCloseTo(p.x, 6);
      expect(faces[0].landmarks![i].y).toBeCloseTo(p.y, 6);
    });
  });
});
