import { bitmapPixels, decodeImage } from './decode-image.js';
import type { LoadedImage } from './load-face.js';

/**
 * Decode a photo for the whole-photo mode: as it is, or resized so that its longer side is
 * `maxSide` (the result is 4 times larger, and each face costs a full restore).
 *
 * @throws Error when the browser cannot decode the file as an image.
 */
export async function loadPhoto(file: Blob, maxSide: number): Promise<LoadedImage> {
  const bitmap = await decodeImage(file);
  const { width, height } = bitmap;
  const factor = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * factor));
  const h = Math.max(1, Math.round(height * factor));
  const image = await bitmapPixels(bitmap, { x: 0, y: 0, width, height }, w, h);
  bitmap.close();
  return {
    image,
    ...(factor < 1 ? { note: `The ${width}×${height} photo was resized to ${w}×${h}: this demo restores photos of at most ${maxSide} pixels a side.` } : {}),
  };
}
