import sharp from 'sharp';
import { DifbfsrError } from '@difbfsr/core';
import { checkRgb, type RgbImage } from './image.js';

/**
 * Decode an image file (PNG, JPEG, WebP...) to 8-bit RGB (alpha dropped, grey expanded).
 * @throws DifbfsrError `IO` when the file cannot be read or decoded.
 */
export async function readRgb(path: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  } catch (e) {
    throw new DifbfsrError('IO', `cannot read image ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Encode an RGB image as PNG. */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  checkRgb(img, 'PNG image');
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}
