import sharp from 'sharp';
import { DifbfsrError } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';

/** A JPEG encoding and what a decoder reads back from it. */
export interface JpegRoundTrip {
  /** The JPEG file. */
  readonly bytes: Uint8Array;
  /** The decoded RGB image. */
  readonly image: RgbImage;
}

/**
 * The protocol's `JPEG_q`: encode an RGB image as baseline (sequential) JPEG at `quality` with
 * 4:2:0 chroma subsampling and the standard (Annex K) quantisation tables (sharp / libvips,
 * mozjpeg's extras off), then decode it.
 * @throws DifbfsrError `INVALID_OPTION` unless `quality` is an integer in 1..100.
 */
export async function jpegRoundTrip(img: RgbImage, quality: number): Promise<JpegRoundTrip> {
  checkRgb(img, 'JPEG input');
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new DifbfsrError('INVALID_OPTION', `JPEG quality must be an integer in 1..100, got ${quality}`);
  }
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  const bytes = await sharp(img.data, { raw })
    .jpeg({ quality, chromaSubsampling: '4:2:0', progressive: false, mozjpeg: false, trellisQuantisation: false, overshootDeringing: false, optimiseScans: false, quantisationTable: 0 })
    .toBuffer();
  const decoded = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (decoded.info.channels !== 3 || decoded.info.width !== img.width || decoded.info.height !== img.height) {
    throw new DifbfsrError('IO', `JPEG decode gave ${decoded.info.width}x${decoded.info.height}x${decoded.info.channels}, expected ${img.width}x${img.height}x3`);
  }
  return { bytes: new Uint8Array(bytes), image: { width: img.width, height: img.height, data: new Uint8Array(decoded.data) } };
}
