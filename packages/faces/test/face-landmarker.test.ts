import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceApiLandmarker, fiveFrom68 } from '@difbfsr/faces';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { readPng } from './synthetic-photo.js';

// Eye height and distance of the two sources' framing in the 64 px crops (../shared/data/README.md
// and the face template's per-source means in packages/models/assets/face64/config.json).
const FRAMING = { utk: { eyeY: 18, eyeDistance: 24.5 }, celeba: { eyeY: 29.5, eyeDistance: 17.6 } };
const FACES = ['utk_0008.png', 'utk_0040.png', 'utk_0110.png', 'celeba_0128.png', 'celeba_0170.png', 'celeba_0184.png'];

describe('FaceApiLandmarker', () => {
  it('refuses unreadable weights and malformed crops with typed errors', async () => {
    await expect(FaceApiLandmarker.load({ modelUrl: '/nonexistent/face-api/model' })).rejects.toMatchObject({ code: 'IO' });
    await usePlainBackend('wasm');
    const landmarker = await FaceApiLandmarker.load();
    await expect(landmarker.locate({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    landmarker.dispose();
  });
});

describeShared('FaceApiLandmarker on aligned dev faces [wasm]', FACES.map((f) => `data/faces64/dev/${f}`), () => {
  let landmarker: FaceApiLandmarker;
  beforeAll(async () => {
    await usePlainBackend('wasm');
    landmarker = await FaceApiLandmarker.load();
  });
  afterAll(() => landmarker?.dispose());

  it("puts the eyes where each source's alignment put them, and leaks no tensors", async () => {
    for (const f of FACES) {
      const png = readPng(sharedPath('data/faces64/dev', f));
      const before = tf.memory().numTensors;
      const points = await landmarker.locate({ width: png.width, height: png.height, data: png.data });
      expect(tf.memory().numTensors).toBe(before);
      expect(points).toHaveLength(68);
      const [left, right] = fiveFrom68(points);
      const frame = FRAMING[f.startsWith('utk') ? 'utk' : 'celeba'];
      expect(Math.abs((left.y + right.y) / 2 - frame.eyeY)).toBeLessThan(4);
      expect(Math.abs(right.x - left.x - frame.eyeDistance)).toBeLessThan(5);
      expect(Math.abs((left.x + right.x) / 2 - 32)).toBeLessThan(4);
    }
  });
});
