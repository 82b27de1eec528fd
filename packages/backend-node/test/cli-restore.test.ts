import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { RESTORE_DEFAULTS } from '@difbfsr/core';
import type { RestoreReport } from '../src/cli/restore/restore-report.js';
import { readImageFile } from '../src/cli/restore/image-file.js';
import { cli, fakeStream, pixels, readRaw, writeImage, writeTinyPrior } from './cli-restore-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-restore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]): string => join(dir, ...p);

const prior = at('tiny.safetensors');
/** Fast, reproducible settings: aligned 8x8 crops for the tiny 32 px prior, 2 network calls, tfjs. */
const FAST = ['--aligned', '--model', prior, '--steps', '2', '--warmup-iters', '0', '--backend', 'tfjs', '--seed', '3'];
const face = pixels(8, 8, 3, 1);

beforeAll(async () => {
  writeTinyPrior(prior);
  mkdirSync(at('in'));
  mkdirSync(at('bad'));
  await writeImage(at('in', 'face.png'), face, 8, 8, 3);
  await writeImage(at('in', 'other.jpg'), pixels(8, 8, 3, 2), 8, 8, 3);
  writeFileSync(at('in', 'notes.txt'), 'not an image, and not taken from the folder');
  writeFileSync(at('bad', 'broken.png'), 'not an image at all');
});

const readReport = (path: string): RestoreReport => JSON.parse(readFileSync(path, 'utf8')) as RestoreReport;

describe('difbfsr restore', () => {
  it('writes each image of a folder to the output folder: name + suffix, x4 size, the input format or --ext', async () => {
    const r = await cli(['restore', at('in'), '-o', at('out1'), '--suffix', '_hr', ...FAST]);
    expect(r.err).toMatch(/restored 2 of 2 images \(2 faces\)/);
    expect(r.code).toBe(0);
    expect(await readRaw(at('out1', 'face_hr.png'))).toMatchObject({ format: 'png', width: 32, height: 32, channels: 3 });
    expect(await readRaw(at('out1', 'other_hr.jpg'))).toMatchObject({ format: 'jpeg', width: 32, height: 32 });
    expect(existsSync(at('out1', 'notes_hr.png'))).toBe(false);

    const w = await cli(['restore', at('in', 'face.png'), '-o', at('out2'), '--ext', 'webp', ...FAST]);
    expect(w.code).toBe(0);
    expect(await readRaw(at('out2', 'face.webp'))).toMatchObject({ format: 'webp', width: 32, height: 32 });
  });

  it('--json writes the report (settings, faces, boxes, times, backend, seed); --save-faces the crops', async () => {
    const report = at('out3', 'report.json');
    const r = await cli(['restore', at('in', 'face.png'), '-o', at('out3'), '--json', report, '--save-faces', ...FAST]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const j = readReport(report);
    expect(j).toMatchObject({
      version: 1,
      settings: { model: prior, backend: 'tfjs', tfjsBackend: tf.getBackend(), method: 'diffusion', degradation: 'estimated', seed: 3, steps: 2, strength: RESTORE_DEFAULTS.strength, aligned: true, maxFaces: null },
      unmatched: [],
      summary: { restored: 1, failed: 0, interrupted: 0, notStarted: 0, unmatched: 0, faces: 1, skippedFaces: 0 },
      interrupted: false,
    });
    expect(j.settings.samples).toBeUndefined(); // a posterior setting: the contraction ran
    const [img] = j.images;
    expect(img).toMatchObject({
      input: at('in', 'face.png'),
      status: 'restored',
      output: at('out3', 'face.png'),
      width: 8,
      height: 8,
      channels: 3,
      format: 'png',
      bitDepth: 8,
      outputWidth: 32,
      outputHeight: 32,
    });
    expect(img.faces).toHaveLength(1);
    const f = img.faces[0];
    expect(f).toMatchObject({ box: { x: 0, y: 0, width: 8, height: 8 }, score: 1, restore: { method: 'diffusion', seed: 3, steps: 2, prior: 'tfjs-unet(32px)', backend: tf.getBackend() } });
    // The data term used the bundled estimator's estimate of the input's degradation.
    expect(f.restore!.degradation).toMatchObject({ estimated: true, blur: expect.any(Number), noise: expect.any(Number) });
    expect(typeof f.restore!.collapsed).toBe('boolean'); // a random-weight prior may well collapse
    expect(Number.isFinite(f.restore!.lrRmse)).toBe(true);
    expect(f.restore!.timeMs).toBeGreaterThan(0);
    expect(img.timeMs).toBeGreaterThanOrEqual(f.restore!.timeMs);
    expect(f.crops).toEqual({ input: at('out3', 'faces', 'face_face1_input.png'), restored: at('out3', 'faces', 'face_face1_restored.png') });
    expect((await readRaw(f.crops!.input)).data).toEqual(Uint8Array.from(face)); // an aligned input is its own crop
    expect((await readRaw(f.crops!.restored)).data).toEqual((await readRaw(at('out3', 'face.png'))).data);

    const s = await cli(['restore', at('in', 'face.png'), '-o', at('out3b'), '--json', '-', ...FAST]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.out)).toMatchObject({ version: 1, summary: { restored: 1 } });
  });

  it('a file that is not an image, or a pattern matching nothing, is reported and skipped; the exit status is 1', async () => {
    const progress = fakeStream(false);
    const r = await cli(['restore', at('bad', 'broken.png'), at('in', '*.png'), at('in', '*.gif'), '-o', at('out4'), ...FAST], progress);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`difbfsr: ${at('in', '*.gif')}: the pattern matches no file`);
    expect(progress.text).toMatch(/\[1\/2\] .*broken\.png: failed: INVALID_INPUT: .*broken\.png: not an image/);
    expect(progress.text).toMatch(/\[2\/2\] .*face\.png -> .*out4\/face\.png \(1 face, [\d.]+ s\)/);
    expect(r.err).toMatch(/restored 1 of 2 images \(1 face\), 1 failed, 1 argument matched no image/);
    expect(existsSync(at('out4', 'face.png'))).toBe(true);
    expect(existsSync(at('out4', 'other.jpg'))).toBe(false); // the glob named only .png files
  });

  it('grey, alpha, 16-bit and EXIF-rotated inputs restore like the plain RGB face, in their own form', async () => {
    // Each variant decodes to the RGB face (or a known function of it), so with the same seed
    // its output is the plain face's output (or that function of it), in the input's channels and depth.
    mkdirSync(at('variants'));
    const rgba = Uint8Array.from({ length: 64 * 4 }, (_, i) => (i % 4 === 3 ? ((i >> 2) % 8 < 4 ? 0 : 255) : face[(i >> 2) * 3 + (i % 4)]));
    await writeImage(at('variants', 'alpha.png'), rgba, 8, 8, 4);
    const grey = Uint8Array.from({ length: 64 }, (_, i) => face[3 * i]);
    await writeImage(at('variants', 'grey.png'), grey, 8, 8, 1);
    await writeImage(at('variants', 'grey-rgb.png'), Uint8Array.from({ length: 192 }, (_, i) => grey[Math.floor(i / 3)]), 8, 8, 3);
    const wide = Uint16Array.from(face, (v) => v * 257);
    await sharp(wide, { raw: { width: 8, height: 8, channels: 3 } }).toColourspace('rgb16').png().toFile(at('variants', 'deep.png'));
    // stored turned 90 degrees anticlockwise, with EXIF orientation 6 (turn clockwise to view)
    const turned = await sharp(Buffer.from(face), { raw: { width: 8, height: 8, channels: 3 } }).rotate(270).png().toBuffer();
    await sharp(turned).withMetadata({ orientation: 6 }).png().toFile(at('variants', 'exif.png'));
    await writeImage(at('variants', 'face.png'), face, 8, 8, 3);

    const report = at('out5', 'report.json');
    const r = await cli(['restore', at('variants'), '-o', at('out5'), '--json', report, ...FAST]);
    expect(r.code).toBe(0);
    const out = async (name: string) => readRaw(at('out5', name));
    const plain = await out('face.png');
    expect(plain.channels).toBe(3);

    expect((await out('exif.png')).data).toEqual(plain.data);
    const byInput = Object.fromEntries(readReport(report).images.map((i) => [i.input.split('/').pop(), i]));
    expect(byInput['exif.png']).toMatchObject({ orientation: 6, width: 8, height: 8 });

    // 16-bit in, 16-bit PNG out: the same restore at 16-bit precision
    expect(byInput['deep.png']).toMatchObject({ bitDepth: 16, channels: 3 });
    const deep = (await readImageFile(at('out5', 'deep.png'))).image;
    expect(deep.data).toBeInstanceOf(Uint16Array);
    deep.data.forEach((v, i) => expect(Math.abs(v / 257 - plain.data[i])).toBeLessThanOrEqual(0.5 + 1 / 257));

    const a = await out('alpha.png');
    expect(a.channels).toBe(4);
    for (let p = 0; p < 32 * 32; p++) {
      expect([...a.data.subarray(4 * p, 4 * p + 3)]).toEqual([...plain.data.subarray(3 * p, 3 * p + 3)]);
      const x = p % 32; // alpha: 0 left of x = 16, 255 right of it, upscaled with Lanczos3 (+-12 px reach)
      if (x < 4) expect(a.data[4 * p + 3]).toBeLessThan(8);
      if (x >= 28) expect(a.data[4 * p + 3]).toBeGreaterThan(247);
      if (x === 15 || x === 16) expect(Math.abs(a.data[4 * p + 3] - 128)).toBeLessThan(40);
    }

    const g = await out('grey.png');
    const gRgb = await out('grey-rgb.png');
    expect(g.channels).toBe(1);
    // BT.601 luma of the (unrounded) RGB restore, which the RGB output rounds
    const luma = Array.from({ length: 32 * 32 }, (_, p) => 0.299 * gRgb.data[3 * p] + 0.587 * gRgb.data[3 * p + 1] + 0.114 * gRgb.data[3 * p + 2]);
    luma.forEach((v, p) => expect(Math.abs(g.data[p] - v)).toBeLessThanOrEqual(1));
  });

  it('Ctrl-C stops the image in progress, keeps the outputs written, reports the rest and exits 130', async () => {
    mkdirSync(at('three'));
    for (const n of ['a', 'b', 'c']) await writeImage(at('three', `${n}.png`), pixels(8, 8, 3, n.charCodeAt(0)), 8, 8, 3);
    let sent = false;
    const progress = fakeStream(false, (line) => {
      if (!sent && line.startsWith('[2/3]') && line.includes('diffusion 1/2')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    const report = at('out6', 'report.json');
    const r = await cli(['restore', at('three'), '-o', at('out6'), '--json', report, ...FAST], progress);
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(progress.text).toMatch(/interrupted: stopping/);
    expect(progress.text).toMatch(/\[2\/3\] .*b\.png: interrupted/);
    expect(progress.text).not.toMatch(/\[3\/3\]/);
    expect(r.err).toMatch(/restored 1 of 3 images .*interrupted: 2 not restored/);
    expect(existsSync(at('out6', 'a.png'))).toBe(true);
    expect(existsSync(at('out6', 'b.png'))).toBe(false);
    expect(existsSync(at('out6', 'c.png'))).toBe(false);
    const j = readReport(report);
    expect(j.interrupted).toBe(true);
    expect(j.images.map((i) => i.status)).toEqual(['restored', 'interrupted', 'not-started']);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('on a terminal the progress is one redrawn line with the image and stage bars', async () => {
    const progress = Object.assign(fakeStream(true), { columns: 400 });
    const r = await cli(['restore', at('in', 'face.png'), '-o', at('out7'), ...FAST], progress);
    expect(r.code).toBe(0);
    expect(progress.text).toContain('\r\x1b[2Kimages [--------------------] 1/1  ');
    expect(progress.text).toMatch(/face 1\/1 diffusion \[##########----------\] 1\/2/);
    expect(progress.text).toMatch(/face 1\/1 diffusion \[####################\] 2\/2/);
    expect(progress.text.split('\n')).toHaveLength(2); // the "-> output" line; the bar itself never ends a line
  });

  it('leaves no tensor behind (the checkpoint prior is disposed)', async () => {
    await cli(['restore', at('in', 'face.png'), '-o', at('out8'), ...FAST]);
    const before = tf.memory().numTensors;
    const r = await cli(['restore', at('in', 'face.png'), '-o', at('out8'), ...FAST]);
    expect(r.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('usage errors exit 2 naming the problem; no input image exits 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--steps', '0'], /INVALID_OPTION: --steps must be an integer >= 1/],
      [['--ext', 'gif'], /--ext must be one of png, jpg, webp/],
      [['-o', at('in'), '--suffix', ''], /would overwrite the input .*face\.png/],
      [['--model', 'no-such-model'], /--model no-such-model: no such file, and not a preset name \(bundled, ffhq256-p2/],
      [['--json', at('in', 'face.png')], /--json .* would overwrite an input/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['restore', at('in', 'face.png'), '-o', at('out9'), ...FAST, ...args]);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
    }
    const photo = await cli(['restore', at('in', 'face.png'), '-o', at('out9'), ...FAST.filter((a) => a !== '--aligned')]);
    expect(photo.err).toMatch(/this prior has no face template to align detected faces to; .*--aligned/);
    expect(photo.code).toBe(2);
    const none = await cli(['restore', at('nothing.png'), ...FAST]);
    expect(none.err).toMatch(/nothing\.png: no such file or folder/);
    expect(none.err).toMatch(/INVALID_INPUT: no image to restore/);
    expect(none.code).toBe(1);
    const progress = fakeStream(false);
    await writeImage(at('wide.png'), pixels(8, 6, 3, 4), 8, 6, 3);
    const size = await cli(['restore', at('wide.png'), '-o', at('out9'), ...FAST], progress);
    expect(size.code).toBe(1);
    expect(progress.text).toMatch(/wide\.png: failed: INVALID_SIZE: An aligned face must be square, got 8x6/);
  });

  it('--model <preset> finds the preset checkpoint file in $DIFBFSR_MODEL_DIR', async () => {
    const models = at('models');
    mkdirSync(models);
    const saved = process.env.DIFBFSR_MODEL_DIR;
    process.env.DIFBFSR_MODEL_DIR = models;
    try {
      const args = ['restore', at('in', 'face.png'), '--aligned', '-o', at('out10'), '--model', 'ffhq256-p2', '--steps', '2', '--backend', 'tfjs'];
      const missing = await cli(args);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/--model ffhq256-p2: none of its checkpoint files is in .*models .*ffhq_p2\.pt .*ffhq_10m\.pt/);
      writeTinyPrior(join(models, 'ffhq_10m.pt')); // any checkpoint format under the published name
      const r = await cli([...args, '--json', '-']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as RestoreReport).settings.model).toBe(join(models, 'ffhq_10m.pt'));
    } finally {
      if (saved === undefined) delete process.env.DIFBFSR_MODEL_DIR;
      else process.env.DIFBFSR_MODEL_DIR = saved;
    }
  });

  it('restores the example face with the bundled prior, by the posterior sampler (auto: its Gaussian face model goes with it)', async () => {
    const example = fileURLToPath(new URL('../../../examples/assets/face-lr.png', import.meta.url));
    const r = await cli(['restore', example, '--aligned', '-o', at('out11'), '--steps', '2', '--samples', '2', '--backend', 'tfjs', '--json', '-']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as RestoreReport;
    expect(j.settings).toMatchObject({ model: 'bundled', method: 'posterior', samples: 2, fidelity: RESTORE_DEFAULTS.fidelity });
    expect(j.images[0].faces[0].restore).toMatchObject({ method: 'posterior', samples: 2, prior: 'difbfsr-face64(tfjs)+difbfsr-face64-gaussian' });
    expect(await readRaw(at('out11', 'face-lr.png'))).toMatchObject({ width: 64, height: 64, channels: 3 });
  });

  it('--method gaussian with a known degradation (--blur, --noise) writes the uncertainty heat map and reports what ran', async () => {
    const example = fileURLToPath(new URL('../../../examples/assets/face-lr.png', import.meta.url));
    const args = ['restore', example, '--aligned', '-o', at('out12'), '--method', 'gaussian', '--blur', '1.5', '--noise', '6', '--save-uncertainty', '--save-faces', '--json', '-'];
    const r = await cli(args);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as RestoreReport;
    expect(j.settings).toMatchObject({ method: 'gaussian', degradation: { blur: 1.5, noise: 6 } });
    expect(j.settings).not.toHaveProperty('samples'); // the posterior sampler's settings, unused here
    const [f] = j.images[0].faces;
    expect(f.restore).toMatchObject({ method: 'gaussian', degradation: { blur: 1.5, noise: 6, estimated: false }, prior: 'difbfsr-face64-gaussian' });
    expect(f.uncertainty).toBe(at('out12', 'faces', 'face-lr_face1_uncertainty.png'));
    const heat = await readRaw(f.uncertainty!);
    expect(heat).toMatchObject({ format: 'png', width: 64, height: 64, channels: 3 });
    // A heat map of the ramp: red first (green and blue stay 0 until red is full), and not blank.
    let lit = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const [red, green, blue] = heat.data.subarray(3 * p, 3 * p + 3);
      if (red > 0) lit++;
      expect(green === 0 || red === 255).toBe(true);
      expect(blue === 0 || green === 255).toBe(true);
    }
    expect(lit).toBeGreaterThan(64 * 64 * 0.5);
    expect((await readRaw(f.crops!.restored)).data).toEqual((await readRaw(at('out12', 'face-lr.png'))).data);
  });

  it('--method posterior --samples --fidelity reach restore(); the report gives the estimated degradation per face', async () => {
    const example = fileURLToPath(new URL('../../../examples/assets/face-lr.png', import.meta.url));
    const r = await cli(['restore', example, '--aligned', '-o', at('out13'), '--method', 'posterior', '--samples', '2', '--fidelity', '0.5', '--steps', '2', '--backend', 'tfjs', '--json', '-']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as RestoreReport;
    expect(j.settings).toMatchObject({ method: 'posterior', samples: 2, fidelity: 0.5, degradation: 'estimated', steps: 2 });
    expect(j.images[0].faces[0].restore).toMatchObject({ method: 'posterior', samples: 2, fidelity: 0.5, steps: 2, degradation: { estimated: true } });
    expect(j.images[0].faces[0].uncertainty).toBeUndefined();
  });

  it('bad values of the new flags are usage errors (exit status 2) naming the flag', async () => {
    for (const [extra, message] of [
      [['--method', 'dream'], /--method must be one of auto, diffusion, posterior, gaussian, got "dream"/],
      [['--samples', '0'], /--samples must be an integer >= 1, got "0"/],
      [['--fidelity', '-1'], /--fidelity must be in \[0, 1\], got "-1"/],
      [['--noise', '3'], /--blur and --noise go together/],
      [['--blur', 'x', '--noise', '3'], /--blur must be a number, got "x"/],
      [['--save-uncertainty', '--method', 'diffusion'], /--save-uncertainty needs --method gaussian/],
    ] as const) {
      const r = await cli(['restore', at('in', 'face.png'), '-o', at('out14'), ...FAST, ...extra]);
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
    }
    expect(existsSync(at('out14'))).toBe(false);
  });
});
