import { DifbfsrError, type FaceTemplate, type FiveLandmarks } from '@difbfsr/core';

/** Side of the crops the FFHQ template below is given for. */
const FFHQ_TEMPLATE_SIZE = 512;

/**
 * Eye centres (left, right as seen in the image), nose tip and mouth corners of FFHQ-aligned 512 px
 * face crops, in pixels (x, y): the five-point template of the common face-restoration helpers
 * (facexlib's `FaceRestoreHelper`, used by GFPGAN, CodeFormer and DifFace).
 */
const FFHQ_TEMPLATE_POINTS: ReadonlyArray<readonly [number, number]> = [
  [192.98, 239.95],
  [318.9, 240.19],
  [256.63, 314.02],
  [201.26, 371.41],
  [313.09, 371.15],
];

/**
 * The FFHQ alignment template scaled to `size x size` crops (the prior's resolution): where the
 * FFHQ-trained checkpoints expect the five landmarks, so that `restorePhoto()` aligns detected
 * faces the way their training faces were aligned. The points are used as given, as pixel-edge
 * coordinates; whether facexlib meant pixel centres moves them by half a 512 px pixel (0.25 px at
 * 256 px), far below what a detector's landmarks are accurate to.
 * @throws DifbfsrError `INVALID_OPTION` when `size` is not a positive number.
 */
export function ffhqFaceTemplate(size: number): FaceTemplate {
  if (!(Number.isFinite(size) && size > 0)) throw new DifbfsrError('INVALID_OPTION', `A face template size must be a positive number, got ${size}`);
  const k = size / FFHQ_TEMPLATE_SIZE;
  return { size, points: FFHQ_TEMPLATE_POINTS.map(([x, y]) => ({ x: x * k, y: y * k })) as unknown as FiveLandmarks };
}
