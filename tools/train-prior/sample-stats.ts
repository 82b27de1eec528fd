/**
 * Unconditional samples of the bundled prior, measured against real faces (issue #15's sample
 * targets), tracked per export in `tools/train-prior/sample-stats.jsonl`:
 *
 * - colour casts: the per-image mean colour of N samples against that of N training faces
 *   (`colourCastStats`: Fréchet distance of the mean-colour Gaussians, the share outside the
 *   training faces' 99% ellipsoid);
 * - a Fréchet distance on face-recogniser descriptors (face-api's 128-D descriptor, as the quality
 *   bench's descriptor FD) against the same training faces.
 *
 * Both for the network alone and for the prior restore() uses (the network blended with the
 * Gaussian face model), on ONNX Runtime; 256 dev faces against the training faces are the anchor
 * (real held-out faces: what a perfect prior would score with as many images).
 *
 *   node --import tsx tools/train-prior/sample-stats.ts [--samples 256] [--steps 100] [--batch 32] [--seed 0] [--blend-only] [--no-record]
 *
 * Needs ../shared/data/faces64 (train.zip, dev/). Unless `--no-record`, appends the record and draws
 * the blended prior's first 64 samples to docs/img/prior-blend-samples.jpg (generated, no dataset face).
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init } from '../../packages/backend-node/src/index.js';
import { BlendedDenoiser, diffusionTables, getDefaultPrior, linearSchedule, sampleAncestral, type Denoiser } from '../../packages/core/src/index.js';
import { colourCastStats, composeGrid, FaceRecognizer, setFrechetDistance, type RgbImage } from '../../packages/eval/src/index.js';
import '../../packages/models/src/index.js';
import { openFileSource } from '../../packages/models/src/checkpoint/source.node.js';
import { readEntry, readZipDirectory } from '../../packages/models/src/checkpoint/zip.js';
import '../../packages/onnx/src/index.js';

const req = createRequire(new URL('../../packages/backend-node/package.json', import.meta.url));
const tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
type Sharp = (
  input: Uint8Array | string,
  options?: { raw: { width: number; height: number; channels: 3 } },
) => {
  removeAlpha(): { raw(): { toBuffer(o: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }> } };
  jpeg(options: { quality: number; chromaSubsampling: string }): { toFile(path: string): Promise<unknown> };
};
const sharp = req('sharp') as Sharp;

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SHARED = process.env.DIFBFSR_SHARED_DIR ?? fileURLToPath(new URL('../../../shared', import.meta.url));
const FACES = join(SHARED, 'data', 'faces64');
const RECORD = fileURLToPath(new URL('sample-stats.jsonl', import.meta.url));
/** The first 64 samples of the blended prior, 8 by 8 (what restore() uses; evaluate.py draws the network's own). */
const BLEND_GRID = fileURLToPath(new URL('../../docs/img/prior-blend-samples.jpg', import.meta.url));
const BLEND_GRID_JPEG = { quality: 90, chromaSubsampling: '4:4:4' };

async function decode(input: Uint8Array | string): Promise<RgbImage> {
  const { data, info } = await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** `n` training faces spread evenly over train.zip (its entries in name order). */
async function trainingFaces(n: number): Promise<RgbImage[]> {
  const src = await openFileSource(join(FACES, 'train.zip'));
  const entries = [...(await readZipDirectory(src)).entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  const step = entries.length / n;
  try {
    return await Promise.all(Array.from({ length: n }, async (_, i) => decode(await readEntry(src, entries[Math.floor(i * step)]))));
  } finally {
    await src.close();
  }
}

async function devFaces(): Promise<RgbImage[]> {
  const dir = join(FACES, 'dev');
  return Promise.all(readdirSync(dir).sort().map((f) => decode(join(dir, f))));
}

/** `n` ancestral samples of `prior` on `steps` respaced steps, in batches (seed `seed * 1000 + batch index`). */
async function samples(prior: Denoiser, n: number, steps: number, batch: number, seed: number, label: string): Promise<RgbImage[]> {
  const tables = diffusionTables(linearSchedule(`${steps}`));
  const out: RgbImage[] = [];
  const started = performance.now();
  for (let b = 0; out.length < n; b++) {
    const size = Math.min(batch, n - out.length);
    const x = await sampleAncestral(prior, tables, { batch: size, seed: seed * 1000 + b });
    const px = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(x, 1), 127.5)), 0, 255), 'int32'));
    const data = Uint8Array.from(await px.data());
    tf.dispose([x, px]);
    const r = prior.resolution;
    for (let i = 0; i < size; i++) out.push({ width: r, height: r, data: data.subarray(i * r * r * 3, (i + 1) * r * r * 3) });
    process.stderr.write(`${label}: ${out.length}/${n} samples, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  return out;
}

function embed(recognizer: FaceRecognizer, images: readonly RgbImage[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < images.length; i += 32) out.push(...recognizer.embed(images.slice(i, i + 32)));
  return out;
}

const n = Number(arg('samples', '256'));
const steps = Number(arg('steps', '100'));
await init({ prefer: ['wasm'] });
const blend = await getDefaultPrior({ backend: 'onnx' });
if (!(blend instanceof BlendedDenoiser)) throw new Error('the bundled prior is expected to blend a network with the Gaussian face model');
const config = JSON.parse(readFileSync(fileURLToPath(new URL('../../packages/models/assets/face64/config.json', import.meta.url)), 'utf8')) as { training: { steps: number } };
const train = await trainingFaces(n);
const dev = await devFaces();
const recognizer = FaceRecognizer.load();
const trainDescriptors = embed(recognizer, train);
const score = (images: readonly RgbImage[]) => ({ ...colourCastStats(images, train), descriptorFd: setFrechetDistance(embed(recognizer, images), trainDescriptors) });
const blendSamples = await samples(blend, n, steps, Number(arg('batch', '32')), Number(arg('seed', '0')), 'blend');
if (!process.argv.includes('--no-record')) {
  const grid = composeGrid(Array.from({ length: 8 }, (_, r) => blendSamples.slice(8 * r, 8 * r + 8)));
  // JPEG: the repository must stay small for the GPU run (gpu-bundle-budget.test.ts).
  await sharp(grid.data, { raw: { width: grid.width, height: grid.height, channels: 3 } }).jpeg(BLEND_GRID_JPEG).toFile(BLEND_GRID);
}
const record = {
  date: new Date().toISOString().slice(0, 10),
  priorSteps: config.training.steps,
  blendParts: [blend.weights.bands ? `${blend.weights.bands.ranges.length} eigen-bands and the rest` : 'one weight', ...(blend.weights.meanColour ? ['mean colour'] : [])].join(', '),
  samples: n,
  steps,
  seed: Number(arg('seed', '0')),
  anchorDev: score(dev.slice(0, n)),
  ...(process.argv.includes('--blend-only') ? {} : { network: score(await samples(blend.network, n, steps, Number(arg('batch', '32')), Number(arg('seed', '0')), 'network')) }),
  blend: score(blendSamples),
};
recognizer.dispose();
const rgb = (v: number[]) => v.map((x) => x.toFixed(1)).join(' / ');
console.log(`| images (against ${n} training faces) | mean-colour FD | mean R / G / B (training ${rgb(record.anchorDev.referenceMeanRgb)}) | outside the 99% colour ellipsoid | descriptor FD |`);
console.log('|---|---|---|---|---|');
for (const [label, s] of [[`${n} dev faces (anchor)`, record.anchorDev], [`${n} samples, network (step ${record.priorSteps})`, record.network], [`${n} samples, blended prior`, record.blend]] as const) {
  if (s === undefined) continue;
  console.log(`| ${label} | ${s.frechet.toFixed(1)} | ${rgb(s.meanRgb)} | ${(100 * s.outsideShare).toFixed(1)}% | ${s.descriptorFd.toFixed(4)} |`);
}
if (!process.argv.includes('--no-record')) appendFileSync(RECORD, `${JSON.stringify(record)}\n`);
