import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyAffine, estimateSimilarity, scaleFaceTemplate, type FaceTemplate, type Point } from '@difbfsr/core';
import { BUNDLED_FACE_TEMPLATE, ffhqFaceTemplate } from '@difbfsr/models';
import { FaceApiDetector } from '@difbfsr/faces';
import { useBackend } from '../../../test-utils/backends.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { composePhoto, placement, readPng } from './synthetic-photo.js';

/** The FFHQ faces among the development faces: FFHQ-aligned 256 px crops (from DPS, GPEN and SR3). */
const FFHQ = ['ffhq_dps_00015', 'ffhq_gpen_00000', 'ffhq_gpen_00002', 'ffhq_gpen_00003', 'ffhq_gpen_00004', 'ffhq_gpen_00007', 'ffhq_gpen_00008', 'ffhq_sr3_00041'].map(
  (f) => `data/hq256/dev/${f}.png`,
);

/** How far a template is from the framing of a face: the similarity from its landmarks onto the template. */
interface Fit {
  scale: number;
  degrees: number;
  /** How far the crop's centre moves, in pixels. */
  shift: number;
}

function fit(landmarks: readonly Point[], template: FaceTemplate, side: number): Fit {
  const m = estimateSimilarity(landmarks, scaleFaceTemplate(template, side));
  const c = applyAffine(m, { x: side / 2, y: side / 2 });
  return { scale: Math.hypot(m.a, m.c), degrees: (Math.atan2(m.c, m.a) * 180) / Math.PI, shift: Math.hypot(c.x - side / 2, c.y - side / 2) };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describeShared('the FFHQ template against FFHQ-aligned faces [wasm]', FFHQ, () => {
  let detector: FaceApiDetector;
  /** face-api's five landmarks of each face, in its 256 px crop. */
  const landmarks: Point[][] = [];
  beforeAll(async () => {
    await useBackend('wasm');
    detector = await FaceApiDetector.load();
    for (const file of FFHQ) {
      // Each crop in the middle of a 320 px canvas: SSD finds faces that fill the frame poorly.
      const photo = composePhoto(320, 320, [{ image: readPng(sharedPath(file)), toPhoto: placement(256, 1, 0, { x: 160, y: 160 }) }]);
      const [face] = await detector.detect(photo);
      landmarks.push(face.landmarks.map((p) => ({ x: p.x - 32, y: p.y - 32 })));
    }
  });
  afterAll(() => detector?.dispose());

  it('aligning FFHQ faces to it is close to the identity: FFHQ presets see faces framed as in training', () => {
    const fits = landmarks.map((l) => fit(l, ffhqFaceTemplate(256), 256));
    for (const f of fits) {
      expect(Math.abs(f.scale - 1)).toBeLessThan(0.1);
      expect(Math.abs(f.degrees)).toBeLessThan(3);
      expect(f.shift).toBeLessThan(8);
    }
    expect(Math.abs(mean(fits.map((f) => f.scale)) - 1)).toBeLessThan(0.03);
    expect(mean(fits.map((f) => f.shift))).toBeLessThan(4);
  });

  it('the bundled 64 px prior\'s template frames the same faces differently (the check tells templates apart)', () => {
    const fits = landmarks.map((l) => fit(l, BUNDLED_FACE_TEMPLATE, 256));
    expect(mean(fits.map((f) => f.scale))).toBeGreaterThan(1.2);
  });
});
