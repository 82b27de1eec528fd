import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { registerWasmTrainingKernels } from '@difbfsr/backend-common';
import { TEST_BACKENDS, useBackend } from '../../../test-utils/backends.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

/** Random convolutions: strides 1-3, 'same'/'valid'/explicit pads, several channel counts, batch > 1. */
const CASES: ConvCase[] = [
  { name: '3x3 s1 same, batch 2', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3x3 s2 same, odd width', x: [2, 8, 9, 5], filter: [3, 3, 5, 2], strides: [2, 2], pad: 'same' },
  { name: '3x3 s2 valid', x: [1, 9, 9, 4], filter: [3, 3, 4, 6], strides: [2, 2], pad: 'valid' },
  { name: '2x3 s1 valid, batch 2', x: [2, 6, 5, 2], filter: [2, 3, 2, 3], strides: [1, 1], pad: 'valid' },
  { name: '3x3 s(1,2) same', x: [1, 6, 7, 3], filter: [3, 3, 3, 2], strides: [1, 2], pad: 'same' },
  { name: '1x1 s2 same (output crop)', x: [2, 5, 5, 3], filter: [1, 1, 3, 4], strides: [2, 2], pad: 'same' },
  { name: '3x3 s1 explicit pads', x: [2, 6, 6, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: '3x3 s1 same, 16->8 channels', x: [1, 10, 10, 16], filter: [3, 3, 16, 8], strides: [1, 1], pad: 'same' },
  { name: '3x3 s3 valid (original input kernel)', x: [2, 10, 10, 2], filter: [3, 3, 2, 3], strides: [3, 3], pad: 'valid' },
  { name: '2x2 pad wider than filter (original input kernel)', x: [1, 4, 4, 2], filter: [2, 2, 2, 2], strides: [1, 1], pad: [[0, 0], [3, 0], [0, 0], [0, 0]] },
];

/** Seeded uniform values in [-1, 1) (LCG), so every backend sees the same data. */
function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Float64 reference of the forward conv geometry (tfjs' padding convention). */
function geometry(c: ConvCase) {
  const [, h, w] = c.x;
  const [fH, fW] = c.filter;
  const [sH, sW] = c.strides;
  if (Array.isArray(c.pad)) {
    const [[, ], [top, bottom], [left, right]] = c.pad;
    return { top, left, oH: Math.floor((h + top + bottom - fH) / sH) + 1, oW: Math.floor((w + left + right - fW) / sW) + 1 };
  }
  if (c.pad === 'valid') return { top: 0, left: 0, oH: Math.ceil((h - fH + 1) / sH), oW: Math.ceil((w - fW + 1) / sW) };
  const oH = Math.ceil(h / sH);
  const oW = Math.ceil(w / sW);
  const padH = Math.max((oH - 1) * sH + fH - h, 0);
  const padW = Math.max((oW - 1) * sW + fW - w, 0);
  return { top: Math.floor(padH / 2), left: Math.floor(padW / 2), oH, oW };
}

/**
 * Closed-form gradients of L = sum(conv2d(x, W) * g) in float64:
 * dW[i,j,c,o] = sum x[n, y*sH+i-top, x*sW+j-left, c] g[n,y,x,o]; dX is the transposed scatter.
 */
function referenceGrads(c: ConvCase, x: Float32Array, w: Float32Array, g: Float32Array) {
  const [n, h, wd, cIn] = c.x;
  const [fH, fW, , cOut] = c.filter;
  const [sH, sW] = c.strides;
  const { top, left, oH, oW } = geometry(c);
  const dW = new Float64Array(w.length);
  const dX = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oH; y++) {
      for (let xo = 0; xo < oW; xo++) {
        for (let i = 0; i < fH; i++) {
          const r = y * sH + i - top;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < fW; j++) {
            const col = xo * sW + j - left;
            if (col < 0 || col >= wd) continue;
            for (let ci = 0; ci < cIn; ci++) {
              const xi = ((b * h + r) * wd + col) * cIn + ci;
              for (let o = 0; o < cOut; o++) {
                const gi = ((b * oH + y) * oW + xo) * cOut + o;
                const wi = ((i * fW + j) * cIn + ci) * cOut + o;
                dW[wi] += x[xi] * g[gi];
                dX[xi] += w[wi] * g[gi];
              }
            }
          }
        }
      }
    }
  }
  return { dW, dX, outShape: [n, oH, oW, cOut] as [number, number, number, number] };
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** tf.grad of L = sum(conv2d(x, W) * g) with respect to x and W, on the active backend. */
function backendGrads(c: ConvCase, x: Float32Array, w: Float32Array, g: Float32Array, outShape: number[]) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const wt = tf.tensor4d(w, c.filter);
    const gt = tf.tensor(g, outShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), gt));
    const [dX, dW] = tf.grads(loss)([xt, wt]);
    return { dX: dX.dataSync().slice(), dW: dW.dataSync().slice() };
  });
}

function caseData(c: ConvCase, seed: number) {
  const x = seeded(c.x.reduce((a, b) => a * b), seed);
  const w = seeded(c.filter.reduce((a, b) => a * b), seed + 1);
  const ref0 = referenceGrads(c, x, w, new Float32Array(0));
  const g = seeded(ref0.outShape.reduce((a, b) => a * b), seed + 2);
  return { x, w, g, ref: referenceGrads(c, x, w, g) };
}

beforeAll(() => {
  registerWasmTrainingKernels();
});

// The tfjs `describeWithFlags` idiom: one suite, run on every backend.
describe.each(TEST_BACKENDS)('conv2d gradients on %s', (backendName) => {
  beforeAll(async () => {
    await useBackend(backendName);
  });

  it.each(CASES)('$name: dX and dW equal the float64 closed form', (c) => {
    const { x, w, g, ref } = caseData(c, 11);
    const got = backendGrads(c, x, w, g, ref.outShape);
    expect(maxDiff(got.dW, ref.dW)).toBeLessThan(1e-4 * Math.max(1, maxAbs(ref.dW)));
    expect(maxDiff(got.dX, ref.dX)).toBeLessThan(1e-4 * Math.max(1, maxAbs(ref.dX)));
  });

  it.each(CASES.slice(0, 4))('$name: gradients match central finite differences of the forward conv', (c) => {
    const { x, w, g, ref } = caseData(c, 23);
    const got = backendGrads(c, x, w, g, ref.outShape);
    const gt = tf.tensor(g, ref.outShape);
    const lossAt = (xv: Float32Array, wv: Float32Array): number =>
      tf.tidy(() => tf.sum(tf.mul(tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.filter), c.strides, c.pad), gt)).dataSync()[0]);
    // L is linear in x and in W, so a unit step has no truncation error; only float32 rounding remains.
    const fd = (values: Float32Array, k: number, other: (v: Float32Array) => number): number => {
      const plus = values.slice();
      const minus = values.slice();
      plus[k] += 1;
      minus[k] -= 1;
      return (other(plus) - other(minus)) / 2;
    };
    for (const k of [0, 7, w.length - 1]) {
      expect(Math.abs(fd(w, k, (wv) => lossAt(x, wv)) - got.dW[k])).toBeLessThan(2e-3);
    }
    for (const k of [0, 5, x.length - 1]) {
      expect(Math.abs(fd(x, k, (xv) => lossAt(xv, w)) - got.dX[k])).toBeLessThan(2e-3);
    }
    gt.dispose();
  });
});

describe('wasm training kernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('agree with the cpu backend on a 3x3 32->32 conv at 16x16, batch 2', async () => {
    const c: ConvCase = { name: 'srm-like', x: [2, 16, 16, 32], filter: [3, 3, 32, 32], strides: [1, 1], pad: 'same' };
    const x = seeded(2 * 16 * 16 * 32, 5);
    const w = seeded(9 * 32 * 32, 6);
    const g = seeded(2 * 16 * 16 * 32, 7);
    const onWasm = backendGrads(c, x, w, g, [2, 16, 16, 32]);
    await useBackend('cpu');
    const onCpu = backendGrads(c, x, w, g, [2, 16, 16, 32]);
    await useBackend('wasm');
    expect(maxDiff(onWasm.dW, onCpu.dW)).toBeLessThan(1e-4 * maxAbs(onCpu.dW));
    expect(maxDiff(onWasm.dX, onCpu.dX)).toBeLessThan(1e-4 * maxAbs(onCpu.dX));
  });

  it('free every intermediate: tensors, bytes and backend data ids unchanged', () => {
    const x = tf.tensor4d(seeded(2 * 9 * 9 * 4, 1), [2, 9, 9, 4]);
    const w = tf.tensor4d(seeded(9 * 4 * 5, 2), [3, 3, 4, 5]);
    const run = (strides: number, pad: Pad): void => {
      const [dX, dW] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)))([x, w]);
      tf.dispose([dX, dW]);
    };
    run(1, 'same'); // warm-up: XNNPACK operator caches are not leaks
    run(2, 'valid');
    const before = { ...tf.memory(), dataIds: tf.backend().numDataIds() };
    run(1, 'same');
    run(2, 'valid');
    run(1, [[0, 0], [1, 2], [0, 1], [0, 0]]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.backend().numDataIds()).toBe(before.dataIds);
    tf.dispose([x, w]);
  });

  it('registration is idempotent and keeps the original input kernel for delegation', () => {
    const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const filter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(input?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(filter?.kernelFunc);
    expect(input?.setupFunc).toBeTypeOf('function');
  });

  it('rejects NCHW filter gradients with a typed error', () => {
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
    let error: unknown;
    try {
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DifbfsrError);
    expect((error as DifbfsrError).code).toBe('INVALID_OPTION');
    tf.dispose([x, dy]);
  });
});
