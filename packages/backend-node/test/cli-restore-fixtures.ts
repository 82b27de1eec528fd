import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { saveSafetensors, unetTensorList, type UNetConfig } from '@difbfsr/models';
import { runCli } from '../src/cli/main.js';
import type { TerminalStream } from '../src/cli/io.js';

/** A 32 px U-Net small enough for unit tests: aligned inputs are 8x8 at scale 4. */
export const TINY_CONFIG: UNetConfig = {
  image_size: 32,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1],
  attention_resolutions: '',
  use_scale_shift_norm: true,
  resblock_updown: false,
  learn_sigma: false,
};

/** Write {@link TINY_CONFIG} with seeded random weights (config in the metadata) as safetensors. */
export function writeTinyPrior(path: string, seed = 1): void {
  let a = seed >>> 0;
  const next = (): number => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of unetTensorList(TINY_CONFIG)) {
    const size = shape.reduce((x, y) => x * y, 1);
    const bound = shape.length > 1 ? 1 / Math.sqrt(size / shape[0]) : 0.1;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = shape.length === 1 && name.endsWith('.weight') ? 1 : bound * (2 * next() - 1);
    tensors.set(name, { shape, data });
  }
  writeFileSync(path, saveSafetensors(tensors, { config: JSON.stringify(TINY_CONFIG) }));
}

/** Seeded 8-bit pixels in 30..225 (`width * height * channels` values). */
export function pixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  let a = seed >>> 0;
  return Uint8Array.from({ length: width * height * channels }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return 30 + (a >>> 24) % 196;
  });
}

/** Write raw 8-bit pixels as an image file in the format its extension names. */
export async function writeImage(path: string, data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<void> {
  const img = sharp(Buffer.from(data), { raw: { width, height, channels } });
  const typed = channels <= 2 ? img.toColourspace('b-w') : img;
  await (path.endsWith('.jpg') ? typed.jpeg({ quality: 100 }) : path.endsWith('.webp') ? typed.webp({ lossless: true }) : typed.png()).toFile(path);
}

/** Decoded 8-bit pixels and layout of an image file (grey stays grey; no orientation applied). */
export async function readRaw(path: string): Promise<{ data: Uint8Array; width: number; height: number; channels: number; format: string }> {
  const meta = await sharp(path).metadata();
  const decoder = meta.space === 'b-w' ? sharp(path).toColourspace('b-w') : sharp(path);
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels, format: meta.format ?? '' };
}

/** A fake terminal or pipe collecting what is written. */
export function fakeStream(isTTY: boolean, onWrite?: (text: string) => void): TerminalStream & { text: string } {
  const s = {
    text: '',
    isTTY,
    columns: 120,
    write(t: string) {
      s.text += t;
      onWrite?.(t);
      return true;
    },
  };
  return s;
}

/** Run the CLI in-process; progress goes to `progress` (default: a pipe). */
export async function cli(argv: string[], progress: TerminalStream = fakeStream(false)): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), progress });
  return { code, out, err };
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const out = Buffer.alloc(typed.length + 8);
  out.writeUInt32BE(body.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), typed.length + 4);
  return out;
}

/**
 * An 8-bit greyscale PNG of `width x height` black pixels, built by hand (no decoder involved):
 * a valid file of about `width * height / 1000` bytes. With `rows` it holds only that many rows of
 * pixel data: a header-only "bomb" that claims a size it does not have.
 */
export function blackGreyPng(width: number, height: number, rows = height): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, grey, deflate, no filter method, not interlaced
  const pixels = deflateSync(Buffer.alloc((width + 1) * rows), { level: 9 }); // each row: filter 0, then zeros
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', pixels), pngChunk('IEND', new Uint8Array(0))]);
}
