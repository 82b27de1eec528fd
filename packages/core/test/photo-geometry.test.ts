import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyAffine, DifbfsrError, estimateSimilarity, invertAffine, upscaleLanczos, warpAffine, type Affine2D, type Point } from '@difbfsr/core';
import { applySeparable } from '../src/image/apply-separable.js';
import { composeAffine } from '../src/photo/similarity-transform.js';
import { featherMask } from '../src/photo/feather-mask.js';
import { lanczosBlock, lanczosMatrix } from '../src/image/lanczos-matrix.js';
import { pasteFace } from '../src/photo/paste-face.js';
import { resizeLanczos } from '../src/photo/upscale-lanczos.js';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

/** Similarity with scale `k`, rotation `deg` degrees and translation. */
function similarity(k: number, deg: number, tx: number, ty: number): Affine2D {
  const r = (deg * Math.PI) / 180;
  return { a: k * Math.cos(r), b: -k * Math.sin(r), c: k * Math.sin(r), d: k * Math.cos(r), tx, ty };
}

/** Least squares for [a, s, tx, ty] (x' = a x - s y + tx, y' = s x + a y + ty) by the normal equations. */
function similarityByNormalEquations(from: Point[], to: Point[]): number[] {
  const A: number[][] = [];
  const y: number[] = [];
  from.forEach((p, i) => {
    A.push([p.x, -p.y, 1, 0]);
    y.push(to[i].x);
    A.push([p.y, p.x, 0, 1]);
    y.push(to[i].y);
  });
  const N = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => A.reduce((s, row) => s + row[r] * row[c], 0)));
  const b = [0, 1, 2, 3].map((r) => A.reduce((s, row, i) => s + row[r] * y[i], 0));
  // Gaussian elimination with partial pivoting
  for (let c = 0; c < 4; c++) {
    const p = [c, 1, 2, 3].filter((r) => r >= c).reduce((m, r) => (Math.abs(N[r][c]) > Math.abs(N[m][c]) ? r : m), c);
    [N[c], N[p]] = [N[p], N[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < 4; r++) {
      const f = N[r][c] / N[c][c];
      for (let k = c; k < 4; k++) N[r][k] -= f * N[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) x[r] = (b[r] - [0, 1, 2, 3].filter((k) => k > r).reduce((s, k) => s + N[r][k] * x[k], 0)) / N[r][r];
  return x;
}

/** Bilinear sample of an `[h, w]` array at pixel-edge coordinates (centres at j + 0.5), edge clamped. */
function bilinearAt(img: Float32Array, w: number, h: number, u: number, v: number): number {
  const x = Math.min(Math.max(u - 0.5, 0), w - 1);
  const y = Math.min(Math.max(v - 0.5, 0), h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = x - x0;
  const fy = y - y0;
  const at = (yy: number, xx: number) => img[yy * w + xx];
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
}

/** A smooth test image `[h, w]`: low-frequency sinusoids, values in 0..255. */
function smoothImage(w: number, h: number, phase = 0): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = 128 + 60 * Math.sin(x / 5 + phase) * Math.cos(y / 7) + 30 * Math.sin((x + y) / 11);
  return out;
}

describe('similarity estimation (Umeyama)', () => {
  const template: Point[] = [
    { x: 21, y: 26 },
    { x: 43, y: 26 },
    { x: 32, y: 38 },
    { x: 24, y: 48 },
    { x: 40, y: 48 },
  ];

  it('recovers an exact similarity, and its inverse and composition are consistent', () => {
    const truth = similarity(1.7, -23, 40.5, -12.25);
    const moved = template.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(template, moved);
    for (const k of ['a', 'b', 'c', 'd', 'tx', 'ty'] as const) expect(m[k]).toBeCloseTo(truth[k], 9);
    const id = composeAffine(invertAffine(m), m);
    expect(id.a).toBeCloseTo(1, 12);
    expect(id.b).toBeCloseTo(0, 12);
    expect(id.tx).toBeCloseTo(0, 9);
  });

  it('with noisy points equals the least-squares solution of the normal equations', () => {
    const truth = similarity(0.4, 31, -5, 7);
    const noise = [0.8, -0.3, 0.5, -1.1, 0.2, 0.9, -0.6, 0.4, -0.2, 0.7];
    const moved = template.map((p, i) => {
      const q = applyAffine(truth, p);
      return { x: q.x + noise[2 * i], y: q.y + noise[2 * i + 1] };
    });
    const m = estimateSimilarity(template, moved);
    const [a, s, tx, ty] = similarityByNormalEquations(template, moved);
    expect(m.a).toBeCloseTo(a, 9);
    expect(m.c).toBeCloseTo(s, 9);
    expect(m.b).toBeCloseTo(-s, 9);
    expect(m.tx).toBeCloseTo(tx, 7);
    expect(m.ty).toBeCloseTo(ty, 7);
  });

  it('rejects degenerate landmarks with a typed error', () => {
    const same = Array.from({ length: 5 }, () => ({ x: 3, y: 3 }));
    expect(() => estimateSimilarity(same, template)).toThrow(DifbfsrError);
    expect(() => estimateSimilarity(template.slice(0, 4), template)).toThrow(/point pairs/);
  });
});

describe('Lanczos3 resampling', () => {
  beforeAll(() => useBackend('wasm'));

  it('rows sum to 1, the kernel has Lanczos3 weights, and blocks are slices of the full matrix', () => {
    const m = lanczosMatrix(20, 80);
    for (let i = 0; i < 80; i++) {
      let s = 0;
      for (let j = 0; j < 20; j++) s += m.data[i * 20 + j];
      expect(s).toBeCloseTo(1, 6);
    }
    // Output 41 of a x4 upscale sits at input coordinate (41.5 / 4 - 0.5) = 9.875: taps 7..12.
    const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    const taps = [7, 8, 9, 10, 11, 12].map((j) => sinc(9.875 - j) * sinc((9.875 - j) / 3));
    const total = taps.reduce((a, b) => a + b, 0);
    taps.forEach((w, k) => expect(m.data[41 * 20 + 7 + k]).toBeCloseTo(w / total, 6));
    const { matrix, inStart } = lanczosBlock(20, 80, 40, 44);
    for (let r = 0; r < 4; r++) for (let c = 0; c < matrix.cols; c++) expect(matrix.data[r * matrix.cols + c]).toBeCloseTo(m.data[(40 + r) * 20 + inStart + c], 7);
  });

  it('the tiled upscale equals one separable product with the full matrices, and leaks nothing', async () => {
    const [w, h] = [90, 70]; // x4: 360 x 280, four output tiles
    const grey = smoothImage(w, h);
    const data = new Float32Array(w * h * 2);
    grey.forEach((v, i) => {
      data[2 * i] = v;
      data[2 * i + 1] = 255 - v;
    });
    const before = tf.memory().numTensors;
    const tiles: number[] = [];
    const out = await upscaleLanczos({ data, width: w, height: h, channels: 2 }, 4, { onTile: (done) => tiles.push(done) });
    expect(tf.memory().numTensors).toBe(before);
    expect(tiles).toEqual([1, 2, 3, 4]);
    const reference = tf.tidy(() => applySeparable(tf.tensor4d(data, [1, h, w, 2]), lanczosMatrix(h, 4 * h), lanczosMatrix(w, 4 * w)));
    expect([out.width, out.height]).toEqual([360, 280]);
    expect(maxAbsDiff(out.data, reference)).toBeLessThan(1e-3);
    reference.dispose();
  });

  it('the tiled resize to any size, antialiased when reducing, equals the full antialiased matrices', async () => {
    const data = Float32Array.from([...smoothImage(64, 64)].flatMap((v) => [v, 255 - v, v / 2]));
    for (const side of [300, 40]) {
      const before = tf.memory().numTensors;
      const out = await resizeLanczos({ data, width: 64, height: 64, channels: 3 }, side, side, { antialias: true });
      expect(tf.memory().numTensors).toBe(before);
      const m = lanczosMatrix(64, side, { antialias: true });
      const reference = tf.tidy(() => applySeparable(tf.tensor4d(data, [1, 64, 64, 3]), m, m));
      expect([out.width, out.height]).toEqual([side, side]);
      expect(maxAbsDiff(out.data, reference)).toBeLessThan(1e-3);
      reference.dispose();
    }
  });
});

describe('affine warp, alignment round trip, feathered paste', () => {
  beforeAll(() => useBackend('wasm'));

  it('samples at map(p) in pixel-edge coordinates, like an independent bilinear sampler', () => {
    const [w, h] = [40, 30];
    const img = smoothImage(w, h);
    const map = similarity(0.8, 17, 6.3, -2.1);
    const out = tf.tidy(() => warpAffine(tf.tensor4d(img, [1, h, w, 1]), map, 20, 25).dataSync());
    let worst = 0;
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 25; x++) {
        const q = applyAffine(map, { x: x + 0.5, y: y + 0.5 });
        if (q.x < 0.5 || q.y < 0.5 || q.x > w - 0.5 || q.y > h - 0.5) continue; // constant fill outside
        worst = Math.max(worst, Math.abs(out[y * 25 + x] - bilinearAt(img, w, h, q.x, q.y)));
      }
    expect(worst).toBeLessThan(1e-3);
  });

  it('warp then inverse warp returns the image within a small error', () => {
    const [w, h] = [64, 64];
    const img = smoothImage(w, h, 1);
    const there = similarity(1.25, 25, 3, -48); // output -> source: the output's centre (48, 48) samples the source's (32, 32)
    const back = invertAffine(there);
    const round = tf.tidy(() => {
      const x = tf.tensor4d(img, [1, h, w, 1]);
      return warpAffine(warpAffine(x, there, 96, 96), back, h, w).dataSync();
    });
    // compare in the middle, where the round trip stays inside both grids
    let worst = 0;
    for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) worst = Math.max(worst, Math.abs(round[y * w + x] - img[y * w + x]));
    expect(worst).toBeLessThan(2); // two bilinear resamplings of a smooth image (0..255 scale)
  });

  it('the feather mask is 0 on the crop edge, 1 inside, symmetric', () => {
    const m = tf.tidy(() => featherMask(32, 4).dataSync());
    expect(m[0]).toBe(0);
    expect(m[31]).toBe(0);
    expect(m[16 * 32 + 16]).toBe(1);
    expect(m[16 * 32 + 2]).toBeGreaterThan(0);
    expect(m[16 * 32 + 2]).toBeLessThan(1);
    expect(m[5 * 32 + 9]).toBeCloseTo(m[26 * 32 + 22], 6);
  });

  it('pasting changes only the pixels under the warped mask, and reports the colour shift', () => {
    const [w, h] = [50, 40];
    const bg = new Float32Array(w * h * 3).fill(100);
    const image = { data: bg.slice(), width: w, height: h, channels: 3 };
    const before = tf.memory().numTensors;
    const face = tf.fill([1, 16, 16, 3], 130) as tf.Tensor4D;
    const mask = featherMask(16, 3);
    const toFace = similarity(0.7, 10, -10, -5); // image -> face
    const result = pasteFace(image, face, mask, toFace)!;
    tf.dispose([face, mask]);
    expect(tf.memory().numTensors).toBe(before);
    // a uniform face 30 levels brighter: the mask-weighted shift is exactly +30
    result.colourShift.forEach((s) => expect(s).toBeCloseTo(30, 3));
    const fromFace = invertAffine(toFace);
    const centre = applyAffine(fromFace, { x: 8, y: 8 });
    const ci = (Math.floor(centre.y) * w + Math.floor(centre.x)) * 3;
    expect(image.data[ci]).toBeCloseTo(130, 3);
    const { x, y, width, height } = result.region;
    for (let yy = 0; yy < h; yy++)
      for (let xx = 0; xx < w; xx++) {
        const inside = xx >= x && xx < x + width && yy >= y && yy < y + height;
        if (!inside) expect(image.data[(yy * w + xx) * 3]).toBe(100);
      }
  });
});
