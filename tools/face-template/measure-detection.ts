/**
 * How small a face the detector finds in one pass: every 8th face of ../shared/data/faces64/dev,
 * shrunk to a given side and pasted in the middle of a 256x256 canvas of its mean colour, detected in
 * one pass (SSD resizes the canvas to 512, so a face's box is twice as large at the network's input).
 * Prints a markdown table: face side, median box side at the network's input, faces found.
 *
 *   node --import tsx tools/face-template/measure-detection.ts [--network ssd|tiny]
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../../packages/backend-node/src/index.js';
import { FaceApiDetector } from '../../packages/faces/src/index.js';
import { onCanvas, readRgbPng, resizeRgb } from './face-images.js';

const FACES = fileURLToPath(new URL('../../../shared/data/faces64/dev/', import.meta.url));
const CANVAS = 256;
const NETWORK_INPUT = 512;
const network = process.argv.includes('tiny') ? 'tiny' : 'ssd';

await init({ prefer: ['wasm'] });
const detector = await FaceApiDetector.load({ network });
const files = readdirSync(FACES).filter((f, i) => f.endsWith('.png') && i % 8 === 0).sort();
console.log(`| face side (px, 64 px crop shrunk) | median box at the ${NETWORK_INPUT} px input | found (${network}) |`);
console.log('|---|---|---|');
for (const side of [48, 32, 24, 20, 16]) {
  const boxes: number[] = [];
  for (const file of files) {
    const face = resizeRgb(readRgbPng(FACES + file), side, side);
    const offset = Math.floor((CANVAS - side) / 2);
    const [best] = await detector.detect(onCanvas(face, CANVAS, CANVAS, offset, offset), { minFaceSize: 1000 });
    if (best) boxes.push((Math.max(best.box.width, best.box.height) * NETWORK_INPUT) / CANVAS);
  }
  boxes.sort((a, b) => a - b);
  const median = boxes.length ? boxes[Math.floor(boxes.length / 2)].toFixed(0) : '-';
  console.log(`| ${side} | ${median} | ${boxes.length}/${files.length} |`);
}
detector.dispose();
