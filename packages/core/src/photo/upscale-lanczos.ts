import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../errors.js';
import { applySeparable } from '../image/apply-separable.js';
import { lanczosBlock } from '../image/lanczos-matrix.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { FloatImage } from '../types/image.js';
import { readWindow, writeWindow } from './pixel-window.js';

/** Output tile side: each tile is one small separable product, so memory and time stay linear in pixels. */
const TILE = 256;

/** Options of {@link upscaleLanczos} and `resizeLanczos`. */
export interface UpscaleOptions {
  signal?: AbortSignal;
  /** Called after each output tile. */
  onTile?: (done: number, total: number) => void;
}

/**
 * Lanczos3 resampling of a plane to `outWidth x outHeight`, tile by tile (the result stays in
 * JavaScript memory; only one tile at a time is a tensor). With `antialias` a reduction stretches
 * the kernel (as `lanczosMatrix`). Cancellable between tiles.
 */
export async function resizeLanczos(
  plane: FloatImage,
  outWidth: number,
  outHeight: number,
  options: UpscaleOptions & { antialias?: boolean } = {},
): Promise<FloatImage> {
  const { width, height, channels } = plane;
  const kernel = { antialias: options.antialias };
  const out: FloatImage = { data: new Float32Array(outWidth * outHeight * channels), width: outWidth, height: outHeight, channels };
  const tilesX = Math.ceil(outWidth / TILE);
  const tilesY = Math.ceil(outHeight / TILE);
  const colBlocks = Array.from({ length: tilesX }, (_, tx) => lanczosBlock(width, outWidth, tx * TILE, Math.min(outWidth, (tx + 1) * TILE), kernel));
  let done = 0;
  for (let ty = 0; ty < tilesY; ty++) {
    const rows = lanczosBlock(height, outHeight, ty * TILE, Math.min(outHeight, (ty + 1) * TILE), kernel);
    for (let tx = 0; tx < tilesX; tx++) {
      throwIfAborted(options.signal);
      const cols = colBlocks[tx];
      const tile = tf.tidy(() => {
        const src = readWindow(plane, { x: cols.inStart, y: rows.inStart, width: cols.matrix.cols, height: rows.matrix.cols });
        return applySeparable(src, rows.matrix, cols.matrix);
      });
      const values = await tile.data();
      tile.dispose();
      writeWindow(out, { x: tx * TILE, y: ty * TILE, width: cols.matrix.rows, height: rows.matrix.rows }, values);
      options.onTile?.(++done, tilesX * tilesY);
      await yieldToEventLoop();
    }
  }
  return out;
}

/** Lanczos3 upscaling of a plane by an integer factor, tile by tile (`resizeLanczos`). */
export function upscaleLanczos(plane: FloatImage, factor: number, options: UpscaleOptions = {}): Promise<FloatImage> {
  return resizeLanczos(plane, plane.width * factor, plane.height * factor, options);
}
