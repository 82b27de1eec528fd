import { describe, expect, it } from 'vitest';
import ssimJs from 'ssim.js';
import { gaussianNoise, psnr, ssim, type RgbImage } from '@difbfsr/eval';
import { errorOf } from '../../../test-utils/plain-backend.js';

function constant(width: number, height: number, value: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

/** A textured image plus seeded noise, clipped to uint8. */
function textured(width: number, height: number, seed: number, noise: number): RgbImage {
  const n = gaussianNoise(width * height * 3, noise, seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        data[i] = Math.min(255, Math.max(0, Math.round(128 + 60 * Math.sin(x / (3 + c)) * Math.cos(y / 5) + n[i])));
      }
  return { width, height, data };
}

/** ssim.js's MATLAB port ('original': Gaussian 11x11 window, sigma 1.5, 'valid' filtering) on one channel. */
function ssimJsChannel(a: RgbImage, b: RgbImage, c: number): number {
  const grey = (img: RgbImage) => {
    const data = new Uint8ClampedArray(img.width * img.height * 4);
    for (let i = 0; i < img.width * img.height; i++) data.fill(img.data[i * 3 + c], i * 4, i * 4 + 3), (data[i * 4 + 3] = 255);
    return { data, width: img.width, height: img.height };
  };
  // rgb2grayVersion 'integer' maps R = G = B = v back to v exactly; no downsampling.
  return ssimJs(grey(a), grey(b), { ssim: 'original', downsample: false, rgb2grayVersion: 'integer', windowSize: 11, k1: 0.01, k2: 0.03, bitDepth: 8 }).mssim;
}

describe('PSNR', () => {
  it('is 10 log10(255^2 / MSE) over all RGB values', () => {
    const a = constant(8, 8, 100);
    expect(psnr(a, constant(8, 8, 105))).toBeCloseTo(10 * Math.log10((255 * 255) / 25), 12);
    const b = constant(8, 8, 100);
    b.data[17] = 0; // one value off by 100 among 192
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255 * 192) / 10000), 12);
    expect(psnr(a, a)).toBe(Infinity);
  });

  it('refuses images of different sizes', () => {
    expect(errorOf(() => psnr(constant(8, 8, 0), constant(8, 9, 0))).code).toBe('INVALID_SIZE');
  });
});

describe('SSIM', () => {
  it('is 1 for identical images and (2ab + C1) / (a^2 + b^2 + C1) for two flat images', () => {
    const img = textured(32, 32, 1, 10);
    expect(ssim(img, img)).toBeCloseTo(1, 12);
    const c1 = (0.01 * 255) ** 2;
    expect(ssim(constant(16, 16, 100), constant(16, 16, 140))).toBeCloseTo((2 * 100 * 140 + c1) / (100 ** 2 + 140 ** 2 + c1), 12);
  });

  it.each([
    [32, 32, 5],
    [64, 64, 25],
    [48, 20, 60],
  ])('matches ssim.js (original algorithm) averaged over the channels, %ix%i, noise %i', (w, h, noise) => {
    const a = textured(w, h, 2, 5);
    const b = textured(w, h, 3, noise);
    const reference = (ssimJsChannel(a, b, 0) + ssimJsChannel(a, b, 1) + ssimJsChannel(a, b, 2)) / 3;
    expect(ssim(a, b)).toBeCloseTo(reference, 10);
    expect(ssim(a, b)).toBeLessThan(1);
  });

  it('refuses images smaller than the window', () => {
    expect(errorOf(() => ssim(constant(10, 10, 0), constant(10, 10, 0))).code).toBe('INVALID_SIZE');
  });
});
