import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelShuffle } from '@difbfsr/core';
import { TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';
import { errorOf } from '../../../test-utils/plain-backend.js';

/** Inverse of depth-to-space by index arithmetic: grad[n,h,w,(i*r+j)*C+c] = g[n,h*r+i,w*r+j,c]. */
function spaceToDepthReference(g: Float32Array, [n, h, w, depth]: number[], r: number): Float32Array {
  const c = depth / (r * r);
  const out = new Float32Array(g.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let i = 0; i < r; i++)
          for (let j = 0; j < r; j++)
            for (let k = 0; k < c; k++) {
              const src = ((b * h * r + y * r + i) * w * r + x * r + j) * c + k;
              const dst = ((b * h + y) * w + x) * c * r * r + (i * r + j) * c + k;
              out[dst] = g[src];
            }
  return out;
}

describe.each(TEST_BACKENDS)('pixelShuffle on %s', (backendName) => {
  beforeAll(async () => {
    await useBackend(backendName);
  });

  it.each<{ shape: [number, number, number, number]; r: number }>([
    { shape: [2, 3, 4, 12], r: 2 },
    { shape: [1, 2, 3, 18], r: 3 },
    { shape: [3, 1, 5, 8], r: 2 },
  ])('equals tf.depthToSpace exactly for $shape, r=$r', ({ shape, r }) => {
    const x = tf.randomUniform(shape, -1, 1, 'float32', 3) as tf.Tensor4D;
    const ours = pixelShuffle(x, r);
    const theirs = tf.depthToSpace(x, r, 'NHWC');
    expect(ours.shape).toEqual(theirs.shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([x, ours, theirs]);
  });

  it('tfjs registers no DepthToSpace gradient, so tf.grad through depthToSpace throws', () => {
    expect(tf.getGradient('DepthToSpace')).toBeUndefined();
    const x = tf.zeros([1, 1, 1, 4]) as tf.Tensor4D;
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(tf.depthToSpace(v as tf.Tensor4D, 2)))(x)).toThrow(/gradient/i);
    x.dispose();
  });

  it('is differentiable: d/dx sum(g * pixelShuffle(x)) is the space-to-depth of g', () => {
    const shape: [number, number, number, number] = [2, 2, 3, 8];
    const r = 2;
    const x = tf.randomUniform(shape, -1, 1, 'float32', 5) as tf.Tensor4D;
    const g = tf.randomUniform([2, 4, 6, 2], -1, 1, 'float32', 6);
    const before = tf.memory().numTensors;
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pixelShuffle(v as tf.Tensor4D, r), g)))(x);
    const expected = spaceToDepthReference(g.dataSync() as Float32Array, shape, r);
    expect(Array.from(dx.dataSync())).toEqual(Array.from(expected));
    dx.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g]);
  });
});

describe('pixelShuffle input checks', () => {
  it('rejects bad block sizes, ranks and channel counts with typed errors', () => {
    const x4 = tf.zeros([1, 2, 2, 8]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(errorOf(() => pixelShuffle(x4, 0)).code).toBe('INVALID_OPTION');
    expect(errorOf(() => pixelShuffle(x4, 1.5)).code).toBe('INVALID_OPTION');
    expect(errorOf(() => pixelShuffle(x4, 3)).message).toMatch(/divisible by r\*r = 9/);
    const x3 = tf.zeros([2, 2, 8]);
    expect(errorOf(() => pixelShuffle(x3 as unknown as tf.Tensor4D, 2)).code).toBe('INVALID_INPUT');
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x4, x3]);
  });
});
