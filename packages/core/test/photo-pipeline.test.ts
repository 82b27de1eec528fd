import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  applyAffine,
  decodeRawImage,
  encodeRawImage,
  GaussianPrior,
  restorePhoto,
  upscaleLanczos,
  type DetectedFace,
  type FaceDetector,
  type FaceTemplate,
  type RawImage,
  type PhotoProgress,
  type Point,
} from '@difbfsr/core';
import { useBackend } from '../../../test-utils/backends.js';

const prior = new GaussianPrior({ resolution: 32, mean: 0, std: 0.5 });
const template: FaceTemplate = {
  size: 32,
  points: [
    { x: 11, y: 13 },
    { x: 21, y: 13 },
    { x: 16, y: 18 },
    { x: 12.5, y: 23 },
    { x: 19.5, y: 23 },
  ],
};
const base = { prior, template, steps: 2, warmupIters: 0, seed: 1 } as const;

/** A face placed so that the 8x8 low-resolution crop (x4 of 32) covers `side` photo pixels around `centre`, rotated `deg`. */
function placeFace(centre: Point, side: number, deg: number, score = 0.9): DetectedFace {
  const k = side / 32;
  const r = (deg * Math.PI) / 180;
  const toPhoto = (p: Point) => {
    const x = (p.x - 16) * k;
    const y = (p.y - 16) * k;
    return { x: centre.x + Math.cos(r) * x - Math.sin(r) * y, y: centre.y + Math.sin(r) * x + Math.cos(r) * y };
  };
  const landmarks = template.points.map(toPhoto) as unknown as DetectedFace['landmarks'];
  const w = 0.6 * side;
  return { box: { x: centre.x - w / 2, y: centre.y - w / 2, width: w, height: w }, score, landmarks };
}

/** A detector that returns known faces and records what it was asked. */
function stubDetector(faces: DetectedFace[]): FaceDetector & { asked: number[] } {
  const asked: number[] = [];
  return {
    name: 'stub',
    asked,
    detect: async (image, options) => {
      asked.push(options?.minFaceSize ?? -1);
      expect(image.data.length).toBe(image.width * image.height * 3);
      return faces;
    },
  };
}

/** A smooth RGB photo, 8-bit. */
function photo(w: number, h: number, channels = 3): RawImage {
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = Math.round(120 + 50 * Math.sin(x / 6 + c) * Math.cos(y / 5) + 20 * c);
  return { data, width: w, height: h, channels };
}

/** The photo upscaled with Lanczos3 and encoded as the pipeline does: the expected background. */
async function background(image: RawImage, scale: number): Promise<RawImage> {
  const px = decodeRawImage(image);
  const rgb = await upscaleLanczos({ ...px.rgb, channels: 3 }, scale);
  const alpha = px.alpha ? await upscaleLanczos({ data: px.alpha, width: image.width, height: image.height, channels: 1 }, scale) : undefined;
  return encodeRawImage(rgb, alpha?.data, px.layout);
}

/** Count of pixels outside every rectangle that differ between two images of the same layout. */
function differencesOutside(a: RawImage, b: RawImage, rects: { x: number; y: number; width: number; height: number }[]): number {
  const c = a.channels!;
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      if (rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)) continue;
      for (let k = 0; k < c; k++) if (a.data[(y * a.width + x) * c + k] !== b.data[(y * a.width + x) * c + k]) n++;
    }
  return n;
}

describe('restorePhoto with a stub detector and the closed-form prior [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('restores the right faces, skips the others with reasons, and leaves the rest of the upscaled photo untouched', async () => {
    const img = photo(64, 48);
    const faces = [
      placeFace({ x: 22, y: 20 }, 16, 15), // restored
      placeFace({ x: 60, y: 30 }, 16, -10), // crop crosses the right border: padded
      placeFace({ x: 40, y: 40 }, 6, 0), // box 3.6 px: too small
      placeFace({ x: 30, y: 24 }, 90, 0), // box 54 px > 32 (prior resolution): too large
    ];
    const detector = stubDetector(faces);
    const before = tf.memory().numTensors;
    const result = await restorePhoto(img, { ...base, detector });
    expect(tf.memory().numTensors).toBe(before);
    expect(detector.asked).toEqual([6]); // default minFaceSize: 0.75 x the 8 px crop
    expect([result.image.width, result.image.height, result.image.channels, result.scale]).toEqual([256, 192, 3, 4]);
    expect(result.image.data).toBeInstanceOf(Uint8Array);
    expect(result.detector).toBe('stub');
    expect(result.faces.map((f) => f.skipped)).toEqual([undefined, undefined, 'too-small', 'too-large']);
    expect(result.faces.map((f) => f.padded)).toEqual([false, true, undefined, undefined]);
    for (const f of result.faces.slice(0, 2)) {
      expect(f.restore?.steps).toBe(2);
      expect(f.colourShift?.every(Number.isFinite)).toBe(true);
      // the alignment maps the given landmarks onto the 8 px template
      f.landmarks!.forEach((p, i) => {
        const q = applyAffine(f.toCrop!, p);
        expect(q.x).toBeCloseTo(template.points[i].x / 4, 6);
        expect(q.y).toBeCloseTo(template.points[i].y / 4, 6);
      });
    }
    const bg = await background(img, 4);
    const regions = result.faces.flatMap((f) => (f.region ? [f.region] : []));
    expect(regions).toHaveLength(2);
    expect(differencesOutside(result.image, bg, regions)).toBe(0);
    // inside, the restored face replaced the background
    expect(differencesOutside(result.image, bg, [])).toBeGreaterThan(1000);
  });

  it('keeps 16-bit grey + alpha: same layout out, alpha upscaled with Lanczos3, untouched pixels equal', async () => {
    const [w, h] = [40, 32];
    const data = new Uint16Array(w * h * 2);
    for (let i = 0; i < w * h; i++) {
      data[2 * i] = 20000 + ((i * 977) % 30000);
      data[2 * i + 1] = i % w < 20 ? 65535 : 30000;
    }
    const img: RawImage = { data, width: w, height: h, channels: 2 };
    const result = await restorePhoto(img, { ...base, detector: stubDetector([placeFace({ x: 20, y: 16 }, 14, 5)]) });
    expect(result.image.data).toBeInstanceOf(Uint16Array);
    expect([result.image.width, result.image.channels]).toEqual([160, 2]);
    const bg = await background(img, 4);
    expect(differencesOutside(result.image, bg, [result.faces[0].region!])).toBe(0);
    // alpha is never touched by the face
    let alphaDiff = 0;
    for (let i = 1; i < bg.data.length; i += 2) alphaDiff = Math.max(alphaDiff, Math.abs(bg.data[i] - result.image.data[i]));
    expect(alphaDiff).toBe(0);
    // grey stays grey: a grey input decodes to equal RGB channels
    const rgbInput = decodeRawImage(img).rgb.data;
    expect(rgbInput[0]).toBe(rgbInput[1]);
  });

  it('RGBA ImageData-like input comes back as Uint8ClampedArray with its alpha', async () => {
    const rgb = photo(32, 32);
    const rgba = new Uint8ClampedArray(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) rgba.set([rgb.data[3 * i], rgb.data[3 * i + 1], rgb.data[3 * i + 2], 200], 4 * i);
    const result = await restorePhoto({ data: rgba, width: 32, height: 32 }, { ...base, detector: stubDetector([placeFace({ x: 16, y: 16 }, 12, 0)]) });
    expect(result.image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(result.image.channels).toBe(4);
    expect(result.image.data[3]).toBe(200);
    expect(result.image.data[result.image.data.length - 1]).toBe(200);
  });

  it('onlyCenterFace and maxFaces pick faces the way GFPGAN does, reporting the others', async () => {
    const img = photo(80, 60);
    // boxes 12, 9.6 and 8.4 px; the second is nearest the centre (40, 30)
    const faces = [placeFace({ x: 15, y: 15 }, 20, 0), placeFace({ x: 42, y: 28 }, 16, 0), placeFace({ x: 65, y: 45 }, 14, 0)];
    const centre = await restorePhoto(img, { ...base, detector: stubDetector(faces), onlyCenterFace: true });
    expect(centre.faces.map((f) => f.skipped)).toEqual(['not-center', undefined, 'not-center']);
    const two = await restorePhoto(img, { ...base, detector: stubDetector(faces), maxFaces: 2 });
    expect(two.faces.map((f) => f.skipped)).toEqual([undefined, undefined, 'max-faces']);
  });

  it('reports progress per stage and per face step, and aborts mid-face without leaking', async () => {
    const img = photo(48, 40);
    const faces = [placeFace({ x: 14, y: 14 }, 14, 0), placeFace({ x: 34, y: 26 }, 14, 0)];
    const seen: PhotoProgress[] = [];
    await restorePhoto(img, { ...base, detector: stubDetector(faces), onProgress: (p) => seen.push(p) });
    const steps = seen.filter((p) => p.stage === 'face').map((p) => (p.stage === 'face' ? `${p.face}/${p.faces}:${p.step}${p.restore ? p.restore.step : ''}` : ''));
    expect(steps).toEqual(['1/2:align', '1/2:restore', '1/2:restore1', '1/2:restore2', '1/2:paste', '2/2:align', '2/2:restore', '2/2:restore1', '2/2:restore2', '2/2:paste']);
    expect(seen[0]).toEqual({ stage: 'background', done: 1, total: 1 });

    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const run = restorePhoto(img, {
      ...base,
      steps: 5,
      detector: stubDetector(faces),
      signal: ctrl.signal,
      onProgress: (p) => p.stage === 'face' && p.face === 2 && p.restore?.step === 2 && ctrl.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('aligned input is restored whole: at the prior size directly, other sizes resized in and out', async () => {
    const small = await restorePhoto(photo(8, 8), { ...base, aligned: true });
    expect([small.image.width, small.faces.length, small.faces[0].restore?.steps]).toEqual([32, 1, 2]);
    expect(small.faces[0].landmarks?.[0]).toEqual({ x: 11 / 4, y: 13 / 4 });
    const before = tf.memory().numTensors;
    const large = await restorePhoto(photo(20, 20, 1), { ...base, aligned: true });
    expect(tf.memory().numTensors).toBe(before);
    expect([large.image.width, large.image.channels]).toEqual([80, 1]);
    large.faces[0].colourShift!.forEach((s) => expect(Math.abs(s)).toBeLessThan(255));
  });

  it('warns when an aligned face is far below the prior\'s input size (8x8 here), and only then', async () => {
    const tiny = await restorePhoto(photo(1, 1), { ...base, aligned: true });
    expect([tiny.image.width, tiny.image.height]).toEqual([4, 4]);
    expect(tiny.warnings).toEqual([
      "The 1x1 face is far below the prior's 8x8 input: it was enlarged 8 times before restoring, so the result holds little of the face itself",
    ]);
    expect((await restorePhoto(photo(3, 3), { ...base, aligned: true })).warnings).toEqual([expect.stringMatching(/^The 3x3 face .* enlarged 2.7 times/)]);
    expect((await restorePhoto(photo(4, 4), { ...base, aligned: true })).warnings).toEqual([]);
    expect((await restorePhoto(photo(16, 16), { ...base, detector: stubDetector([]) })).warnings).toEqual([]);
  });

  it('bad input and options fail with typed errors naming the problem', async () => {
    const img = photo(16, 16);
    const detector = stubDetector([]);
    await expect(restorePhoto(img, { prior })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /detector/ });
    await expect(restorePhoto(img, { prior, detector })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /template/ });
    await expect(restorePhoto(img, { ...base, detector, scale: 3 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /power of two/ });
    await expect(restorePhoto(img, { ...base, detector, maxFaces: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /maxFaces/ });
    const floats = { data: new Float32Array(16 * 16 * 3), width: 16, height: 16 } as unknown as RawImage;
    await expect(restorePhoto(floats, { ...base, detector })).rejects.toMatchObject({ code: 'UNSUPPORTED_DTYPE' });
    await expect(restorePhoto({ data: new Uint8Array(10), width: 4, height: 4 }, { ...base, detector })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(restorePhoto(photo(12, 10), { ...base, aligned: true })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    const badTemplate = { size: 32, points: template.points.slice(0, 3) } as unknown as FaceTemplate;
    await expect(restorePhoto(img, { ...base, template: badTemplate, detector })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const none = await restorePhoto(img, { ...base, detector });
    expect(none.faces).toEqual([]);
  });
});
