/** A rectangle of a decoded image, in its pixels. */
export interface SourceRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Decode an image file.
 * @throws Error when the browser cannot decode the file as an image.
 */
export async function decodeImage(file: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file);
  } catch {
    throw new Error('This file is not an image the browser can decode.');
  }
}

/** The pixels of `rect` of a bitmap, resized to `width` x `height` (high quality). */
export async function bitmapPixels(bitmap: ImageBitmap, rect: SourceRect, width: number, height: number): Promise<ImageData> {
  const whole = rect.x === 0 && rect.y === 0 && rect.width === bitmap.width && rect.height === bitmap.height;
  const fitted =
    whole && width === bitmap.width && height === bitmap.height
      ? bitmap
      : await createImageBitmap(bitmap, rect.x, rect.y, rect.width, rect.height, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas.');
  context.drawImage(fitted, 0, 0);
  if (fitted !== bitmap) fitted.close();
  return context.getImageData(0, 0, width, height);
}
