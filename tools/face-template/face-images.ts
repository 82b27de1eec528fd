/** PNG faces of ../shared read for the face-template tools (run-time only; nothing is copied into the repo). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RgbImage } from '../../packages/core/src/index.js';

const req = createRequire(new URL('../../packages/faces/package.json', import.meta.url));
const { PNG } = req('pngjs') as typeof import('pngjs');

/** A PNG file as float RGB (0..255). */
export function readRgbPng(path: string): RgbImage {
  const png = PNG.sync.read(readFileSync(path));
  const n = png.width * png.height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = png.data[i * 4 + c];
  return { data, width: png.width, height: png.height };
}

/** Bilinear resize with half-pixel centres (edge clamped). */
export function resizeRgb(img: RgbImage, width: number, height: number): RgbImage {
  const data = new Float32Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const v = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(v);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const fy = v - y0;
    for (let x = 0; x < width; x++) {
      const u = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(u);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const fx = u - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 3 + c];
        data[(y * width + x) * 3 + c] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
      }
    }
  }
  return { data, width, height };
}

/** `img` placed at (x, y) on a `width x height` canvas filled with the image's mean colour. */
export function onCanvas(img: RgbImage, width: number, height: number, x: number, y: number): RgbImage {
  const mean = [0, 1, 2].map((c) => {
    let s = 0;
    for (let i = c; i < img.data.length; i += 3) s += img.data[i];
    return s / (img.width * img.height);
  });
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(mean, i * 3);
  for (let r = 0; r < img.height; r++) data.set(img.data.subarray(r * img.width * 3, (r + 1) * img.width * 3), ((y + r) * width + x) * 3);
  return { data, width, height };
}
