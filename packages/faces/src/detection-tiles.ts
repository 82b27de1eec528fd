import type { FaceBox } from '@difbfsr/core';

/** A square-ish part of the image that the detector looks at in one pass. */
export interface DetectionTile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The passes that find faces down to `minFaceSize` pixels with a detector that resizes each pass to
 * `inputSize` and finds faces from `detectableSize` pixels (at its input) up: a pyramid of tiles.
 * The finest level has tiles of side `inputSize * minFaceSize / detectableSize` (a small face is
 * upscaled to a detectable size); each coarser level doubles the side; the last pass is the whole
 * image. Tiles overlap by half their side, so every face up to half a tile lies wholly in one tile
 * of a level where it is detectable.
 */
export function detectionTiles(width: number, height: number, minFaceSize: number, inputSize: number, detectableSize: number): DetectionTile[] {
  const tiles: DetectionTile[] = [];
  const longest = Math.max(width, height);
  for (let side = Math.max(1, Math.floor((inputSize * minFaceSize) / detectableSize)); side < longest; side *= 2) {
    const stride = Math.floor(side / 2);
    const starts = (size: number) => {
      if (size <= side) return [0];
      const n = Math.ceil((size - side) / stride);
      return Array.from({ length: n + 1 }, (_, i) => Math.min(i * stride, size - side));
    };
    for (const y of starts(height)) for (const x of starts(width)) tiles.push({ x, y, width: Math.min(side, width), height: Math.min(side, height) });
  }
  tiles.push({ x: 0, y: 0, width, height });
  return tiles;
}

/** True when a box found in a tile touches a tile edge that is not an image edge (the face may be cut). */
export function touchesInnerEdge(box: FaceBox, tile: DetectionTile, width: number, height: number, margin = 1): boolean {
  return (
    (tile.x > 0 && box.x <= tile.x + margin) ||
    (tile.y > 0 && box.y <= tile.y + margin) ||
    (tile.x + tile.width < width && box.x + box.width >= tile.x + tile.width - margin) ||
    (tile.y + tile.height < height && box.y + box.height >= tile.y + tile.height - margin)
  );
}

/** Intersection over union of two boxes. */
export function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Greedy non-maximum suppression: best score first, dropping boxes overlapping a kept one by more than `threshold` IoU. */
export function suppressOverlaps<T extends { box: FaceBox; score: number }>(items: T[], threshold: number): T[] {
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    if (kept.every((k) => iou(k.box, item.box) <= threshold)) kept.push(item);
  }
  return kept;
}
