import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianPrior, getDefaultDegradationEstimator, setDefaultFaceModel } from '@difbfsr/core';
import { FaceApiLandmarker } from '@difbfsr/faces';
import { BUNDLED_FACE_MODEL } from '@difbfsr/models';
import {
  benchPaths,
  cosineSimilarity,
  descriptorDistance,
  degrade,
  encodePng,
  FaceRecognizer,
  type FaceScorers,
  psnr,
  readRecords,
  readRgb,
  rescoreRecords,
  runQualityBench,
  writeQualityReport,
  type QualityBenchConfig,
  type RgbImage,
} from '@difbfsr/eval';
import { useBackend } from '../../../test-utils/backends.js';

const SIZE = 32;
const dir = mkdtempSync(join(tmpdir(), 'difbfsr-quality-'));
const hrDir = join(dir, 'hr');
const out = join(dir, 'out');
const FACES = ['a_1.png', 'a_2.png', 'b_1.png'];
let scorers: FaceScorers;

/** A smooth synthetic "face" (no dataset image): blobs whose placement depends on k. */
function synthetic(k: number): RgbImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < 3; c++) {
        const blob = Math.exp(-((x - 10 - 4 * k) ** 2 + (y - 12) ** 2) / 30) + Math.exp(-((x - 22) ** 2 + (y - 20 + 3 * k) ** 2) / 40);
        data[(y * SIZE + x) * 3 + c] = Math.round(60 + 40 * c + 120 * blob);
      }
  return { width: SIZE, height: SIZE, data };
}

beforeAll(async () => {
  await useBackend('wasm');
  // The bundled face model with a closed-form prior of the faces' size (not blended with the 64 px Gaussian model).
  setDefaultFaceModel({ ...BUNDLED_FACE_MODEL, priorBlend: undefined, prior: { denoiser: () => new GaussianPrior({ resolution: SIZE, mean: 0, std: 0.5 }) } });
  scorers = { recognizer: FaceRecognizer.load(), landmarker: await FaceApiLandmarker.load() };
  // The bundled degradation estimator is loaded on first use and kept (its weight tensors): load it
  // before the tests count tensors.
  await getDefaultDegradationEstimator();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(hrDir, { recursive: true });
  for (const [k, f] of FACES.entries()) writeFileSync(join(hrDir, f), await encodePng(synthetic(k)));
});
afterAll(() => {
  scorers.recognizer.dispose();
  scorers.landmarker.dispose();
  setDefaultFaceModel(BUNDLED_FACE_MODEL);
  rmSync(dir, { recursive: true, force: true });
});

const config = (extra: Partial<QualityBenchConfig> = {}): QualityBenchConfig => ({
  hrDir,
  faces: FACES,
  cases: [0, 7],
  methods: ['bicubic', '#1', '#4'],
  tag: 'smoke',
  overrides: { seed: 0, backend: 'auto', steps: 2 },
  outDir: out,
  ...extra,
});

describe('the quality bench, end to end on synthetic faces with a closed-form prior', () => {
  it('runs shards into one results file, resumes without redoing anything, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const first = await runQualityBench(config({ shard: { index: 0, count: 2 } }), scorers);
    const second = await runQualityBench(config({ shard: { index: 1, count: 2 } }), scorers);
    // 3 faces x 2 cases = 6 items over 2 shards (3 + 3), 3 methods each.
    expect(first).toEqual({ ran: 9, skipped: 0 });
    expect(second).toEqual({ ran: 9, skipped: 0 });
    expect(await runQualityBench(config(), scorers)).toEqual({ ran: 0, skipped: 18 });
    expect(tf.memory().numTensors).toBe(before);
    // New settings are new items (here under their own tag).
    const steps3 = config({ tag: 'steps3', methods: ['bicubic', '#1'], overrides: { seed: 0, backend: 'auto', steps: 3 }, cases: [7], faces: ['b_1.png'] });
    expect(await runQualityBench(steps3, scorers)).toEqual({ ran: 2, skipped: 0 });
  });

  it('records metrics that match the saved images and an independent recomputation', async () => {
    const { records } = readRecords(benchPaths.results(out));
    expect(records).toHaveLength(20);
    const r = records.find((x) => x.face === 'a_2.png' && x.case === 0 && x.method === 'bicubic')!;
    const hr = synthetic(1);
    const saved = await readRgb(benchPaths.output(out, 'smoke', 'bicubic', r.settingsHash, 'a_2.png', 0));
    expect(r.psnr).toBeCloseTo(psnr(saved, hr), 10);
    // The saved LR input is the protocol's degradation of that face and case.
    const lr = await readRgb(benchPaths.lr(out, 'a_2.png', 0));
    expect(Array.from(lr.data)).toEqual(Array.from((await degrade(hr, 0, 'a_2.png')).lr.data));
    const restored = records.find((x) => x.face === 'a_2.png' && x.case === 0 && x.method === '#4')!;
    expect(restored.steps).toBe(2);
    expect(restored.prior).toContain('gaussian');
    expect(restored.identity).toBeGreaterThan(-1);
    expect(restored.identity).toBeLessThanOrEqual(1);
    expect(restored.settingsHash).not.toBe(r.settingsHash);
    // The perceptual metrics: descriptors of the saved output and of the clean face, and what derives from them.
    const [outDescriptor, cleanDescriptor] = scorers.recognizer.embed([saved, hr]);
    for (const [stored, computed] of [[r.descriptor!, outDescriptor], [r.cleanDescriptor!, cleanDescriptor]]) {
      expect(stored).toHaveLength(128);
      stored.forEach((v, i) => expect(v).toBeCloseTo(computed[i], 5));
    }
    expect(r.identity).toBeCloseTo(cosineSimilarity(outDescriptor, cleanDescriptor), 5);
    expect(r.identityDistance).toBeCloseTo(descriptorDistance(outDescriptor, cleanDescriptor), 5);
    expect(r.landmarkNme).toBeGreaterThan(0);
    expect(r.faceFeatureDistance).toBeGreaterThan(0);
    expect(r.niqe).toBeNull(); // 32 px: smaller than one NIQE block
  });

  it('adds the perceptual scores to records made before them, from the saved images', async () => {
    const path = benchPaths.results(out);
    const original = readFileSync(path, 'utf8');
    copyFileSync(path, `${path}.bak`);
    const perceptual = ['identityDistance', 'descriptor', 'cleanDescriptor', 'landmarkNme', 'faceFeatureDistance', 'niqe'];
    const stripped = original.trim().split('\n').map((line, i) => {
      const r = JSON.parse(line);
      if (i % 2 === 0) for (const k of perceptual) delete r[k];
      return JSON.stringify(r);
    });
    writeFileSync(path, `${stripped.join('\n')}\n`);
    expect(await rescoreRecords(out, hrDir, scorers)).toEqual({ rescored: 10, missing: 0 });
    const { records: before } = readRecords(`${path}.bak`);
    const { records: after } = readRecords(path);
    expect(after.map((r) => r.key)).toEqual(before.map((r) => r.key));
    for (const [i, r] of after.entries()) {
      expect(r.landmarkNme).toBeCloseTo(before[i].landmarkNme!, 4);
      expect(r.identityDistance).toBeCloseTo(before[i].identityDistance!, 5);
      expect(r.niqe).toBe(before[i].niqe);
    }
    expect(await rescoreRecords(out, hrDir, scorers)).toEqual({ rescored: 0, missing: 0 });
  });

  it('writes report.json, report.md and one grid per tag and case', async () => {
    const { report, files } = await writeQualityReport({ outDir: out, hrDir, faces: FACES, command: 'test' });
    expect(report.tags.map((t) => [t.tag, t.labels, t.completeItems])).toEqual([
      ['smoke', ['bicubic', '#1', '#4'], 6],
      ['steps3', ['bicubic', '#1'], 1],
    ]);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(benchPaths.reportJson(out), 'utf8')).tags[0].tag).toBe('smoke');
    expect(readFileSync(benchPaths.reportMarkdown(out), 'utf8')).toContain('### Mean over faces and cases');
    const bicubic = report.tags[0].overall[0];
    expect(bicubic.descriptorFrechet).toBeGreaterThan(0);
    expect(bicubic.landmarkNme).toBeGreaterThan(0);
    expect(bicubic.niqe).toBeNull();
    expect(bicubic.notSamePerson).toBeGreaterThanOrEqual(0);
    expect(readFileSync(benchPaths.reportMarkdown(out), 'utf8')).toContain('| descriptor FD | landmark NME |');
    const grid = await readRgb(benchPaths.grid(out, 'smoke', 0));
    // Columns: LR, the methods with every face, ground truth; rows: the 3 faces; 2 px gaps.
    const columns = report.tags[0].overall.length + 2;
    expect([grid.width, grid.height]).toEqual([columns * SIZE + (columns - 1) * 2, 3 * SIZE + 2 * 2]);
  });
});
