import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { DifbfsrError, type Denoiser, type DetectedFace, type FaceDetector, type FaceTemplate, type FiveLandmarks } from '@difbfsr/core';
import { loadCheckpoint, UNet, unetConfigOf } from '@difbfsr/models';
import type { CliIO } from '../src/cli/io.js';
import { init } from '../src/init.js';
import { readImageFile } from '../src/cli/restore/image-file.js';
import { parseRestoreOptions, type RawRestoreOptions } from '../src/cli/restore/restore-options.js';
import type { RestoreReport } from '../src/cli/restore/restore-report.js';
import { runRestore, type RestoreServices } from '../src/cli/restore/run-restore.js';
import { cli, fakeStream, pixels, writeImage, writeTinyPrior } from './cli-restore-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-photo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]): string => join(dir, ...p);

/** Where the tiny 32 px prior "wants" the landmarks (a plausible face framing). */
const TEMPLATE: FaceTemplate = {
  size: 32,
  points: [
    { x: 11, y: 13 },
    { x: 21, y: 13 },
    { x: 16, y: 18 },
    { x: 12, y: 23 },
    { x: 20, y: 23 },
  ],
};

/** A face whose landmarks are the template at the 8 px crop scale, shifted by (tx, ty): its aligned crop is photo[ty.., tx..]. */
function faceAt(tx: number, ty: number, boxSide = 10): DetectedFace {
  const landmarks = TEMPLATE.points.map((p) => ({ x: (p.x * 8) / 32 + tx, y: (p.y * 8) / 32 + ty })) as unknown as FiveLandmarks;
  return { box: { x: tx - 1, y: ty - 1, width: boxSide, height: boxSide }, score: 0.9, landmarks };
}

const PHOTO = { width: 40, height: 24 };
const FACES = [faceAt(4, 6), faceAt(24, 12), faceAt(30, 2, 5)];

let detectorDisposed = 0;
const fakeDetector: FaceDetector & { dispose(): void } = { name: 'fixed-faces', detect: async () => FACES, dispose: () => void detectorDisposed++ };

let prior: Denoiser & { dispose(): void };
let services: RestoreServices;

beforeAll(async () => {
  await init(); // what the command does first; the prior below is built before it runs
  writeTinyPrior(at('tiny.safetensors'));
  const sd = await loadCheckpoint(at('tiny.safetensors'));
  const unet = UNet.fromStateDict(unetConfigOf(sd), sd);
  prior = { resolution: unet.resolution, learnedVariance: unet.learnedVariance, name: unet.name, faceTemplate: TEMPLATE, predict: (x, t) => unet.predict(x, t), dispose: () => unet.dispose() };
  services = { choosePrior: async () => ({ prior, source: 'tiny+template', owned: false }), loadFaceDetector: async () => fakeDetector };
  await writeImage(at('photo.png'), pixels(PHOTO.width, PHOTO.height, 3, 8), PHOTO.width, PHOTO.height, 3);
});
afterAll(() => prior?.dispose());

async function run(options: Partial<RawRestoreOptions>, extra: string[] = []): Promise<{ code: number; report: RestoreReport; progress: string }> {
  const progress = fakeStream(false);
  const io: CliIO = { stdout: () => {}, stderr: () => {}, progress };
  const report = at(`report-${Math.random().toString(36).slice(2)}.json`);
  const raw: RawRestoreOptions = { output: at('out'), suffix: '', backend: 'tfjs', steps: '2', seed: '1', json: report, ...options };
  const code = await runRestore([at('photo.png'), ...extra], parseRestoreOptions(raw), io, services);
  return { code, report: JSON.parse(readFileSync(report, 'utf8')) as RestoreReport, progress: progress.text };
}

describe('difbfsr restore on photos (restorePhoto with a detector)', () => {
  it('restores the detected faces, skips the small one, reports boxes and the detector, writes the aligned crops and restored faces', async () => {
    const { code, report, progress } = await run({ saveFaces: true, output: at('out1') });
    expect(code).toBe(0);
    const [img] = report.images;
    expect(img).toMatchObject({ status: 'restored', detector: 'fixed-faces', width: 40, height: 24, outputWidth: 160, outputHeight: 96 });
    expect(report.summary).toMatchObject({ restored: 1, faces: 2, skippedFaces: 1 });
    expect(img.faces.map((f) => [f.box.x, f.skipped ?? 'restored'])).toEqual([
      [3, 'restored'],
      [23, 'restored'],
      [29, 'too-small'],
    ]);
    expect(img.faces[0]).toMatchObject({ score: 0.9, restore: { seed: 1, steps: 2 } });
    expect(img.faces[2].crops).toBeUndefined();
    expect(detectorDisposed).toBe(1);
    expect(progress).toMatch(/face 2\/2 diffusion 2\/2/);
    expect(progress).toMatch(/-> .*out1\/photo\.png \(2 faces, 1 skipped, /);

    // The landmarks are the template shifted by whole pixels at the crop's scale, so the aligned
    // crop is a plain window, photo[ty : ty + 8, tx : tx + 8], and the restored face, pasted at
    // output[4 ty : 4 ty + 32, 4 tx : 4 tx + 32], is that window of the output wherever the feathered
    // mask is 1: 4 pixels (0.125 x 32) in from its edges.
    const photo = (await readImageFile(at('photo.png'))).image;
    const output = (await readImageFile(at('out1', 'photo.png'))).image;
    const window = (img: typeof photo, x0: number, y0: number, side: number, inset = 0) =>
      Array.from({ length: (side - 2 * inset) ** 2 * 3 }, (_, i) => {
        const p = Math.floor(i / 3);
        const inner = side - 2 * inset;
        return img.data[((y0 + inset + Math.floor(p / inner)) * img.width + x0 + inset + (p % inner)) * 3 + (i % 3)];
      });
    for (const [k, [tx, ty]] of [
      [4, 6],
      [24, 12],
    ].entries()) {
      const crops = img.faces[k].crops!;
      expect(crops).toEqual({ input: at('out1', 'faces', `photo_face${k + 1}_input.png`), restored: at('out1', 'faces', `photo_face${k + 1}_restored.png`) });
      const input = (await readImageFile(crops.input)).image;
      const restored = (await readImageFile(crops.restored)).image;
      expect([input.width, restored.width]).toEqual([8, 32]);
      expect([...input.data]).toEqual(window(photo, tx, ty, 8));
      expect(window(restored, 0, 0, 32, 4)).toEqual(window(output, 4 * tx, 4 * ty, 32, 4));
      expect(window(restored, 0, 0, 32)).not.toEqual(window(output, 4 * tx, 4 * ty, 32)); // the feathered edge blends
    }
  });

  it('--max-faces and --only-center-face choose the faces; --min-face-size lowers the size limit; no tensor is left behind', async () => {
    const tensors = tf.memory().numTensors;
    const largest = await run({ maxFaces: '1', saveFaces: true, output: at('out2') });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(largest.report.images[0].faces.map((f) => f.skipped ?? 'restored')).toEqual(['restored', 'max-faces', 'too-small']);
    const centre = await run({ onlyCenterFace: true, minFaceSize: '4', output: at('out3') });
    expect(centre.report.settings).toMatchObject({ aligned: false, onlyCenterFace: true, minFaceSize: 4 });
    // centres: (8, 10), (28, 16), (31.5, 3.5); the photo's is (20, 12)
    expect(centre.report.images[0].faces.map((f) => f.skipped ?? 'restored')).toEqual(['not-center', 'restored', 'not-center']);
  });

  it('a detector that cannot be loaded stops the command before anything is written', async () => {
    let err: unknown;
    try {
      await runRestore([at('photo.png')], parseRestoreOptions({ output: at('out4'), suffix: '', backend: 'tfjs' }), { stdout: () => {}, stderr: () => {} }, {
        ...services,
        loadFaceDetector: async () => {
          throw new DifbfsrError('BACKEND', 'finding faces in photos needs the package @difbfsr/faces; for aligned face crops use --aligned');
        },
      });
    } catch (e) {
      err = e;
    }
    expect((err as DifbfsrError).code).toBe('BACKEND');
    expect(existsSync(at('out4', 'photo.png'))).toBe(false);
  });
});

describe('difbfsr restore with the real detector and the bundled prior', () => {
  it('finds the face of a photo, restores it and pastes it back', async () => {
    const photo = at('portrait.png');
    const face = fileURLToPath(new URL('../../../examples/assets/face-hr.png', import.meta.url));
    await sharp({ create: { width: 160, height: 112, channels: 3, background: '#7a8a9a' } })
      .composite([{ input: face, left: 40, top: 20 }])
      .removeAlpha()
      .png()
      .toFile(photo);
    const r = await cli(['restore', photo, '-o', at('out6'), '--steps', '2', '--backend', 'tfjs', '--max-face-size', '80', '--json', '-']);
    expect(r.code).toBe(0);
    const [img] = (JSON.parse(r.out) as RestoreReport).images;
    expect(img).toMatchObject({ status: 'restored', outputWidth: 640, outputHeight: 448, detector: expect.stringMatching(/^face-api/) });
    expect(img.faces).toHaveLength(1);
    const { box, restore } = img.faces[0];
    const overlap = Math.max(0, Math.min(box.x + box.width, 104) - Math.max(box.x, 40)) * Math.max(0, Math.min(box.y + box.height, 84) - Math.max(box.y, 20));
    expect(overlap / (box.width * box.height + 64 * 64 - overlap)).toBeGreaterThan(0.5); // IoU with the pasted face
    expect(restore?.prior).toBe('difbfsr-face64(tfjs)+difbfsr-face64-gaussian');
  });
});
