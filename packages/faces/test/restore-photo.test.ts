import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeRawImage, encodeRawImage, getDefaultDegradationEstimator, getDefaultPrior, restorePhoto, upscaleLanczos, type RawImage, type RgbImage } from '@difbfsr/core';
import { BUNDLED_FACE_TEMPLATE } from '@difbfsr/models';
import { FaceApiDetector } from '@difbfsr/faces';
import { useBackend } from '../../../test-utils/backends.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { composePhoto, placement, readPng } from './synthetic-photo.js';

const FACE = 'data/faces64/dev/utk_0008.png';

function toPhoto(rgb: RgbImage): RawImage {
  return { data: Uint8Array.from(rgb.data, (v) => Math.min(255, Math.max(0, Math.round(v)))), width: rgb.width, height: rgb.height, channels: 3 };
}

describeShared('restorePhoto with face-api and the bundled prior [wasm]', [FACE], () => {
  let detector: FaceApiDetector;
  beforeAll(async () => {
    await useBackend('wasm');
    detector = await FaceApiDetector.load();
  });
  afterAll(() => detector?.dispose());

  it('the bundled prior carries the face template of its config', async () => {
    const prior = await getDefaultPrior({ backend: 'tfjs' });
    expect(prior.faceTemplate).toEqual(BUNDLED_FACE_TEMPLATE);
    expect(BUNDLED_FACE_TEMPLATE.size).toBe(prior.resolution);
    // eyes level and above the nose, nose above the mouth, left of right
    const [le, re, nose, lm, rm] = BUNDLED_FACE_TEMPLATE.points;
    expect(Math.abs(le.y - re.y)).toBeLessThan(1);
    expect(le.x).toBeLessThan(re.x);
    expect(nose.y).toBeGreaterThan(le.y);
    expect(lm.y).toBeGreaterThan(nose.y);
    expect(lm.x).toBeLessThan(rm.x);
  });

  it('finds a small face in a photo, restores it without shifting its colour, and leaves the rest of the upscaled photo as it was', async () => {
    const face = readPng(sharedPath(FACE));
    // a 64 px face of the prior's framing shrunk to its 16 px input size, rotated, in an 80x64 photo
    const photo = toPhoto(composePhoto(80, 64, [{ image: face, toPhoto: placement(64, 16 / 64, 12, { x: 38, y: 30 }) }]));
    const prior = await getDefaultPrior({ backend: 'tfjs' });
    // Loaded once and kept, like the prior: its weights are not a leak of the restore.
    await getDefaultDegradationEstimator();
    const before = tf.memory().numTensors;
    const result = await restorePhoto(photo, { detector, prior, minFaceSize: 8, steps: 3, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect([result.image.width, result.image.height]).toEqual([320, 256]);
    const restored = result.faces.filter((f) => !f.skipped);
    expect(restored).toHaveLength(1);
    const [f] = restored;
    expect(f.restore?.steps).toBe(3);
    expect(f.restore?.prior).toContain('face64');
    // the aligned crop puts the face at about 16 px: scale of the similarity ~1 (LR crop px per photo px)
    expect(Math.hypot(f.toCrop!.a, f.toCrop!.c)).toBeGreaterThan(0.7);
    expect(Math.hypot(f.toCrop!.a, f.toCrop!.c)).toBeLessThan(1.4);
    // skin tone: mask-weighted mean colour change of the pasted face, 0..255 units
    console.info(`colour shift of the pasted face (RGB, 0..255): ${f.colourShift!.map((s) => s.toFixed(2)).join(', ')}`);
    for (const s of f.colourShift!) expect(Math.abs(s)).toBeLessThan(3);
    // outside the pasted region: exactly the Lanczos3 upscale
    const px = decodeRawImage(photo);
    const bg = encodeRawImage(await upscaleLanczos({ ...px.rgb, channels: 3 }, 4), undefined, px.layout);
    const r = f.region!;
    let outside = 0;
    let inside = 0;
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 320; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * 320 + x) * 3 + c;
          const inRegion = x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
          if (result.image.data[i] !== bg.data[i]) inRegion ? inside++ : outside++;
        }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(1000);
  });
});
