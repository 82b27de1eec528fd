/** An aligned face ready for the prior: RGBA at the prior's input size, and what was done to it. */
export interface LoadedFace {
  image: ImageData;
  /** Set when the photo was cropped or resized to fit, saying how. */
  note?: string;
}

/**
 * Decode an image file and fit it to `lrSize` x `lrSize`: a non-square photo is cropped to its
 * centre square, a larger (or smaller) square is resized with the browser's high-quality filter.
 *
 * @throws Error when the browser cannot decode the file as an image.
 */
export async function loadAlignedFace(file: Blob, lrSize: number): Promise<LoadedFace> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error('This file is not an image the browser can decode.');
  }
  const { width, height } = bitmap;
  const side = Math.min(width, height);
  const sx = Math.floor((width - side) / 2);
  const sy = Math.floor((height - side) / 2);
  const fitted =
    side === lrSize && width === height
      ? bitmap
      : await createImageBitmap(bitmap, sx, sy, side, side, { resizeWidth: lrSize, resizeHeight: lrSize, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(lrSize, lrSize);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas.');
  context.drawImage(fitted, 0, 0);
  fitted.close();
  if (fitted !== bitmap) bitmap.close();
  const steps = [width !== height ? `cropped to its centre ${side}×${side}` : '', side !== lrSize ? `resized from ${side}×${side} to ${lrSize}×${lrSize}` : ''];
  const done = steps.filter(Boolean).join(', then ');
  return {
    image: context.getImageData(0, 0, lrSize, lrSize),
    ...(done ? { note: `The ${width}×${height} photo was ${done}, the prior's input size: for best results give an aligned face of ${lrSize}×${lrSize}.` } : {}),
  };
}
