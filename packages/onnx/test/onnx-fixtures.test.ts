import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, type StateDict, type UNetConfig } from '@difbfsr/models';
import { exportUNetToOnnx, OnnxDenoiser, type OnnxDenoiserOptions } from '@difbfsr/onnx';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { maxRelDiff, refChannelsNhwc, refInputNhwc } from './helpers.js';

/** The fixtures' tolerance for a float32 implementation. */
const TOLERANCE = 1e-4;
/**
 * float16 storage rounds every weight by up to 2^-11 relative; through the ~20 layers of the tiny
 * networks that moves the output by about 3e-3, so 1e-2 * max(1, |ref|) is the bound.
 */
const FP16_TOLERANCE = 1e-2;

for (const fixture of ['tiny-a', 'tiny-b']) {
  const files = [`fixtures/adm/${fixture}.safetensors`, `fixtures/adm/${fixture}.io.safetensors`];
  describeShared(`ONNX export matches guided-diffusion on ${fixture}`, files, () => {
    let weights: StateDict;
    let io: StateDict;
    let config: UNetConfig;
    let learned: boolean;
    beforeAll(async () => {
      await tf.setBackend('cpu');
      weights = await loadCheckpoint(sharedPath(files[0]));
      io = await loadCheckpoint(sharedPath(files[1]));
      config = JSON.parse(weights.metadata.config) as UNetConfig;
      learned = io.get('out').shape[1] === 6;
    });

    it('the exported NCHW graph reproduces the output within 1e-4 * max(1, |ref|)', async () => {
      const { model } = exportUNetToOnnx(config, weights);
      const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
      const x = io.get('x');
      const out = await session.run({
        x: new ort.Tensor('float32', x.toFloat32(), [...x.shape]),
        timesteps: new ort.Tensor('float32', io.get('t').toFloat32(), [x.shape[0]]),
      });
      await session.release();
      const ref = io.get('out');
      const [b, , h, w] = ref.shape;
      const eps = out.eps.data as Float32Array;
      const refData = ref.toFloat32();
      // eps is channels 0..2 of the reference, v channels 3..5, both NCHW.
      const refEps = new Float32Array(eps.length);
      const refV = new Float32Array(eps.length);
      for (let n = 0; n < b; n++) {
        refEps.set(refData.subarray(n * ref.shape[1] * h * w, (n * ref.shape[1] + 3) * h * w), n * 3 * h * w);
        if (learned) refV.set(refData.subarray((n * 6 + 3) * h * w, (n * 6 + 6) * h * w), n * 3 * h * w);
      }
      expect(out.eps.dims).toEqual([b, 3, h, w]);
      expect(maxRelDiff(eps, refEps)).toBeLessThanOrEqual(TOLERANCE);
      expect('v' in out).toBe(learned);
      if (learned) expect(maxRelDiff(out.v.data as Float32Array, refV)).toBeLessThanOrEqual(TOLERANCE);
    });

    const modes: Array<[string, OnnxDenoiserOptions, number, string]> = [
      ['weights as inputs', { weights: 'inputs', executionProviders: ['cpu'] }, TOLERANCE, 'cpu'],
      ['weights as initializers', { weights: 'initializers', executionProviders: ['cpu'] }, TOLERANCE, 'cpu'],
      ['float16 weights', { fp16: true, executionProviders: ['cpu'] }, FP16_TOLERANCE, 'cpu'],
      // The browser package, run by Node on its WebAssembly provider.
      ['onnxruntime-web', { runtime: 'web' }, TOLERANCE, 'wasm'],
    ];
    for (const [label, options, tolerance, provider] of modes) {
      describe(`OnnxDenoiser, ${label}`, () => {
        let net: OnnxDenoiser;
        let x: tf.Tensor4D;
        let t: number[];
        beforeAll(async () => {
          net = await OnnxDenoiser.create(config, weights, { ...options, threads: 2 });
          x = refInputNhwc(io);
          t = Array.from(io.get('t').toFloat32());
        });
        afterAll(() => {
          net.dispose();
          x.dispose();
        });

        it(`predict() gives eps and v within ${tolerance} * max(1, |ref|), without leaking`, async () => {
          const before = tf.memory().numTensors;
          const { eps, v } = await net.predict(x, t);
          expect(eps.shape).toEqual(x.shape);
          expect(net.learnedVariance).toBe(learned);
          const epsDiff = maxRelDiff(eps.dataSync(), refChannelsNhwc(io, 'out', 0, 3));
          expect(epsDiff).toBeLessThanOrEqual(tolerance);
          if (tolerance > TOLERANCE) expect(epsDiff).toBeGreaterThan(0); // float16 weights do change the result
          expect(v !== undefined).toBe(learned);
          if (v) expect(maxRelDiff(v.dataSync(), refChannelsNhwc(io, 'out', 3, 3))).toBeLessThanOrEqual(tolerance);
          tf.dispose([eps, v ?? []]);
          expect(tf.memory().numTensors).toBe(before);
          expect(net.executionProvider).toBe(provider);
          expect(net.weights).toBe(options.weights === 'inputs' ? 'inputs' : 'initializers');
          expect(net.name).toBe(`onnx-unet(32px, ${provider})`);
        });
      });
    }

    it('gives each batch item the result it gets alone', async () => {
      const net = await OnnxDenoiser.create(config, weights, { threads: 2 });
      const x = refInputNhwc(io);
      const t = Array.from(io.get('t').toFloat32());
      const both = await net.predict(x, t);
      const second = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]);
      const alone = await net.predict(second, [t[1]]);
      const fromBoth = tf.slice(both.eps, [1, 0, 0, 0], [1, -1, -1, -1]);
      expect(maxRelDiff(alone.eps.dataSync(), fromBoth.dataSync())).toBeLessThan(1e-5);
      tf.dispose([x, second, fromBoth, both.eps, both.v ?? [], alone.eps, alone.v ?? []]);
      net.dispose();
    });
  });
}
