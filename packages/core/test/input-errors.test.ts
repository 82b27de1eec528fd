import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianPrior, restore, restorePhoto } from '@difbfsr/core';
import { useBackend } from '../../../test-utils/backends.js';

describe('input errors say what is wrong in words a user can act on [wasm]', () => {
  beforeAll(() => useBackend('wasm'));
  const prior = new GaussianPrior({ resolution: 64, mean: 0, std: 0.5 });
  const base = { prior, steps: 2, warmupIters: 0 };

  it('a wrong-size face: resize to the prior\'s input, and another scale only when one fits', async () => {
    const sizeError = async (h: number, w: number, scale = 4): Promise<string> => {
      const x = tf.zeros([h, w, 3]) as tf.Tensor3D;
      try {
        await restore(x, { ...base, scale });
      } catch (e) {
        return (e as Error).message;
      } finally {
        x.dispose();
      }
      throw new Error('expected INVALID_SIZE');
    };
    // 64 / 17 = 3.76...: no scale fits, only the resize is suggested
    expect(await sizeError(17, 17)).toBe('Input is 17x17; at scale 4 that gives 68x68, but the prior works at 64x64: resize the face to 16x16 first');
    expect(await sizeError(32, 32)).toBe('Input is 32x32; at scale 4 that gives 128x128, but the prior works at 64x64: resize the face to 16x16 first, or use scale 2');
    expect(await sizeError(8, 8, 2)).toMatch(/resize the face to 32x32 first, or use scale 8$/);
    expect(await sizeError(64, 64)).toMatch(/resize the face to 16x16 first$/); // scale 1 is no super-resolution
    expect(await sizeError(32, 16)).toMatch(/resize the face to 16x16 first$/);
  });

  it('pixel data that does not match the size names both lengths, for restore() and restorePhoto()', async () => {
    const data = new Uint8Array(10);
    await expect(restore({ data, width: 4, height: 4 }, base)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Image data has 10 samples; a 4x4 image needs 16 (grey), 32 (grey + alpha), 48 (RGB) or 64 (RGBA)',
    });
    await expect(restorePhoto({ data, width: 4, height: 4 }, { ...base, aligned: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Image data has 10 samples; a 4x4 image needs 16 (grey), 32 (grey + alpha), 48 (RGB) or 64 (RGBA)',
    });
    // with the channels given, the length is checked against them
    await expect(restore({ data, width: 4, height: 4, channels: 3 }, base)).rejects.toMatchObject({ message: 'Image data has 10 samples; 4x4x3 needs 48' });
    await expect(restorePhoto({ data, width: 4, height: 4, channels: 2 }, { ...base, aligned: true })).rejects.toMatchObject({ message: 'Image data has 10 samples; 4x4x2 needs 32' });
  });
});
