import type { RawImage } from '@difbfsr/core';

/** Draw an RGBA image into a canvas, sizing the canvas to the image. */
export function drawImage(canvas: HTMLCanvasElement, image: RawImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas.');
  context.putImageData(new ImageData(Uint8ClampedArray.from(image.data), image.width, image.height), 0, 0);
}

/** Clear a canvas. */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
}

/** The canvas' pixels as a PNG file. */
export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The canvas could not be encoded as PNG.'))), 'image/png');
  });
}
