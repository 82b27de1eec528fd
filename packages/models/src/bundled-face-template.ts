import type { FaceTemplate, FiveLandmarks } from '@difbfsr/core';
import config from '../assets/face64/config.json';

/**
 * The bundled face prior's face template: where its training faces (faces64: UTKFace and CelebA
 * aligned crops) have their eyes, nose tip and mouth corners, in its 64x64 output. Derived by
 * `node --import tsx tools/face-template/derive.ts` (face-api landmarks averaged over the
 * development faces) and stored in `assets/face64/config.json` as `face_template`.
 */
export const BUNDLED_FACE_TEMPLATE: FaceTemplate = {
  size: config.face_template.size,
  points: config.face_template.points.map(({ x, y }) => ({ x, y })) as unknown as FiveLandmarks,
};

