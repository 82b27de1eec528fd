import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlendedDenoiser, getDefaultPrior, type Denoiser } from '@difbfsr/core';
import { BUNDLED_PRIOR_URL } from '@difbfsr/models';
import '@difbfsr/onnx'; // registers runtime 'onnx', which 'auto' tries first

/**
 * The bundled 64x64 face prior, as `@difbfsr/models` registers it for `restore()`: with this package
 * imported, `'auto'` opens it on ONNX Runtime (same file, same loader as the tfjs U-Net), checked
 * against the PyTorch forward of the shipped weights in forward-check.json (tools/train-prior/export.py).
 * The default prior blends that network with the Gaussian face model; the check runs the network.
 */
const asset = (file: string) => fileURLToPath(new URL(file, BUNDLED_PRIOR_URL));
const present = existsSync(asset('prior.safetensors')) && existsSync(asset('forward-check.json'));
if (!present) console.warn('SKIP bundled prior on ONNX Runtime: packages/models/assets/face64 is not there yet');

interface ForwardCheck {
  t: number[];
  shape: [number, number, number, number];
  samples: { flat_index_nhwc: number[]; value: number[] };
}

/** forward-check.json's input: x[b,h,w,c] = 0.9 sin(0.21h + 0.13w + 0.7c + 1.1b), NHWC. */
function checkInput([b, h, w]: readonly number[]): tf.Tensor4D {
  const data = new Float32Array(b * h * w * 3);
  let i = 0;
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[i++] = 0.9 * Math.sin(0.21 * y + 0.13 * x + 0.7 * c + 1.1 * n);
  return tf.tensor4d(data, [b, h, w, 3]);
}

describe.skipIf(!present)('bundled face prior on ONNX Runtime', () => {
  let prior: Denoiser;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    prior = await getDefaultPrior({ backend: 'auto' });
  });
  afterAll(() => prior?.dispose?.());

  it("'auto' opens it on onnxruntime-node and reproduces the PyTorch forward within 1e-3", async () => {
    expect(prior.name).toBe('difbfsr-face64(onnx, cpu)+difbfsr-face64-gaussian');
    expect(prior).toBeInstanceOf(BlendedDenoiser);
    const network = (prior as BlendedDenoiser).network;
    const ref = JSON.parse(readFileSync(asset('forward-check.json'), 'utf8')) as ForwardCheck;
    const x = checkInput(ref.shape);
    const { eps, v } = await network.predict(x, ref.t);
    const out = tf.concat([eps, v!], 3);
    const flat = out.dataSync();
    const worst = Math.max(
      ...ref.samples.flat_index_nhwc.map((idx, i) => Math.abs(flat[idx] - ref.samples.value[i]) / Math.max(1, Math.abs(ref.samples.value[i]))),
    );
    expect(worst).toBeLessThanOrEqual(1e-3);
    tf.dispose([x, eps, v!, out]);
  });
});
