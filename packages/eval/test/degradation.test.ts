import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gaussianKernel, imresizeOperator } from '@difbfsr/core';
import {
  degrade,
  gaussianBlur,
  gaussianNoise,
  imresize,
  jpegRoundTrip,
  noiseSeed,
  protocolCase,
  quantizeToUint8,
  roundHalfEven,
  type RgbImage,
} from '@difbfsr/eval';
import { errorOf } from '../../../test-utils/plain-backend.js';

/** An RGB image whose three channels all hold `rows` (row-major values). */
function greyImage(rows: number[][]): RgbImage<Float64Array> {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Float64Array(width * height * 3);
  rows.flat().forEach((v, i) => data.fill(v, i * 3, i * 3 + 3));
  return { width, height, data };
}

/** The closed-form pattern of scripts/degrade_fixture.py. */
function syntheticImage(size: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++) {
        const checker = ((x >> 3) + (y >> 3)) & 1;
        data[(y * size + x) * 3 + c] = (4 * x + 3 * (c + 1) * y + 60 * checker + 37 * c + 2 * ((x * y) % 23)) % 256;
      }
  return { width: size, height: size, data };
}

describe('protocol cases', () => {
  it('are the eight cases of evaluation.md, case 0 = (3.2, 30, 50) to case 7 = (1.8, 0, 100)', () => {
    const cases = Array.from({ length: 8 }, (_, i) => protocolCase(i));
    expect(cases.map((c) => c.quality)).toEqual([50, 57, 64, 71, 79, 86, 93, 100]);
    expect(cases[0].sigma).toBeCloseTo(3.2, 12);
    expect(cases[7].sigma).toBeCloseTo(1.8, 12);
    expect(cases[3].noise).toBeCloseTo(30 - 90 / 7, 12);
    expect(cases[7].noise).toBe(0);
    expect(errorOf(() => protocolCase(8)).code).toBe('INVALID_OPTION');
  });
});

describe('Gaussian blur', () => {
  it('has 2 ceil(3 sigma) + 1 taps of exp(-x^2 / 2 sigma^2), normalised', () => {
    // sigma 0.5: r = 2, unnormalised taps e^-8, e^-2, 1, e^-2, e^-8 (sum 1.2713414915...).
    const k = gaussianKernel(0.5);
    const sum = 1 + 2 * Math.exp(-2) + 2 * Math.exp(-8);
    expect(Array.from(k)).toEqual([Math.exp(-8) / sum, Math.exp(-2) / sum, 1 / sum, Math.exp(-2) / sum, Math.exp(-8) / sum].map((v) => expect.closeTo(v, 15)));
    expect(k[2]).toBeCloseTo(0.7865707, 7);
    expect(gaussianKernel(3.2)).toHaveLength(21);
    expect(gaussianKernel(1.8)).toHaveLength(13);
    expect(errorOf(() => gaussianKernel(0)).code).toBe('INVALID_OPTION');
  });

  it('reflects at the borders without repeating the edge (BORDER_REFLECT_101)', () => {
    const k = gaussianKernel(0.5);
    const out = gaussianBlur(greyImage([[0, 10, 20, 30, 40]]), 0.5);
    // x = 0 reads [20, 10, | 0, 10, 20]; x = 1 reads [10, | 0, 10, 20, 30]; a height-1 column is left alone.
    expect(out.data[0]).toBeCloseTo(k[0] * 20 + k[1] * 10 + k[2] * 0 + k[3] * 10 + k[4] * 20, 12);
    expect(out.data[3]).toBeCloseTo(k[0] * 10 + k[1] * 0 + k[2] * 10 + k[3] * 20 + k[4] * 30, 12);
    expect(out.data[3 * 2]).toBeCloseTo(20, 12); // a linear ramp's interior is unchanged
    expect(out.data[3 * 4]).toBeCloseTo(k[0] * 20 + k[1] * 30 + k[2] * 40 + k[3] * 30 + k[4] * 20, 12);
  });

  it('reflects along the height too, and keeps a constant image', () => {
    const k = gaussianKernel(0.5);
    const column = gaussianBlur(greyImage([[5], [0], [0], [0]]), 0.5);
    expect(column.data[0]).toBeCloseTo(k[2] * 5, 12);
    expect(column.data[3]).toBeCloseTo(k[1] * 5, 12);
    expect(column.data[6]).toBeCloseTo(k[0] * 5, 12);
    const flat = gaussianBlur(greyImage(Array.from({ length: 6 }, () => [7, 7, 7, 7])), 3.2);
    for (const v of flat.data) expect(v).toBeCloseTo(7, 12);
  });
});

describe('MATLAB bicubic resize', () => {
  it('shrinks x4 with an 18-tap stretched kernel whose weights sum to 1', () => {
    const op = imresizeOperator(64, 0.25);
    expect(op.outLength).toBe(16);
    expect(op.taps).toBe(18);
    for (let o = 0; o < 16; o++) {
      let s = 0;
      for (let t = 0; t < op.taps; t++) s += op.weights[o * op.taps + t];
      expect(s).toBeCloseTo(1, 14);
    }
  });

  it('samples a linear ramp exactly at the output centres 4o + 1.5 away from the borders', () => {
    const ramp = greyImage(Array.from({ length: 4 }, () => Array.from({ length: 64 }, (_, x) => 3 * x + 7)));
    const out = imresize(ramp, 0.25);
    expect(out.width).toBe(16);
    expect(out.height).toBe(1);
    for (let o = 2; o <= 13; o++) expect(out.data[o * 3]).toBeCloseTo(3 * (4 * o + 1.5) + 7, 10);
  });

  it('pads symmetrically (edge repeated) at the borders', () => {
    // 8 -> 4: output 0 is centred at 1-based input 1.5 with a 10-tap window from 1-based -3,
    // i.e. 0-based -4..5, mirrored with the edge repeated: -4 -> 3, -3 -> 2, -2 -> 1, -1 -> 0.
    const op = imresizeOperator(8, 0.5);
    expect(Array.from(op.indices.slice(0, op.taps))).toEqual([3, 2, 1, 0, 0, 1, 2, 3, 4, 5]);
  });
});

describe('noise', () => {
  it('is seeded by (file name, case), whatever the folder', () => {
    expect(noiseSeed('/a/b/celeba_0128.png', 3)).toBe(noiseSeed('celeba_0128.png', 3));
    expect(noiseSeed('celeba_0128.png', 3)).not.toBe(noiseSeed('celeba_0128.png', 4));
    expect(noiseSeed('celeba_0128.png', 3)).not.toBe(noiseSeed('celeba_0129.png', 3));
    expect(Array.from(gaussianNoise(5, 10, 42))).toEqual(Array.from(gaussianNoise(5, 10, 42)));
    expect(gaussianNoise(5, 10, 42)[0]).not.toBe(gaussianNoise(5, 10, 43)[0]);
  });

  it('is white Gaussian noise of the given standard deviation', () => {
    const n = 200_000;
    const x = gaussianNoise(n, 17, 7);
    let mean = 0;
    for (const v of x) mean += v / n;
    let variance = 0;
    let within1 = 0;
    let lag1 = 0;
    for (let i = 0; i < n; i++) {
      variance += (x[i] - mean) ** 2 / n;
      if (Math.abs(x[i]) < 17) within1++;
      if (i > 0) lag1 += (x[i] * x[i - 1]) / (n - 1);
    }
    // Standard errors: mean 17/sqrt(n) = 0.038, std ~0.027, P(|z|<1) ~0.001.
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.sqrt(variance)).toBeCloseTo(17, 0);
    expect(Math.abs(Math.sqrt(variance) - 17)).toBeLessThan(0.12);
    expect(Math.abs(within1 / n - 0.682689)).toBeLessThan(0.005);
    expect(Math.abs(lag1 / 289)).toBeLessThan(0.01);
  });
});

describe('rounding', () => {
  it('rounds half to even and clips like numpy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
    const q = quantizeToUint8({ width: 1, height: 1, data: Float64Array.from([-3.2, 254.5, 300]) });
    expect(Array.from(q.data)).toEqual([0, 254, 255]);
  });
});

/** JPEG markers: the quantisation tables (zigzag order) and the frame's sampling factors. */
function jpegStructure(bytes: Uint8Array): { sof: number; tables: Map<number, number[]>; sampling: string[] } {
  const tables = new Map<number, number[]>();
  let sof = -1;
  let sampling: string[] = [];
  let p = 2;
  while (p < bytes.length) {
    const marker = bytes[p + 1];
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    const body = bytes.subarray(p + 4, p + 2 + len);
    if (marker === 0xdb) {
      for (let q = 0; q < body.length; q += 65) tables.set(body[q] & 15, Array.from(body.subarray(q + 1, q + 65)));
    } else if (marker >= 0xc0 && marker <= 0xc2) {
      sof = marker;
      sampling = Array.from({ length: body[5] }, (_, i) => `${body[6 + 3 * i + 1] >> 4}x${body[6 + 3 * i + 1] & 15}`);
    } else if (marker === 0xda) break;
    p += 2 + len;
  }
  return { sof, tables, sampling };
}

/** Zigzag order of an 8x8 block: the natural-order index of each stored coefficient. */
function zigzag(): number[] {
  const order: number[] = [];
  for (let s = 0; s < 15; s++) {
    const cells: number[] = [];
    for (let y = 0; y < 8; y++) if (s - y >= 0 && s - y < 8) cells.push(y * 8 + (s - y));
    order.push(...(s % 2 === 1 ? cells : cells.reverse()));
  }
  return order;
}

// JPEG standard Annex K luminance table, natural order.
const ANNEX_K_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35,
  55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

describe('JPEG', () => {
  it.each([50, 71, 100])('writes baseline 4:2:0 JPEG with the IJG tables of quality %i, and decodes it', async (quality) => {
    const img = syntheticImage(16);
    const { bytes, image } = await jpegRoundTrip(img, quality);
    const s = jpegStructure(bytes);
    expect(s.sof).toBe(0xc0);
    expect(s.sampling).toEqual(['2x2', '1x1', '1x1']);
    const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    const expected = zigzag().map((i) => Math.min(255, Math.max(1, Math.floor((ANNEX_K_LUMA[i] * scale + 50) / 100))));
    expect(s.tables.get(0)).toEqual(expected);
    const sharp = (await import('sharp')).default;
    const meta = await sharp(bytes).metadata();
    expect(meta.chromaSubsampling).toBe('4:2:0');
    expect(meta.isProgressive).toBe(false);
    expect(image.width).toBe(16);
    let err = 0;
    for (let i = 0; i < img.data.length; i++) err += Math.abs(img.data[i] - image.data[i]) / img.data.length;
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(25); // this pattern's chroma changes per pixel: 4:2:0 alone costs ~16
  });

  it('refuses a quality outside 1..100', async () => {
    await expect(jpegRoundTrip(syntheticImage(8), 0)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('against tools/train-prior/prior/degrade.py (fixture from scripts/degrade_fixture.py)', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/degrade-py.json', import.meta.url), 'utf8')) as {
    size: number;
    cases: { case: number; low: number[]; jpeg: number[] }[];
    degradeCase7: number[];
  };
  const hr = syntheticImage(fixture.size);

  it.each(fixture.cases.map((c) => [c.case, c] as const))('case %i: blur + x1/4 resize and the JPEG of its rounding match', async (i, c) => {
    const low = imresize(gaussianBlur(hr, protocolCase(i).sigma), 0.25);
    let maxDiff = 0;
    low.data.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - c.low[k]))));
    expect(maxDiff).toBeLessThan(1e-8);
    const { image } = await jpegRoundTrip(quantizeToUint8(low), protocolCase(i).quality);
    expect(Array.from(image.data)).toEqual(c.jpeg);
  });

  it('case 7 (no noise) matches end to end', async () => {
    const { lr, beforeJpeg } = await degrade(hr, 7, 'synthetic.png');
    expect(lr.width).toBe(16);
    expect(Array.from(lr.data)).toEqual(fixture.degradeCase7);
    expect(beforeJpeg.data.length).toBe(16 * 16 * 3);
  });

  it('adds the seeded noise of the protocol before rounding', async () => {
    const a = await degrade(hr, 0, 'x/face.png');
    const b = await degrade(hr, 0, 'y/face.png');
    expect(Array.from(a.lr.data)).toEqual(Array.from(b.lr.data));
    const clean = quantizeToUint8(imresize(gaussianBlur(hr, 3.2), 0.25));
    let sq = 0;
    for (let k = 0; k < clean.data.length; k++) sq += (a.beforeJpeg.data[k] - clean.data[k]) ** 2 / clean.data.length;
    expect(Math.sqrt(sq)).toBeGreaterThan(24); // noise std 30, a little clipped
    expect(Math.sqrt(sq)).toBeLessThan(33);
  });
});
