import { DifbfsrError } from '../errors.js';
import type { FaceTemplate, FiveLandmarks } from '../types/face.js';

/**
 * Validate a template and scale it to a square of side `side` (for example the low-resolution crop).
 * @throws DifbfsrError `INVALID_OPTION` when it does not have five finite points inside its square.
 */
export function scaleFaceTemplate(template: FaceTemplate, side: number): FiveLandmarks {
  const { size, points } = template ?? {};
  if (!(Number.isFinite(size) && size > 0) || !Array.isArray(points) || points.length !== 5) {
    throw new DifbfsrError('INVALID_OPTION', 'A face template needs a positive size and five points (eyes, nose tip, mouth corners)');
  }
  for (const p of points) {
    if (!(Number.isFinite(p?.x) && Number.isFinite(p?.y)) || p.x < 0 || p.y < 0 || p.x > size || p.y > size) {
      throw new DifbfsrError('INVALID_OPTION', `Face template point ${JSON.stringify(p)} is not inside its ${size}x${size} square`);
    }
  }
  const k = side / size;
  return points.map((p) => ({ x: p.x * k, y: p.y * k })) as unknown as FiveLandmarks;
}
