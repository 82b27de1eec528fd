import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { applyAffine, type Point } from '@difbfsr/core';
import { ffhqFaceTemplate, loadCheckpoint, type UNetConfig } from '@difbfsr/models';
import { cudaProviderFiles } from '@difbfsr/onnx';
import type { RestoreReport } from '../src/cli/restore/restore-report.js';
import { readImageFile } from '../src/cli/restore/image-file.js';
import { cli, fakeStream } from './cli-restore-fixtures.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';
import { SMALL_DIFFACE512, SMALL_FFHQ256, writeSmallUNet } from '../../../test-utils/small-unets.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]): string => join(dir, ...p);
const FACE = fileURLToPath(new URL('../../../examples/assets/face-hr.png', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../tools/random-checkpoint/random-checkpoint.ts', import.meta.url));

/** A grey photo with the example face (64 px, one of the bundled prior's samples) at (left, top). */
async function photoWithFace(path: string, width: number, height: number, left: number, top: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: '#7a8a9a' } })
    .composite([{ input: FACE, left, top }])
    .removeAlpha()
    .png()
    .toFile(path);
}

const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * The example face is 64 px (face-api does not find it upscaled): for the 512 px prior (128 px
 * crops, default smallest face 96 px) the smallest face is lowered.
 */
const CASES: Array<{ what: string; config: UNetConfig; template: string; steps: number; extra: string[] }> = [
  { what: 'ffhq256-p2 (32 base channels)', config: SMALL_FFHQ256, template: 'ffhq', steps: 2, extra: ['--warmup-iters', '3'] },
  { what: 'ffhq512-difface (32-128 channels)', config: SMALL_DIFFACE512, template: 'ffhq512.json', steps: 1, extra: ['--warmup-iters', '0', '--min-face-size', '32'] },
];
const PHOTO = [160, 112] as const;

describe('difbfsr restore on photos with the architectures of the FFHQ checkpoints, narrowed (ONNX Runtime, CPU)', () => {
  for (const { what, config, template: templateArg, steps, extra } of CASES) {
    const size = config.image_size;
    it(`${size} px, ${what}: finds the face, aligns it to the FFHQ template (--face-template ${templateArg}), restores it and pastes it back`, async () => {
      // The template given by name, or as a JSON file holding it.
      const templateOption = templateArg === 'ffhq' ? 'ffhq' : at(templateArg);
      if (templateArg !== 'ffhq') writeFileSync(templateOption, JSON.stringify(ffhqFaceTemplate(size)));
      const model = at(`small${size}.safetensors`);
      writeSmallUNet(model, config);
      const input = at(`photo${size}.png`);
      await photoWithFace(input, PHOTO[0], PHOTO[1], 40, 20);
      const out = at(`out${size}`);
      const progress = fakeStream(false);
      const args = ['restore', input, '-o', out, '--model', model, '--face-template', templateOption, '--backend', 'onnx', '--device', 'cpu'];
      const r = await cli([...args, ...extra, '--steps', `${steps}`, '--save-faces', '--json', '-'], progress);
      expect(r.err).not.toMatch(/failed/);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as RestoreReport;
      expect(report.settings).toMatchObject({ faceTemplate: templateOption, device: 'cpu', backend: 'onnx' });
      const [img] = report.images;
      expect(img).toMatchObject({ status: 'restored', outputWidth: 4 * PHOTO[0], outputHeight: 4 * PHOTO[1] });
      expect(img.faces).toHaveLength(1);
      const { landmarks, toCrop, restore, crops } = img.faces[0];
      expect(restore).toMatchObject({ prior: `onnx-unet(${size}px, cpu)`, optimizer: 'onnx(cpu)', steps });
      // The detected landmarks land on the FFHQ template at the crop's size (a least-squares
      // similarity of five points: the eyes' midpoint and distance match closely).
      const side = size / 4;
      const template = ffhqFaceTemplate(side).points;
      const mapped = landmarks!.map((p) => applyAffine(toCrop!, p));
      expect(dist(mid(mapped[0], mapped[1]), mid(template[0], template[1]))).toBeLessThan(0.04 * side);
      expect(dist(mapped[0], mapped[1]) / dist(template[0], template[1])).toBeCloseTo(1, 1);
      expect((await readImageFile(crops!.input)).image.width).toBe(side);
      expect((await readImageFile(crops!.restored)).image.width).toBe(size);
      expect(progress.text).toMatch(new RegExp(`face 1/1 diffusion ${steps}/${steps}`));
    });
  }

  it('a checkpoint of no preset needs --face-template for photos, and says so', async () => {
    const model = at('small256.safetensors');
    writeSmallUNet(model, SMALL_FFHQ256);
    const input = at('refused.png');
    await photoWithFace(input, PHOTO[0], PHOTO[1], 40, 20);
    const r = await cli(['restore', input, '-o', at('refused'), '--model', model, '--backend', 'onnx']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/this prior has no face template .* --face-template \(ffhq or a JSON file\), or .* --aligned/);
    const bad = await cli(['restore', input, '-o', at('refused'), '--model', model, '--face-template', at('missing.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--face-template .*missing\.json: neither "ffhq" nor a readable JSON file/);
    writeFileSync(at('four.json'), JSON.stringify({ size: 64, points: ffhqFaceTemplate(64).points.slice(0, 4) }));
    const four = await cli(['restore', input, '-o', at('refused'), '--model', model, '--face-template', at('four.json')]);
    expect(four.code).toBe(2);
    expect(four.err).toMatch(/--face-template .*four\.json: A face template needs a positive size and five points/);
  });

  it('--device cpu runs the bundled prior on ONNX Runtime, with its own face template', async () => {
    const example = fileURLToPath(new URL('../../../examples/assets/face-lr.png', import.meta.url));
    const r = await cli(['restore', example, '--aligned', '-o', at('bundled'), '--device', 'cpu', '--steps', '1', '--warmup-iters', '0', '--json', '-']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as RestoreReport;
    expect(report.settings).toMatchObject({ model: 'bundled', device: 'cpu', faceTemplate: 'prior' });
    expect(report.images[0].faces[0]).toMatchObject({ restore: { prior: 'difbfsr-face64(onnx, cpu)+difbfsr-face64-gaussian' }, landmarks: expect.any(Array) });
  });

  it('--device cuda without onnxruntime-node\'s CUDA provider fails before any image, naming the missing library', async () => {
    const { missing } = await cudaProviderFiles();
    if (missing.length === 0) return; // a machine with the provider: nothing to refuse
    const model = at('small256.safetensors');
    writeSmallUNet(model, SMALL_FFHQ256);
    const input = at('gpu.png');
    await photoWithFace(input, PHOTO[0], PHOTO[1], 40, 20);
    const r = await cli(['restore', input, '-o', at('gpu'), '--model', model, '--face-template', 'ffhq', '--device', 'cuda']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/BACKEND: No runtime could build the denoiser: onnx: device 'cuda': onnxruntime-node's CUDA execution provider is not installed \(missing libonnxruntime_providers_cuda\.so.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(existsSync(at('gpu', 'gpu.png'))).toBe(false);
  });
});

/** The public checkpoints as the random-weight script writes them. */
const PUBLIC = [
  { preset: 'ffhq256-p2', file: 'ffhq_10m.pt', args: [] as string[] },
  { preset: 'ffhq512-difface', file: 'iddpm_ffhq512_ema500000.pth', args: ['--prefix', 'module.'] },
];

describeShared(
  'difbfsr with random-weight checkpoints of the exact public tensor lists (tools/random-checkpoint)',
  PUBLIC.map((p) => `fixtures/checkpoint-manifests/${p.preset}.json`),
  () => {
    beforeAll(() => {
      for (const { preset, file, args } of PUBLIC) {
        const manifest = sharedPath(`fixtures/checkpoint-manifests/${preset}.json`);
        const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, manifest, at(file), ...args], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`random-checkpoint.ts failed: ${r.stderr}`);
      }
    }, 300_000);

    for (const { preset, file } of PUBLIC) {
      it(`${file}: the manifest's tensors in order; inspect names ${preset}; a whole photo is taken with the preset's template`, async () => {
        const manifest = JSON.parse(readFileSync(sharedPath(`fixtures/checkpoint-manifests/${preset}.json`), 'utf8')) as { tensors: Array<[string, number[]]> };
        const sd = await loadCheckpoint(at(file));
        expect(sd.names().map((n) => [n, [...sd.get(n).shape]])).toEqual(manifest.tensors);
        const inspect = await cli(['inspect', '--json', at(file)]);
        expect(JSON.parse(inspect.out)).toMatchObject({ preset });
        // A photo without a face: the prior is loaded on ONNX Runtime, nothing to restore, the photo upscaled.
        const empty = at(`empty-${preset}.png`);
        await sharp({ create: { width: 48, height: 32, channels: 3, background: '#445566' } }).png().toFile(empty);
        const r = await cli(['restore', empty, '-o', at(`out-${preset}`), '--model', at(file), '--backend', 'onnx', '--json', '-']);
        expect(r.code).toBe(0);
        const report = JSON.parse(r.out) as RestoreReport;
        expect(report.settings).toMatchObject({ model: at(file), faceTemplate: 'prior' });
        expect(report.images[0]).toMatchObject({ status: 'restored', faces: [], outputWidth: 192, outputHeight: 128 });
      });
    }
  },
);
