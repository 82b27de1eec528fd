import { bitmapPixels, decodeImage } from './decode-image.js';

/** An image ready for the restore: RGBA pixels, and what was done to the file to get them. */
export interface LoadedImage {
  image: ImageData;
  /** Set when the image was cropped or resized to fit, saying how. */
  note?: string;
}

/**
 * Decode an image file and fit it to `lrSize` x `lrSize`, the prior's input: a non-square photo is
 * cropped to its centre square, a larger (or smaller) square is resized.
 *
 * @throws Error when the browser cannot decode the file as an image.
 */
export async function loadAlignedFace(file: Blob, lrSize: number): Promise<LoadedImage> {
  const bitmap = await decodeImage(file);
  const { width, height } = bitmap;
  const side = Math.min(width, height);
  const square = { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), width: side, height: side };
  const image = await bitmapPixels(bitmap, square, lrSize, lrSize);
  bitmap.close();
  const steps = [width !== height ? `cropped to its centre ${side}×${side}` : '', side !== lrSize ? `resized from ${side}×${side} to ${lrSize}×${lrSize}` : ''];
  const done = steps.filter(Boolean).join(', then ');
  return {
    image,
    ...(done ? { note: `The ${width}×${height} image was ${done}, the prior's input size: for best results give an aligned face of ${lrSize}×${lrSize}.` } : {}),
  };
}
