import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { AbortError, applyAffine, type DetectedFace, type Point, type RgbImage } from '@difbfsr/core';
import { FaceApiDetector } from '@difbfsr/faces';
import { useBackend } from '../../../test-utils/backends.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { composePhoto, placement, readPng, resized } from './synthetic-photo.js';

const HQ = ['celebahq_ddnm_00258.png', 'celebahq_ilvr_00004.png', 'celebahq_sr3_00031.png'].map((f) => `data/hq256/dev/${f}`);
const SMALL = ['utk_0008.png', 'celeba_0128.png'].map((f) => `data/faces64/dev/${f}`);

const centre = (f: DetectedFace): Point => ({ x: f.box.x + f.box.width / 2, y: f.box.y + f.box.height / 2 });
const nearest = (faces: DetectedFace[], p: Point) =>
  faces.reduce((best, f) => (Math.hypot(centre(f).x - p.x, centre(f).y - p.y) < Math.hypot(centre(best).x - p.x, centre(best).y - p.y) ? f : best));

describe('FaceApiDetector.load', () => {
  it('rejects bad options and unreadable model folders with typed errors', async () => {
    await expect(FaceApiDetector.load({ network: 'yolo' as 'ssd' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(FaceApiDetector.load({ minConfidence: 1.5 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(FaceApiDetector.load({ modelUrl: '/nonexistent/face-api/model' })).rejects.toMatchObject({ code: 'IO' });
  });
});

describeShared('FaceApiDetector on synthetic photos [wasm]', [...HQ, ...SMALL], () => {
  let detector: FaceApiDetector;
  beforeAll(async () => {
    await useBackend('wasm');
    detector = await FaceApiDetector.load();
  });
  afterAll(() => detector?.dispose());

  it('finds every pasted face, rotated and scaled, with landmarks where the known transform puts them', async () => {
    const faces = HQ.map((f) => resized(readPng(sharedPath(f)), 128));
    // Reference: each face alone, upright, at 128 px in the middle of a 320 px canvas -> landmarks in face pixels.
    const reference: Point[][] = [];
    for (const face of faces) {
      const alone = await detector.detect(composePhoto(320, 320, [{ image: face, toPhoto: placement(128, 1, 0, { x: 160, y: 160 }) }]));
      expect(alone).toHaveLength(1);
      reference.push(alone[0].landmarks.map((p) => ({ x: p.x - 96, y: p.y - 96 })));
    }
    const placements = [
      { k: 0.9, deg: -12, at: { x: 110, y: 120 } },
      { k: 0.8, deg: 0, at: { x: 250, y: 200 } },
      { k: 1.0, deg: 15, at: { x: 390, y: 110 } },
    ].map(({ k, deg, at }) => ({ k, toPhoto: placement(128, k, deg, at), at }));
    const photo = composePhoto(480, 320, faces.map((image, i) => ({ image, toPhoto: placements[i].toPhoto })));
    const before = tf.memory().numTensors;
    const passes: number[] = [];
    const found = await detector.detect(photo, { onProgress: ({ done }) => passes.push(done) });
    expect(tf.memory().numTensors).toBe(before);
    expect(passes).toEqual([1]); // 480 px photo, faces of 40+ px: one pass
    expect(found).toHaveLength(3);
    placements.forEach(({ k, toPhoto, at }, i) => {
      const f = nearest(found, at);
      expect(Math.hypot(centre(f).x - at.x, centre(f).y - at.y)).toBeLessThan(20 * k);
      const worst = Math.max(...f.landmarks.map((p, j) => {
        const q = applyAffine(toPhoto, reference[i][j]);
        return Math.hypot(p.x - q.x, p.y - q.y);
      }));
      // within 3% of the face image's side (128 k px): a few pixels
      expect(worst).toBeLessThan(0.03 * 128 * k);
    });
  });

  it('finds faces at the bundled prior input size (16 px crops, ~12 px boxes) only on upscaled tiles', async () => {
    const faces = SMALL.map((f) => readPng(sharedPath(f)));
    const at = [{ x: 60, y: 60 }, { x: 170, y: 110 }];
    const photo: RgbImage = composePhoto(240, 180, faces.map((image, i) => ({ image, toPhoto: placement(64, 16 / 64, 10 * i, at[i]) })));
    // one pass: SSD sees the 240 px photo at 512 px, faces ~25 px: below its reliable size
    expect(await detector.detect(photo, { minFaceSize: 60 })).toHaveLength(0);
    let total = 0;
    const found = await detector.detect(photo, { minFaceSize: 12, onProgress: (p) => (total = p.total) });
    expect(total).toBe(7); // 6 tiles of 128 px (x4 at SSD's input), then the whole photo
    expect(found).toHaveLength(2);
    for (const p of at) {
      const f = nearest(found, p);
      expect(Math.hypot(centre(f).x - p.x, centre(f).y - p.y)).toBeLessThan(5);
      expect(Math.max(f.box.width, f.box.height)).toBeGreaterThan(8);
      expect(Math.max(f.box.width, f.box.height)).toBeLessThan(20);
    }
  });

  it('stops on abort between passes', async () => {
    const photo = composePhoto(200, 150, []);
    const ctrl = new AbortController();
    const before = tf.memory().numTensors;
    const run = detector.detect(photo, { minFaceSize: 10, signal: ctrl.signal, onProgress: ({ done }) => done === 2 && ctrl.abort() });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
