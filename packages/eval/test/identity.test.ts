import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  faceApiModelDir,
  faceFeatureDistances,
  FaceRecognizer,
  gaussianBlur,
  identitySimilarities,
  jpegRoundTrip,
  quantizeToUint8,
  readRgb,
  type RgbImage,
} from '@difbfsr/eval';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { errorOf, usePlainBackend } from '../../../test-utils/plain-backend.js';

// The repo's own example face: a sample of the bundled prior (examples/assets, ours to ship).
const EXAMPLE_FACE = fileURLToPath(new URL('../../../examples/assets/face-hr.png', import.meta.url));

let recognizer: FaceRecognizer;
beforeAll(async () => {
  await usePlainBackend('wasm');
  recognizer = FaceRecognizer.load();
});
afterAll(() => recognizer.dispose());

/** A mild degradation at full size: blur sigma 1, then JPEG quality 75. */
async function mildlyDegraded(img: RgbImage): Promise<RgbImage> {
  return (await jpegRoundTrip(quantizeToUint8(gaussianBlur(img, 1)), 75)).image;
}

describe('face recognition descriptors', () => {
  it("equal face-api's own computeFaceDescriptor on the same weights", async () => {
    const img = await readRgb(EXAMPLE_FACE);
    const [ours] = recognizer.embed([img]);
    // face-api 1.7's Node build (its own code, on tfjs 4.22 through the @tensorflow/tfjs umbrella).
    const require = createRequire(import.meta.url);
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    const tfjs = require('@tensorflow/tfjs') as typeof tf;
    await faceapi.nets.faceRecognitionNet.loadFromDisk(faceApiModelDir());
    const input = tfjs.tensor3d(Float32Array.from(img.data), [img.height, img.width, 3]);
    const reference = (await faceapi.computeFaceDescriptor(input)) as Float32Array;
    input.dispose();
    faceapi.nets.faceRecognitionNet.dispose();
    expect(ours).toHaveLength(128);
    let maxDiff = 0;
    for (let i = 0; i < 128; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - reference[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('give similarity 1 for the same image, batch or not, and leak no tensors', async () => {
    const img = await readRgb(EXAMPLE_FACE);
    const before = tf.memory().numTensors;
    const [alone] = recognizer.embed([img]);
    const sims = identitySimilarities(recognizer, img, [img, await mildlyDegraded(img)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(sims[0]).toBeCloseTo(1, 5);
    expect(sims[1]).toBeLessThan(1);
    expect(cosineSimilarity(alone, recognizer.embed([img])[0])).toBeCloseTo(1, 6);
  });

  it('refuses a non-square crop, and zero or mismatched vectors', () => {
    const img = { width: 4, height: 2, data: new Uint8Array(24) };
    expect(errorOf(() => recognizer.embed([img])).code).toBe('INVALID_SIZE');
    expect(errorOf(() => cosineSimilarity([0, 0], [1, 0])).code).toBe('INVALID_INPUT');
    expect(errorOf(() => cosineSimilarity([1], [1, 0])).code).toBe('INVALID_INPUT');
  });
});

describe('face feature distance (LPIPS-type, on the recogniser features)', () => {
  it('is 0 for the same face, grows with blur, and leaks no tensors', async () => {
    const img = await readRgb(EXAMPLE_FACE);
    const blurred = (sigma: number) => quantizeToUint8(gaussianBlur(img, sigma));
    const before = tf.memory().numTensors;
    const [self, mild, strong] = faceFeatureDistances(recognizer, img, [img, blurred(1), blurred(3)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(self).toBeLessThan(1e-6);
    expect(mild).toBeGreaterThan(0.01);
    expect(strong).toBeGreaterThan(mild);
    // One pair at a time gives the batch's value.
    expect(faceFeatureDistances(recognizer, img, [blurred(3)])[0]).toBeCloseTo(strong, 5);
  });

  it('taps the stem and the last block of each resolution', () => {
    const batch = tf.zeros([1, 150, 150, 3]) as tf.Tensor4D;
    const layers = recognizer.features(batch);
    expect(layers.map((l) => l.shape)).toEqual([[1, 35, 35, 32], [1, 35, 35, 32], [1, 17, 17, 64], [1, 8, 8, 128], [1, 2, 2, 256]]);
    tf.dispose([batch, ...layers]);
  });
});

const FACES = ['celeba_0128.png', 'celeba_0170.png', 'utk_0040.png', 'utk_0110.png'];
describeShared('identity similarity on dev faces', FACES.map((f) => `data/faces64/dev/${f}`), () => {
  it('scores each face closer to its own mild degradation than to any other face', async () => {
    const faces = await Promise.all(FACES.map((f) => readRgb(sharedPath('data/faces64/dev', f))));
    for (const [i, face] of faces.entries()) {
      const [self, ...others] = identitySimilarities(recognizer, face, [await mildlyDegraded(face), ...faces.filter((_, j) => j !== i)]);
      expect(self).toBeGreaterThan(Math.max(...others));
    }
  });
});
