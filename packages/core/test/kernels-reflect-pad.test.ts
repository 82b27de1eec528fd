import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { reflectPad2d } from '../src/kernels/reflect-pad.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';

type Shape = [number, number, number, number];

/** Where reflect padding by `r` reads padded index `p` of an axis of length `n`. */
const source = (p: number, r: number, n: number): number => {
  const i = p - r;
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
};

/** Calls `copy(padded, source)` with the flat NHWC index of every padded entry and of the pixel reflect padding copies into it. */
function forEachCopy([b, h, w, c]: Shape, r: number, copy: (padded: number, source: number) => void): void {
  const hp = h + 2 * r;
  const wp = w + 2 * r;
  for (let n = 0; n < b; n++)
    for (let p = 0; p < hp; p++)
      for (let q = 0; q < wp; q++)
        for (let ch = 0; ch < c; ch++) copy(((n * hp + p) * wp + q) * c + ch, ((n * h + source(p, r, h)) * w + source(q, r, w)) * c + ch);
}

/** Plain-JS reflect padding of an NHWC array (independent of tf.mirrorPad). */
function padReference(x: Float32Array, shape: Shape, r: number): Float64Array {
  const [b, h, w, c] = shape;
  const out = new Float64Array(b * (h + 2 * r) * (w + 2 * r) * c);
  forEachCopy(shape, r, (padded, src) => (out[padded] = x[src]));
  return out;
}

/** Plain-JS adjoint: every padded entry's gradient added onto the pixel it was copied from. */
function foldReference(dy: Float32Array, shape: Shape, r: number): Float64Array {
  const [b, h, w, c] = shape;
  const out = new Float64Array(b * h * w * c);
  forEachCopy(shape, r, (padded, src) => (out[src] += dy[padded]));
  return out;
}

/** Pads of k = 3, 5, 7 on images from the smallest reflect allows (r = side - 1) up, batch 1 and 2. */
const CASES: { shape: Shape; r: number }[] = [
  { shape: [1, 2, 2, 3], r: 1 },
  { shape: [2, 2, 5, 3], r: 1 },
  { shape: [1, 3, 3, 3], r: 2 },
  { shape: [2, 4, 3, 2], r: 2 },
  { shape: [1, 4, 4, 3], r: 3 },
  { shape: [1, 4, 6, 1], r: 3 },
  { shape: [2, 7, 5, 3], r: 3 },
  { shape: [1, 16, 13, 3], r: 3 },
];

describe.each(TEST_BACKENDS)('reflectPad2d on %s', (backendName) => {
  beforeAll(async () => {
    await useBackend(backendName);
  });

  it.each(CASES)('equals tf.mirrorPad and a plain-JS reflection for $shape, r=$r', ({ shape, r }) => {
    const x = tf.randomUniform(shape, -1, 1, 'float32', 1) as tf.Tensor4D;
    const ours = reflectPad2d(x, r);
    const theirs = tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect');
    expect(ours.shape).toEqual(theirs.shape);
    expect(maxAbsDiff(ours, theirs)).toBe(0);
    expect(maxAbsDiff(ours, padReference(x.dataSync() as Float32Array, shape, r))).toBe(0);
    tf.dispose([x, ours, theirs]);
  });

  it.each(CASES)('its gradient folds every mirrored copy back for $shape, r=$r', ({ shape, r }) => {
    const x = tf.randomUniform(shape, -1, 1, 'float32', 2) as tf.Tensor4D;
    const g = tf.randomUniform([shape[0], shape[1] + 2 * r, shape[2] + 2 * r, shape[3]], -1, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reflectPad2d(v as tf.Tensor4D, r), g)))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(dx.shape).toEqual(shape);
    const ref = foldReference(g.dataSync() as Float32Array, shape, r);
    // At most nine float32 terms of size <= 1 per pixel.
    expect(maxAbsDiff(dx, ref)).toBeLessThan(1e-6);
    // tfjs's own MirrorPad gradient drops the border copies: the fold must differ from it.
    const tfjsGrad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(v as tf.Tensor4D, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect'), g)))(x);
    expect(maxAbsDiff(dx, tfjsGrad)).toBeGreaterThan(0.1);
    tf.dispose([x, g, dx, tfjsGrad]);
  });

  it('leaks no tensor in the forward pass', () => {
    const x = tf.randomUniform([1, 5, 5, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = reflectPad2d(x, 2);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });

  it('r = 0 copies the input and its gradient passes through', () => {
    const x = tf.randomUniform([1, 3, 2, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const y = reflectPad2d(x, 0);
    expect(y).not.toBe(x);
    expect(maxAbsDiff(y, x)).toBe(0);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reflectPad2d(v as tf.Tensor4D, 0), 3)))(x);
    expect(maxAbsDiff(dx, new Float32Array(x.size).fill(3))).toBe(0);
    tf.dispose([x, y, dx]);
  });

  it('rejects pads that reflect cannot make', () => {
    const x = tf.zeros([1, 3, 4, 3]) as tf.Tensor4D;
    const codeOf = (r: number): string | undefined => {
      try {
        reflectPad2d(x, r);
      } catch (e) {
        if (e instanceof DifbfsrError) return e.code;
        throw e;
      }
      return undefined;
    };
    expect(codeOf(3)).toBe('INVALID_SIZE');
    expect(codeOf(-1)).toBe('INVALID_OPTION');
    expect(codeOf(1.5)).toBe('INVALID_OPTION');
    expect(codeOf(2)).toBeUndefined();
    x.dispose();
  });
});
