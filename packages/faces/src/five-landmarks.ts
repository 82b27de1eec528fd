import { DifbfsrError, type FiveLandmarks, type Point } from '@difbfsr/core';

/** Mean of points `from..to` (inclusive) of the 68. */
function meanOf(points: readonly Point[], from: number, to: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += points[i].x;
    y += points[i].y;
  }
  const n = to - from + 1;
  return { x: x / n, y: y / n };
}

/**
 * The five alignment landmarks from the 68-point (iBUG 300-W) layout face-api predicts: eye centres as
 * the mean of each eye's six contour points (36-41 on the image's left, 42-47 on its right), the
 * nose tip (30) and the outer mouth corners (48 left, 54 right).
 */
export function fiveFrom68(points: readonly Point[]): FiveLandmarks {
  if (points.length !== 68) throw new DifbfsrError('INVALID_INPUT', `expected 68 landmarks, got ${points.length}`);
  return [meanOf(points, 36, 41), meanOf(points, 42, 47), { ...points[30] }, { ...points[48] }, { ...points[54] }];
}
