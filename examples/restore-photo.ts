/**
 * Whole photos: find every face with `FaceApiDetector`, restore it with the bundled prior and paste
 * it back over the photo upscaled x4 (`restorePhoto()`).
 *
 * Without `--input`, a synthetic photo is built from our own faces only (seeded samples of the
 * bundled prior) pasted at known places, sizes and angles on a drawn background, degraded (blur, x4
 * down, noise, JPEG), restored, and checked: every pasted face must be found. It writes the
 * low-resolution photo, the restored photo and a comparison picture (input upscaled with Lanczos3 |
 * restored | detections on the input). Sampling the four faces from the prior takes a minute or
 * more.
 *
 *   pnpm restore-photo-example [--steps 100] [--seed 1]
 *       [--lr examples/out/photo-lr.png] [--output examples/out/photo-restored.png] [--sheet docs/img/photo-restore.png]
 *   pnpm restore-photo-example --input photo.jpg --output photo-x4.png [--sheet compare.png]
 *
 * Exit status 1 when a face was not found (synthetic photo) or no face was restored (`--input`).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import sharp, { type Sharp } from 'sharp';
import { init } from '@difbfsr/backend-node';
import {
  diffusionTables,
  getDefaultPrior,
  linearSchedule,
  restorePhoto,
  sampleAncestral,
  toPixels,
  upscaleLanczos,
  type FaceReport,
  type PhotoProgress,
} from '@difbfsr/core';
import { FaceApiDetector } from '@difbfsr/faces';
import '@difbfsr/models'; // the bundled prior and its face template
import '@difbfsr/onnx'; // registers ONNX Runtime (runtime 'onnx'), which backend 'auto' tries first

/** An 8-bit RGB image. */
interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Where a face was pasted into the synthetic photo, in low-resolution photo pixels. */
interface PlantedFace {
  x: number;
  y: number;
  side: number;
}

const SCALE = 4;
/** The synthetic photo at full resolution; the restored photo has this size. */
const HR = { width: 640, height: 384 };
/**
 * The faces: seeded samples of the bundled prior (our own faces), each with its centre, side once
 * resized and rotation (degrees) at full resolution. The prior's samples are weak faces; these are
 * ones face-api's SSD finds at this size (18 px in the low-resolution photo, about the prior's 16 px
 * input) and these angles after the degradation, with scores 0.72 to 0.84.
 */
const PLACEMENTS = [
  { seed: 4, x: 100, y: 190, side: 72, deg: -6 },
  { seed: 5, x: 240, y: 200, side: 72, deg: -6 },
  { seed: 10, x: 380, y: 190, side: 72, deg: -6 },
  { seed: 11, x: 530, y: 200, side: 72, deg: 6 },
];
/** Box colours of the detections panel, in report order. */
const COLOURS = ['#ff3b30', '#ffcc00', '#34c759', '#0a84ff', '#bf5af2', '#ff9500'];

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    output: { type: 'string', default: here('out/photo-restored.png') },
    sheet: { type: 'string' },
    lr: { type: 'string', default: here('out/photo-lr.png') },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string' },
  },
});
const sheetPath = values.sheet ?? (values.input ? undefined : here('../docs/img/photo-restore.png'));

/** A sharp pipeline on raw RGB pixels. */
function raw(img: Rgb): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

/** Run a sharp pipeline to 8-bit RGB (alpha dropped, grey expanded). */
async function toRgb(s: Sharp): Promise<Rgb> {
  const { data, info } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Write an image, its format from the file's extension. */
async function writeImage(img: Rgb, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await raw(img).toFile(path);
}

/** Seeded samples of the bundled prior (ancestral, 100 respaced steps; the prior restore() uses by default). */
async function priorSamples(seeds: number[]): Promise<Rgb[]> {
  const prior = await getDefaultPrior();
  const tables = diffusionTables(linearSchedule('100'));
  const faces: Rgb[] = [];
  for (const seed of seeds) {
    const x = await sampleAncestral(prior, tables, { seed });
    const px = toPixels(x);
    faces.push({ data: Uint8Array.from(await px.data()), width: prior.resolution, height: prior.resolution });
    tf.dispose([x, px]);
  }
  return faces;
}

/** A face image as a PNG with feathered edges (alpha), resized and rotated. */
async function faceSticker(face: Rgb, side: number, deg: number): Promise<Buffer> {
  const { width: w, height: h } = face;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const edge = Math.min(x + 0.5, w - x - 0.5, y + 0.5, h - y - 0.5) / w;
      rgba.set([face.data[i * 3], face.data[i * 3 + 1], face.data[i * 3 + 2], 255 * Math.min(1, edge / 0.06)], i * 4);
    }
  const resized = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
    .resize(side, side, { kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return sharp(resized).rotate(deg, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer();
}

/** The drawn background: a sky gradient, a sun, hills and two picture frames. */
function backgroundSvg({ width, height }: { width: number; height: number }): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#5b8fd6"/><stop offset="1" stop-color="#f3d9b1"/></linearGradient>
  <radialGradient id="sun"><stop offset="0" stop-color="#fff6c8"/><stop offset="1" stop-color="#fff6c8" stop-opacity="0"/></radialGradient></defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <circle cx="${0.82 * width}" cy="${0.18 * height}" r="${0.16 * height}" fill="url(#sun)"/>
  <rect x="${0.05 * width}" y="${0.08 * height}" width="${0.16 * width}" height="${0.22 * height}" fill="#8a5a3c" stroke="#3d2618" stroke-width="5"/>
  <rect x="${0.6 * width}" y="${0.1 * height}" width="${0.12 * width}" height="${0.3 * height}" fill="#4f7b5a" stroke="#2b2b2b" stroke-width="4"/>
  <ellipse cx="${0.25 * width}" cy="${1.05 * height}" rx="${0.5 * width}" ry="${0.35 * height}" fill="#6e9a4f"/>
  <ellipse cx="${0.85 * width}" cy="${1.1 * height}" rx="${0.45 * width}" ry="${0.32 * height}" fill="#557d3d"/>
</svg>`);
}

/** Standard normal draws from a seeded generator (mulberry32, Box-Muller). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Mild degradation: Gaussian blur (sigma 1 at full resolution), x4 down (bicubic), seeded noise (sigma 2), JPEG q 85. */
async function degrade(hr: Rgb): Promise<Rgb> {
  const blurred = await toRgb(raw(hr).blur(1));
  const low = await toRgb(raw(blurred).resize(hr.width / SCALE, hr.height / SCALE, { kernel: 'cubic' }));
  const noise = gaussian(7);
  for (let i = 0; i < low.data.length; i++) low.data[i] = Math.min(255, Math.max(0, Math.round(low.data[i] + 2 * noise())));
  return toRgb(sharp(await raw(low).jpeg({ quality: 85 }).toBuffer()));
}

/** The synthetic low-resolution photo and where its faces are. */
async function syntheticPhoto(): Promise<{ photo: Rgb; planted: PlantedFace[] }> {
  const faces = await priorSamples(PLACEMENTS.map((p) => p.seed));
  const layers = [];
  for (const [k, p] of PLACEMENTS.entries()) {
    const input = await faceSticker(faces[k], p.side, p.deg);
    const { width = 0, height = 0 } = await sharp(input).metadata();
    layers.push({ input, left: Math.round(p.x - width / 2), top: Math.round(p.y - height / 2) });
  }
  const hr = await toRgb(sharp(backgroundSvg(HR)).composite(layers));
  const planted = PLACEMENTS.map((p) => ({ x: p.x / SCALE, y: p.y / SCALE, side: p.side / SCALE }));
  return { photo: await degrade(hr), planted };
}

/** One plain line per stage and per quarter of each face's restore. */
function progressLines(): (p: PhotoProgress) => void {
  let last = '';
  return (p) => {
    let line = '';
    if (p.stage === 'detect' && p.done === p.total) line = `detected faces (${p.total} detector passes)`;
    else if (p.stage === 'face' && p.restore?.phase === 'diffusion') {
      line = `face ${p.face}/${p.faces}: ${25 * Math.floor((4 * p.restore.step) / p.restore.total)}% of ${p.restore.total} steps`;
    }
    if (line && line !== last) console.log(line);
    last = line || last;
  };
}

/** One report line per face. */
function describe(f: FaceReport, k: number): string {
  const { x, y, width, height } = f.box;
  const head = `#${k + 1} box ${width.toFixed(0)}x${height.toFixed(0)} at (${x.toFixed(0)}, ${y.toFixed(0)}), score ${f.score.toFixed(2)}`;
  if (f.skipped || !f.restore) return `${head}: skipped (${f.skipped})`;
  const shift = f.colourShift?.map((s) => `${s >= 0 ? '+' : ''}${s.toFixed(1)}`).join(' ') ?? '-';
  const r = f.restore;
  return (
    `${head}: restored in ${(r.timeMs / 1000).toFixed(1)} s (${r.steps} steps), colour shift RGB ${shift}, ` +
    `LR RMSE ${r.lrRmse.toFixed(3)} (bicubic ${r.baselineLrRmse.toFixed(3)})${r.collapsed ? `, collapse caught (${r.collapseFallback} returned)` : r.retries > 0 ? ', rerun after a collapse' : ''}`
  );
}

/** Planted faces no restored face's box centre is near. */
function missed(planted: PlantedFace[], faces: FaceReport[]): PlantedFace[] {
  const restored = faces.filter((f) => !f.skipped);
  const near = (p: PlantedFace, { box }: FaceReport) => Math.hypot(box.x + box.width / 2 - p.x, box.y + box.height / 2 - p.y) < p.side / 2;
  return planted.filter((p) => !restored.some((f) => near(p, f)));
}

/** An SVG overlay for sharp's composite. */
function svg(width: number, height: number, body: string): Buffer {
  const attributes = `width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif"`;
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" ${attributes}>${body}</svg>`);
}

/**
 * Input upscaled with Lanczos3 (what the faces are pasted onto) | restored | the input x2 with the
 * face boxes, and one line per face under it.
 */
async function writeSheet(lr: Rgb, restored: Rgb, faces: FaceReport[], path: string): Promise<void> {
  const plane = await upscaleLanczos({ data: Float32Array.from(lr.data), width: lr.width, height: lr.height, channels: 3 }, SCALE);
  const lanczos = { ...plane, data: Uint8Array.from(plane.data, (v) => Math.min(255, Math.max(0, Math.round(v)))) };
  const [w, h, gap, top, z] = [restored.width, restored.height, 8, 22, SCALE / 2];
  const colour = (k: number) => COLOURS[k % COLOURS.length];
  const boxes = faces.map(({ box }, k) => {
    const [x, y, bw, bh] = [box.x, box.y, box.width, box.height].map((v) => (v * z).toFixed(1));
    return `<rect x="${x}" y="${y}" width="${bw}" height="${bh}" fill="none" stroke="${colour(k)}" stroke-width="2"/>` +
      `<text x="${x}" y="${Number(y) - 3}" font-size="12" font-weight="bold" fill="${colour(k)}">${k + 1}</text>`;
  });
  const small = await raw(lr)
    .resize(lr.width * z, lr.height * z, { kernel: 'nearest' })
    .composite([{ input: svg(lr.width * z, lr.height * z, boxes.join('')) }])
    .png()
    .toBuffer();
  const x3 = 2 * (w + gap);
  const width = x3 + lr.width * z;
  const text = (x: number, y: number, t: string, fill = '#222') => `<text x="${x}" y="${y}" font-size="14" fill="${fill}">${t}</text>`;
  const legend = faces.map((f, k) => {
    const what = f.skipped ?? (f.restore ? `${f.restore.steps} steps, ${(f.restore.timeMs / 1000).toFixed(0)} s` : '');
    return text(x3, top + lr.height * z + 24 + 20 * k, `${k + 1}: score ${f.score.toFixed(2)}, ${what}`, colour(k));
  });
  const labels = [
    text(0, 16, `input ${lr.width}x${lr.height}, Lanczos3 x${SCALE}`),
    text(w + gap, 16, `restorePhoto(): ${faces.filter((f) => !f.skipped).length} of ${faces.length} faces restored`),
    text(x3, 16, `detections (input x${z})`),
    ...legend,
  ];
  mkdirSync(dirname(path), { recursive: true });
  await sharp({ create: { width, height: h + top, channels: 3, background: '#ffffff' } })
    .composite([
      { input: await raw(lanczos).png().toBuffer(), left: 0, top },
      { input: await raw(restored).png().toBuffer(), left: w + gap, top },
      { input: small, left: x3, top },
      { input: svg(width, h + top, labels.join('')), left: 0, top: 0 },
    ])
    .png({ compressionLevel: 9, palette: true, colours: 256, dither: 0.5 })
    .toFile(path);
}

const backend = await init();
const { photo, planted } = values.input ? { photo: await toRgb(sharp(values.input).rotate()), planted: undefined } : await syntheticPhoto();
if (!values.input) await writeImage(photo, values.lr);
const detector = await FaceApiDetector.load();
try {
  const threads = backend.threads ? ` (${backend.threads} threads)` : '';
  console.log(`restoring the faces of a ${photo.width}x${photo.height} photo on ${backend.name}${threads}`);
  const result = await restorePhoto(
    { ...photo, channels: 3 },
    { detector, seed: Number(values.seed), ...(values.steps ? { steps: Number(values.steps) } : {}), onProgress: progressLines() },
  );
  const restored = { data: result.image.data as Uint8Array, width: result.image.width, height: result.image.height };
  result.faces.forEach((f, k) => console.log(describe(f, k)));
  await writeImage(restored, values.output);
  if (sheetPath) await writeSheet(photo, restored, result.faces, sheetPath);
  console.log(
    `${result.detector}, ${result.faces.find((f) => f.restore)?.restore?.prior ?? 'no prior run'}: ` +
      `${result.faces.length} faces, x${result.scale} in ${(result.timeMs / 1000).toFixed(1)} s\n` +
      `wrote ${values.output}${sheetPath ? `, ${sheetPath}` : ''}${values.input ? '' : `; the low-resolution photo: ${values.lr}`}`,
  );
  const lost = planted ? missed(planted, result.faces) : [];
  if (lost.length > 0 || !result.faces.some((f) => !f.skipped)) {
    const where = lost.map((p) => `(${p.x.toFixed(0)}, ${p.y.toFixed(0)}) ${p.side} px`).join(', ');
    console.warn(`warning: ${planted ? `faces not found or not restored: ${where}` : 'no face was restored'}`);
    process.exitCode = 1;
  }
} finally {
  detector.dispose();
}
