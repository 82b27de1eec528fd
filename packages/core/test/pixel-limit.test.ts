import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPixelLimit, DEFAULT_MAX_PIXELS, DifbfsrError, GaussianPrior, restorePhoto, type FaceDetector, type FaceTemplate } from '@difbfsr/core';
import { useBackend } from '../../../test-utils/backends.js';

function errorOf(fn: () => unknown): DifbfsrError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DifbfsrError);
    return e as DifbfsrError;
  }
  throw new Error('expected a DifbfsrError');
}

describe('checkPixelLimit', () => {
  it('passes an input whose result is exactly at the limit, refuses one pixel more', () => {
    expect(() => checkPixelLimit({ width: 25, height: 4, scale: 2, maxPixels: 400 })).not.toThrow();
    const e = errorOf(() => checkPixelLimit({ width: 101, height: 1, scale: 2, maxPixels: 400 }));
    expect(e.code).toBe('IMAGE_TOO_LARGE');
    expect(e.message).toBe(
      'The 101x1 image would give a 202x2 result at x2 (404 pixels), over the limit of 400 pixels (maxPixels): restore a smaller image or use a lower scale, or raise maxPixels',
    );
  });

  it('names an input over the limit itself, with the option the caller gave', () => {
    const e = errorOf(() => checkPixelLimit({ width: 12000, height: 12000, scale: 4, maxPixels: DEFAULT_MAX_PIXELS, option: '--max-pixels' }));
    expect(e.code).toBe('IMAGE_TOO_LARGE');
    expect(e.message).toBe('The image is 12000x12000 (144,000,000 pixels), over the limit of 67,108,864 pixels (--max-pixels)');
  });

  it('the default is 8192 x 8192 result pixels: a 2048 x 2048 photo at x4 passes, 2049 x 2048 does not', () => {
    expect(DEFAULT_MAX_PIXELS).toBe(8192 * 8192);
    expect(() => checkPixelLimit({ width: 2048, height: 2048, scale: 4, maxPixels: DEFAULT_MAX_PIXELS })).not.toThrow();
    expect(errorOf(() => checkPixelLimit({ width: 2049, height: 2048, scale: 4, maxPixels: DEFAULT_MAX_PIXELS })).message).toMatch(/8196x8192 result at x4 \(67,141,632 pixels\)/);
  });
});

describe('restorePhoto refuses a photo over maxPixels before any work [wasm]', () => {
  beforeAll(() => useBackend('wasm'));
  const template = { size: 32, points: [{ x: 11, y: 13 }, { x: 21, y: 13 }, { x: 16, y: 18 }, { x: 12, y: 23 }, { x: 20, y: 23 }] } as unknown as FaceTemplate;
  const prior = Object.assign(new GaussianPrior({ resolution: 32, mean: 0, std: 0.5 }), { faceTemplate: template });

  it('neither detection nor upscaling runs, nothing is allocated, and the error names the sizes', async () => {
    let detected = 0;
    const detector: FaceDetector = { name: 'counting', detect: async () => (detected++, []) };
    const progress: string[] = [];
    const photo = { data: new Uint8Array(40 * 30 * 3), width: 40, height: 30 };
    const before = tf.memory().numTensors;
    const refused = restorePhoto(photo, { prior, detector, maxPixels: 40 * 30 * 16 - 1, onProgress: (p) => progress.push(p.stage) });
    await expect(refused).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', message: expect.stringMatching(/^The 40x30 image would give a 160x120 result at x4 \(19,200 pixels\), over the limit of 19,199 pixels \(maxPixels\)/) });
    expect([detected, progress.length, tf.memory().numTensors - before]).toEqual([0, 0, 0]);
    const fits = await restorePhoto(photo, { prior, detector, maxPixels: 40 * 30 * 16 });
    expect([detected, fits.image.width, fits.image.height]).toEqual([1, 160, 120]);
  });

  it('the scale counts: the same photo fits at x2', async () => {
    const photo = { data: new Uint8Array(16 * 16), width: 16, height: 16, channels: 1 };
    const detector: FaceDetector = { detect: async () => [] };
    await expect(restorePhoto(photo, { prior, detector, maxPixels: 2048 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect((await restorePhoto(photo, { prior, detector, maxPixels: 2048, scale: 2 })).image.width).toBe(32);
  });

  it('maxPixels must be a positive integer', async () => {
    const photo = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4 };
    for (const maxPixels of [0, -1, 1.5, Number.NaN]) {
      await expect(restorePhoto(photo, { prior, aligned: true, maxPixels })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^maxPixels must be an integer >= 1/) });
    }
  });
});
