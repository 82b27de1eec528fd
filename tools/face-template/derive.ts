/**
 * Derive the bundled prior's face template: run the detector `restorePhoto()` uses (@difbfsr/faces,
 * face-api SSD MobileNet v1 + 68 landmarks -> 5) on every development face of the prior's training
 * framing (../shared/data/faces64/dev, 64x64), average the five landmarks, and write them into
 * packages/models/assets/face64/config.json as `face_template` (output pixels, pixel-edge coordinates).
 *
 *   node --import tsx tools/face-template/derive.ts [--dry-run]
 *
 * Each face is upscaled x2 (bilinear) and put in the middle of a 320x320 canvas of its mean colour:
 * SSD finds faces that fill the whole frame poorly, and a face of ~100 px in a 320 px image is in
 * its reliable range. Landmarks are mapped back to the 64 px frame.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../../packages/backend-node/src/index.js';
import type { Point } from '../../packages/core/src/index.js';
import { FaceApiDetector } from '../../packages/faces/src/index.js';
import { onCanvas, readRgbPng, resizeRgb } from './face-images.js';

const FACES = fileURLToPath(new URL('../../../shared/data/faces64/dev/', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../packages/models/assets/face64/config.json', import.meta.url));
const SIZE = 64;
const UPSCALE = 2;
const CANVAS = 320;
const OFFSET = (CANVAS - SIZE * UPSCALE) / 2;
const NAMES = ['left eye', 'right eye', 'nose tip', 'left mouth corner', 'right mouth corner'];

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const meanPoint = (ps: Point[]) => ({ x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length });

await init({ prefer: ['wasm'] });
const detector = await FaceApiDetector.load({ network: 'ssd' });
const files = readdirSync(FACES).filter((f) => f.endsWith('.png')).sort();
const found: { file: string; points: Point[] }[] = [];
for (const [i, file] of files.entries()) {
  const face = resizeRgb(readRgbPng(FACES + file), SIZE * UPSCALE, SIZE * UPSCALE);
  const faces = await detector.detect(onCanvas(face, CANVAS, CANVAS, OFFSET, OFFSET));
  // the best face whose box centre lies on the pasted image
  const best = faces.find((f) => {
    const cx = f.box.x + f.box.width / 2 - OFFSET;
    const cy = f.box.y + f.box.height / 2 - OFFSET;
    return cx > 0 && cy > 0 && cx < SIZE * UPSCALE && cy < SIZE * UPSCALE;
  });
  if (best) found.push({ file, points: best.landmarks.map((p) => ({ x: (p.x - OFFSET) / UPSCALE, y: (p.y - OFFSET) / UPSCALE })) });
  if ((i + 1) % 32 === 0) console.error(`${i + 1}/${files.length}: ${found.length} faces`);
}
detector.dispose();

const template = NAMES.map((_, k) => meanPoint(found.map((f) => f.points[k])));
const spread = NAMES.map((_, k) => {
  const m = template[k];
  return Math.sqrt(found.reduce((s, f) => s + (f.points[k].x - m.x) ** 2 + (f.points[k].y - m.y) ** 2, 0) / found.length);
});
const bySource = (prefix: string) => {
  const subset = found.filter((f) => f.file.startsWith(prefix));
  return { faces: subset.length, points: NAMES.map((_, k) => meanPoint(subset.map((f) => f.points[k]))).map((p) => [round(p.x), round(p.y)]) };
};
const block = {
  size: SIZE,
  points: template.map((p) => ({ x: round(p.x, 3), y: round(p.y, 3) })),
  order: NAMES,
  coordinates: 'output pixels of the 64x64 prior, pixel-edge (the top-left pixel spans [0,1) x [0,1))',
  derivation: {
    command: 'node --import tsx tools/face-template/derive.ts',
    detector: 'face-api 1.7.15 SSD MobileNet v1 (minConfidence 0.5) + 68-point landmarks; eyes = mean of each eye contour, nose tip = 30, mouth corners = 48, 54',
    data: `faces64/dev: ${files.length} faces (utk_*, celeba_*), each upscaled x${UPSCALE} (bilinear) onto a ${CANVAS}x${CANVAS} canvas of its mean colour`,
    detected: found.length,
    rms_spread_px: spread.map((s) => round(s)),
    by_source: { utk: bySource('utk_'), celeba: bySource('celeba_') },
  },
};
console.log(JSON.stringify(block, null, 2));

if (!process.argv.includes('--dry-run')) {
  // Insert (or replace) the block as the last key, leaving the rest of the file as written.
  const text = readFileSync(CONFIG, 'utf8');
  const start = text.indexOf(',\n  "face_template"');
  const body = (start >= 0 ? text.slice(0, start) : text.slice(0, text.lastIndexOf('\n}'))).trimEnd();
  const json = JSON.stringify(block, null, 2).replace(/\n/g, '\n  ');
  writeFileSync(CONFIG, `${body},\n  "face_template": ${json}\n}\n`);
  JSON.parse(readFileSync(CONFIG, 'utf8'));
  console.error(`wrote face_template (${found.length}/${files.length} faces) to ${CONFIG}`);
}
