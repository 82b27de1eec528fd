import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DifbfsrError, type RawImage } from '@difbfsr/core';
import type { OutputFormat } from './output-paths.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/**
 * Interleaved pixels as `restorePhoto()` takes and returns them: 8-bit (`Uint8Array`) or 16-bit
 * (`Uint16Array`) samples; grey, grey + alpha, RGB or RGBA; rows top to bottom.
 */
export type PixelImage = RawImage<Uint8Array | Uint16Array> & { channels: 1 | 2 | 3 | 4 };

/** A decoded image file. */
export interface DecodedImageFile {
  /** Upright (EXIF orientation applied), in the file's bit depth and channels. */
  image: PixelImage;
  /** Container format as sharp names it (`png`, `jpeg`, `webp`, ...). */
  format: string;
  /** Bits per sample in the file. */
  bitDepth: 8 | 16;
  /** Frames or pages in the file; only the first is decoded. */
  frames: number;
  /** EXIF orientation (1..8) that was applied, when the file had one. */
  orientation?: number;
}

const GREY_SPACES = new Set(['b-w', 'grey16']);
const SIXTEEN_BIT_DEPTHS = new Set(['ushort', 'short']);

/** sharp's 16-bit output (native byte order) as a `Uint16Array`. */
function samples16(data: Buffer): Uint16Array {
  const aligned = data.byteOffset % 2 === 0 ? data : new Uint8Array(data);
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

/** 16-bit samples to 8 bits, rounded: `round(v / 257)` (exact for 8-bit values widened by 257). */
export function to8Bit(data: Uint16Array): Uint8Array {
  return Uint8Array.from(data, (v) => Math.round(v / 257));
}

/** What an image file's header says, before any pixel is decoded. */
export interface ImageFileHeader {
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Container format as sharp names it. */
  format: string;
  /** Frames or pages (animated GIF or WebP, multi-page TIFF); 1 for a still image. */
  frames: number;
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new DifbfsrError('IO', `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
}

async function readHeader(path: string, bytes: Buffer): Promise<{ meta: Metadata; header: ImageFileHeader }> {
  try {
    // Only the header is read here: sharp's pixel limit is left to the decoding, after the caller's check.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5..8 swap width and height
    const [width, height] = turned ? [meta.height, meta.width] : [meta.width, meta.height];
    return { meta, header: { width, height, format: meta.format ?? 'unknown', frames: meta.pages ?? 1 } };
  } catch (err) {
    throw new DifbfsrError('INVALID_INPUT', `${path}: not an image that can be decoded (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Read an image file with sharp: EXIF orientation applied (`rotate()`), 8- and 16-bit samples kept
 * as they are, grey and an alpha channel kept (1, 2, 3 or 4 channels), any other colour space
 * (CMYK, ...) converted to sRGB. Multi-frame files (GIF, animated WebP, multi-page TIFF) give their
 * first frame; `frames` says how many there are. `beforeDecode` sees the header first and may
 * refuse the file by throwing (an image too large to decode).
 * @throws DifbfsrError `IO` when the file cannot be read, `INVALID_INPUT` when it is not an image sharp decodes.
 */
export async function readImageFile(path: string, beforeDecode?: (header: ImageFileHeader) => void): Promise<DecodedImageFile> {
  const bytes = await readBytes(path);
  const { meta, header } = await readHeader(path, bytes);
  beforeDecode?.(header);
  try {
    const grey = GREY_SPACES.has(meta.space ?? '');
    const alpha = meta.hasAlpha === true;
    const deep = SIXTEEN_BIT_DEPTHS.has(meta.depth ?? '');
    const channels = ((grey ? 1 : 3) + (alpha ? 1 : 0)) as PixelImage['channels'];
    // sharp's 8-bit grey ('b-w') output drops alpha: grey + alpha is read as grey16 and narrowed back.
    const wide = deep || (grey && alpha);
    const space = grey ? (wide ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb';
    let pipeline = sharp(bytes).rotate().toColourspace(space);
    if (alpha && !grey) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline.raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new DifbfsrError('INVALID_INPUT', `decoded to ${info.channels} channels, expected ${channels}`);
    const values = wide ? (deep ? samples16(data) : to8Bit(samples16(data))) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return {
      image: { data: values, width: info.width, height: info.height, channels },
      format: header.format,
      bitDepth: deep ? 16 : 8,
      frames: header.frames,
      ...(meta.orientation ? { orientation: meta.orientation } : {}),
    };
  } catch (err) {
    throw new DifbfsrError('INVALID_INPUT', `${path}: not an image that can be decoded (${(err as Error).message})`, { cause: err });
  }
}

function rawInput(image: PixelImage, data: Uint8Array | Uint16Array): Sharp {
  const pixels = sharp(data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  const grey = image.channels <= 2;
  if (data instanceof Uint16Array) return pixels.toColourspace(grey ? 'grey16' : 'rgb16');
  return grey ? pixels.toColourspace('b-w') : pixels;
}

/**
 * Encoded bytes of an image. PNG keeps 16-bit samples, grey and alpha; JPEG and WebP are 8-bit
 * (16-bit samples are rounded), JPEG has no alpha (flattened onto white) and WebP no grey (stored as RGB).
 */
export async function encodeImage(image: PixelImage, format: OutputFormat): Promise<Buffer> {
  if (format === 'png') return rawInput(image, image.data).png().toBuffer();
  const narrow = image.data instanceof Uint16Array ? to8Bit(image.data) : image.data;
  const pixels = rawInput(image, narrow);
  if (format === 'jpg') return pixels.flatten({ background: '#ffffff' }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
  return pixels.webp({ lossless: true }).toBuffer();
}

/**
 * Encode and write an image; the file appears complete or not at all (written beside the target,
 * then renamed), so an interrupted run never leaves a truncated output.
 */
export async function writeImageFile(path: string, image: PixelImage, format: OutputFormat): Promise<void> {
  await writeFileAtomic(path, await encodeImage(image, format));
}
