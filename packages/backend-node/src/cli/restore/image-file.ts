import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { DifbfsrError, type RawImage } from '@difbfsr/core';
import type { OutputFormat } from './output-paths.js';

/** An 8-bit image as `restore()` takes it: grey, RGB or RGBA, rows top to bottom. */
export interface PixelImage extends RawImage {
  data: Uint8Array;
  channels: 1 | 3 | 4;
}

/** A decoded image file. */
export interface DecodedImageFile {
  /** Upright (EXIF orientation applied), 8 bits per channel. */
  image: PixelImage;
  /** Container format as sharp names it (`png`, `jpeg`, `webp`, ...). */
  format: string;
  /** Bits per channel in the file (16-bit files are reduced to 8). */
  bitDepth: 8 | 16;
  /** EXIF orientation (1..8) that was applied, when the file had one. */
  orientation?: number;
}

const GREY_SPACES = new Set(['b-w', 'grey16']);
const SIXTEEN_BIT_DEPTHS = new Set(['ushort', 'short']);

/** 16-bit samples (native byte order) to 8 bits, rounded: `round(v / 257)` maps 65535 to 255. */
function to8Bit(data: Buffer): Uint8Array {
  const wide = data.byteOffset % 2 === 0 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint16Array(new Uint8Array(data).buffer);
  return Uint8Array.from(wide, (v) => Math.round(v / 257));
}

/**
 * Read an image file with sharp: EXIF orientation applied (`rotate()`), 16-bit samples rounded to
 * 8 bits, grey kept grey, an alpha channel kept (grey + alpha becomes RGBA), any other colour space
 * (CMYK, ...) converted to sRGB. Multi-frame files (GIF, animated WebP) give their first frame.
 * @throws DifbfsrError `IO` when the file cannot be read, `INVALID_INPUT` when it is not an image sharp decodes.
 */
export async function readImageFile(path: string): Promise<DecodedImageFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DifbfsrError('IO', `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
  try {
    const meta = await sharp(bytes).metadata();
    const grey = GREY_SPACES.has(meta.space ?? '');
    const deep = SIXTEEN_BIT_DEPTHS.has(meta.depth ?? '');
    const channels: 1 | 3 | 4 = meta.hasAlpha ? 4 : grey ? 1 : 3;
    const space = channels === 1 ? (deep ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb';
    let pipeline = sharp(bytes).rotate().toColourspace(space);
    if (channels === 4) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
    return {
      image: { data: deep ? to8Bit(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels },
      format: meta.format ?? 'unknown',
      bitDepth: deep ? 16 : 8,
      ...(meta.orientation ? { orientation: meta.orientation } : {}),
    };
  } catch (err) {
    throw new DifbfsrError('INVALID_INPUT', `${path}: not an image that can be decoded (${(err as Error).message})`, { cause: err });
  }
}

/** Encoded bytes of an 8-bit image; JPEG has no alpha, so RGBA is flattened onto white. */
export async function encodeImage(image: PixelImage, format: OutputFormat): Promise<Buffer> {
  const pixels = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  const raw = image.channels === 1 ? pixels.toColourspace('b-w') : pixels;
  switch (format) {
    case 'png':
      return raw.png().toBuffer();
    case 'jpg':
      return raw.flatten({ background: '#ffffff' }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'webp':
      return raw.webp({ lossless: true }).toBuffer();
  }
}

/**
 * Encode and write an image; the file appears complete or not at all (written beside the target,
 * then renamed), so an interrupted run never leaves a truncated output.
 */
export async function writeImageFile(path: string, image: PixelImage, format: OutputFormat): Promise<void> {
  const bytes = await encodeImage(image, format);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new DifbfsrError('IO', `${path}: cannot write the file (${(err as Error).message})`, { cause: err });
  }
}
