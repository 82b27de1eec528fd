import { DifbfsrError } from '@difbfsr/core';
import type { RgbImage } from '../image.js';

/** Nearest-neighbour upscaling of an RGB image to `size x size`, by an integer factor. */
export function upscaleNearest(img: RgbImage, size: number): RgbImage {
  const f = size / img.width;
  if (!Number.isInteger(f) || size / img.height !== f) {
    throw new DifbfsrError('INVALID_SIZE', `cannot scale ${img.width}x${img.height} to ${size}x${size} by an integer factor`);
  }
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const src = (Math.floor(y / f) * img.width + Math.floor(x / f)) * 3;
      data.set(img.data.subarray(src, src + 3), (y * size + x) * 3);
    }
  return { width: size, height: size, data };
}

/**
 * Tile rows of equal-size images into one image, `gap` white pixels between tiles; a missing
 * tile (`undefined`) stays mid grey.
 * @throws DifbfsrError `INVALID_SIZE` when the tiles differ in size.
 */
export function composeGrid(rows: readonly (readonly (RgbImage | undefined)[])[], gap = 2): RgbImage {
  const tiles = rows.flat().filter((t): t is RgbImage => t !== undefined);
  if (tiles.length === 0) throw new DifbfsrError('INVALID_INPUT', 'an image grid needs at least one image');
  const { width: tw, height: th } = tiles[0];
  if (tiles.some((t) => t.width !== tw || t.height !== th)) throw new DifbfsrError('INVALID_SIZE', 'the tiles of an image grid must have the same size');
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * tw + (cols - 1) * gap;
  const height = rows.length * th + (rows.length - 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((row, r) =>
    row.forEach((tile, c) => {
      for (let y = 0; y < th; y++) {
        const at = ((r * (th + gap) + y) * width + c * (tw + gap)) * 3;
        if (tile) data.set(tile.data.subarray(y * tw * 3, (y + 1) * tw * 3), at);
        else data.fill(128, at, at + tw * 3);
      }
    }),
  );
  return { width, height, data };
}
