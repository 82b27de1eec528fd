import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS, DifbfsrError, RESTORE_DEFAULTS } from '@difbfsr/core';
import { CliUsageError } from '../src/cli/exit-status.js';
import { encodeImage, readImageFile, writeImageFile, type PixelImage } from '../src/cli/restore/image-file.js';
import { expandInputs } from '../src/cli/restore/input-files.js';
import { faceFilePaths, planOutputs } from '../src/cli/restore/output-paths.js';
import { ProgressDisplay } from '../src/cli/restore/progress-display.js';
import { formatDuration } from '../src/cli/restore/stage-eta.js';
import { parseRestoreOptions, type RawRestoreOptions } from '../src/cli/restore/restore-options.js';
import { UNCERTAINTY_SCALE, uncertaintyHeatMap } from '../src/cli/restore/uncertainty-heat-map.js';
import { fakeStream, pixels, readRaw, writeImage } from './cli-restore-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function errorOf(p: Promise<unknown>): Promise<DifbfsrError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DifbfsrError);
  return e as DifbfsrError;
}

describe('readImageFile (sharp decode)', () => {
  it('RGB, grey and RGBA files decode to the pixels written, with 3, 1 and 4 channels', async () => {
    for (const channels of [3, 1, 4] as const) {
      const data = pixels(5, 4, channels, channels);
      const file = join(dir, `plain${channels}.png`);
      await writeImage(file, data, 5, 4, channels);
      const d = await readImageFile(file);
      expect(d).toMatchObject({ format: 'png', bitDepth: 8 });
      expect(d.image).toMatchObject({ width: 5, height: 4, channels });
      expect([...d.image.data]).toEqual([...data]);
    }
  });

  it('grey + alpha stays grey + alpha', async () => {
    const ga = pixels(3, 2, 2, 9);
    const file = join(dir, 'grey-alpha.png');
    await writeImage(file, ga, 3, 2, 2);
    expect((await sharp(file).metadata()).channels).toBe(2);
    const d = await readImageFile(file);
    expect(d).toMatchObject({ bitDepth: 8, image: { width: 3, height: 2, channels: 2 } });
    expect(d.image.data).toEqual(ga);
  });

  it('16-bit RGB, RGBA and grey files keep their 16-bit samples', async () => {
    for (const [channels, space] of [
      [3, 'rgb16'],
      [4, 'rgb16'],
      [1, 'grey16'],
    ] as const) {
      const wide = Uint16Array.from(pixels(4, 3, channels, 5), (v, i) => v * 256 + (i % 256));
      const file = join(dir, `deep${channels}.png`);
      await sharp(wide, { raw: { width: 4, height: 3, channels } }).toColourspace(space).png().toFile(file);
      expect((await sharp(file).metadata()).depth).toBe('ushort');
      const d = await readImageFile(file);
      expect(d.bitDepth).toBe(16);
      expect(d.image.channels).toBe(channels);
      expect(d.image.data).toEqual(wide);
    }
  });

  it('applies the EXIF orientation (6: rotate 90 degrees clockwise)', async () => {
    const width = 3;
    const height = 2;
    const data = pixels(width, height, 3, 11);
    const file = join(dir, 'exif.png');
    await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).withMetadata({ orientation: 6 }).png().toFile(file);
    const d = await readImageFile(file);
    expect(d).toMatchObject({ orientation: 6, image: { width: height, height: width } });
    // clockwise: output (x, y) = input (y, height - 1 - x)
    for (let y = 0; y < width; y++) {
      for (let x = 0; x < height; x++) {
        const src = ((height - 1 - x) * width + y) * 3;
        expect([...d.image.data.subarray((y * height + x) * 3, (y * height + x) * 3 + 3)]).toEqual([...data.subarray(src, src + 3)]);
      }
    }
  });

  it('a missing file is IO, a file that is not an image INVALID_INPUT, both naming the file', async () => {
    const missing = await errorOf(readImageFile(join(dir, 'missing.png')));
    expect(missing.code).toBe('IO');
    expect(missing.message).toMatch(/missing\.png/);
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'not an image');
    const bad = await errorOf(readImageFile(text));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/notes\.png: not an image/);
    const truncated = join(dir, 'truncated.png');
    const png = await sharp(Buffer.from(pixels(16, 16, 3, 2)), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
    writeFileSync(truncated, png.subarray(0, png.length >> 1));
    expect((await errorOf(readImageFile(truncated))).code).toBe('INVALID_INPUT');
  });
});

describe('image encoding', () => {
  const rgba: PixelImage = { data: pixels(4, 4, 4, 3), width: 4, height: 4, channels: 4 };

  it('png and webp are lossless, keep alpha, and write the format asked for', async () => {
    for (const format of ['png', 'webp'] as const) {
      const file = join(dir, `enc.${format}`);
      await writeImageFile(file, rgba, format);
      const back = await readRaw(file);
      expect(back).toMatchObject({ format, width: 4, height: 4, channels: 4 });
      expect(back.data).toEqual(rgba.data);
    }
  });

  it('png keeps grey, grey + alpha and 16-bit samples as they are', async () => {
    const images: PixelImage[] = [
      { data: pixels(3, 3, 1, 4), width: 3, height: 3, channels: 1 },
      { data: pixels(3, 3, 2, 5), width: 3, height: 3, channels: 2 },
      { data: Uint16Array.from(pixels(3, 2, 3, 6), (v, i) => v * 251 + i), width: 3, height: 2, channels: 3 },
      { data: Uint16Array.from(pixels(3, 2, 2, 7), (v, i) => v * 253 + i), width: 3, height: 2, channels: 2 },
    ];
    for (const [k, image] of images.entries()) {
      const file = join(dir, `keep${k}.png`);
      await writeImageFile(file, image, 'png');
      expect((await readImageFile(file)).image).toEqual(image);
    }
  });

  it('jpg and webp are 8-bit: 16-bit samples are rounded; jpg flattens alpha onto white', async () => {
    const wide: PixelImage = { data: Uint16Array.from([0, 257 * 100 + 128, 65535, 257 * 7, 257 * 8, 257 * 9]), width: 2, height: 1, channels: 3 };
    const webp = await sharp(await encodeImage(wide, 'webp')).raw().toBuffer();
    expect([...webp]).toEqual([0, 100, 255, 7, 8, 9]);
    const half: PixelImage = { data: Uint8Array.from([10, 20, 30, 0, 10, 20, 30, 255]), width: 2, height: 1, channels: 4 };
    const jpg = await sharp(await encodeImage(half, 'jpg')).raw().toBuffer({ resolveWithObject: true });
    expect(jpg.info.channels).toBe(3);
    expect(Math.min(...jpg.data.subarray(0, 3))).toBeGreaterThan(150); // transparent pixel: near white
  });
});

describe('input expansion', () => {
  const root = join(dir, 'tree');
  mkdirSync(join(root, 'sub'), { recursive: true });
  for (const f of ['b.png', 'a.JPG', 'c.webp', 'notes.txt', 'sub/d.png']) writeFileSync(join(root, f), 'x');

  it('a folder gives its image files (not subfolders, not other files), sorted', async () => {
    const r = await expandInputs(['tree'], dir);
    expect(r).toEqual({ files: ['tree/a.JPG', 'tree/b.png', 'tree/c.webp'], unmatched: [] });
  });

  it('a glob gives what it matches; files are taken once, in argument order; misses are reported', async () => {
    const r = await expandInputs(['tree/b.png', 'tree/**/*.png', 'tree/notes.txt', 'nothing.png', 'tree/*.gif', 'tree/sub'], dir);
    expect(r.files).toEqual(['tree/b.png', 'tree/sub/d.png', 'tree/notes.txt']);
    expect(r.unmatched).toEqual([
      { arg: 'nothing.png', reason: 'no such file or folder' },
      { arg: 'tree/*.gif', reason: 'the pattern matches no file' },
    ]);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect((await expandInputs(['tree/empty'], dir)).unmatched).toEqual([{ arg: 'tree/empty', reason: 'no image file in this folder' }]);
  });
});

describe('output naming', () => {
  it('folder, suffix and format; the input format is kept unless --ext; face crops in faces/', () => {
    const plan = planOutputs(['in/a.jpeg', 'in/b.tif', 'c.webp'], { folder: 'out', suffix: '_hr' });
    expect(plan.map((p) => [p.output, p.format])).toEqual([
      [join('out', 'a_hr.jpg'), 'jpg'],
      [join('out', 'b_hr.png'), 'png'],
      [join('out', 'c_hr.webp'), 'webp'],
    ]);
    expect(faceFilePaths(plan[0], 1)).toEqual({
      input: join('out', 'faces', 'a_hr_face2_input.jpg'),
      restored: join('out', 'faces', 'a_hr_face2_restored.jpg'),
      uncertainty: join('out', 'faces', 'a_hr_face2_uncertainty.png'),
    });
    expect(planOutputs(['a.jpg'], { folder: 'out', suffix: '', format: 'webp' })[0].output).toBe(join('out', 'a.webp'));
  });

  it('never overwrites an input, never writes two inputs to one file', () => {
    expect(() => planOutputs(['in/a.png'], { folder: 'in', suffix: '' })).toThrow(/would overwrite the input in\/a\.png.*--suffix/);
    expect(planOutputs(['in/a.png'], { folder: 'in', suffix: '-x' })[0].output).toBe(join('in', 'a-x.png'));
    expect(() => planOutputs(['x/a.png', 'y/a.png'], { folder: 'out', suffix: '' })).toThrow(/x\/a\.png and y\/a\.png would both be written to out\/a\.png/);
  });
});

describe('option checks', () => {
  const base: RawRestoreOptions = { output: 'out', suffix: '', backend: 'auto' };

  it('parses numbers, formats and the report target; @difbfsr/core fills in its defaults', () => {
    const parsed = parseRestoreOptions({ ...base, seed: '7', steps: '2', strength: '0.25', scale: '8', ext: 'JPEG', json: '-' });
    expect(parsed).toMatchObject({ format: 'jpg', json: {}, photo: { seed: 7, steps: 2, strength: 0.25, scale: 8 } });
    expect(parsed.resolved.restore.chain).toEqual({ scale: 8, steps: 2, strength: 0.25 });
    expect(parsed.resolved.restore.optimisation.warmupIters).toBe(RESTORE_DEFAULTS.warmupIters);
    expect(parseRestoreOptions({ ...base, json: 'r.json' }).json).toEqual({ file: 'r.json' });
    expect(parseRestoreOptions({ ...base, aligned: true, onlyCenterFace: true, maxFaces: '2', minFaceSize: '12.5', maxFaceSize: '90' }).photo).toMatchObject({
      aligned: true,
      onlyCenterFace: true,
      maxFaces: 2,
      minFaceSize: 12.5,
      maxFaceSize: 90,
    });
    const plain = parseRestoreOptions(base);
    expect(plain).toMatchObject({ format: undefined, saveFaces: false, saveUncertainty: false, device: 'auto' });
    expect(plain.photo.seed).toBeUndefined();
    expect(plain.resolved.restore.call.seed).toBe(RESTORE_DEFAULTS.seed);
    expect(plain.resolved.photo.maxPixels).toBe(DEFAULT_MAX_PIXELS);
    expect(parseRestoreOptions({ ...base, device: 'cuda', faceTemplate: 'ffhq' })).toMatchObject({ device: 'cuda', faceTemplate: 'ffhq' });
    expect(parseRestoreOptions({ ...base, backend: 'tfjs', device: 'cpu' }).device).toBe('cpu');
  });

  it('--method, --samples, --fidelity and --blur/--noise/--chroma go to restore() as method, samples, fidelity and degradation', () => {
    const posterior = parseRestoreOptions({ ...base, method: 'posterior', samples: '4', fidelity: '0.5', saveUncertainty: true });
    expect(posterior.photo).toMatchObject({ method: 'posterior', samples: 4, fidelity: 0.5 });
    expect(posterior.resolved.restore.run).toMatchObject({ method: 'posterior', samples: 4, fidelity: 0.5 });
    expect(posterior.saveUncertainty).toBe(true);
    expect(parseRestoreOptions({ ...base, method: 'gaussian', saveUncertainty: true }).saveUncertainty).toBe(true);
    expect(parseRestoreOptions({ ...base, blur: '1.5', noise: '8' }).photo.degradation).toEqual({ blur: 1.5, noise: 8 });
    expect(parseRestoreOptions({ ...base, blur: '0', noise: '3', chroma: '2' }).resolved.restore.run.degradation).toEqual({ blur: 0, noise: 3, chroma: 2 });
    expect(parseRestoreOptions(base).resolved.restore.run.degradation).toBeUndefined();
  });

  it.each([
    [{ steps: '0' }, /--steps must be an integer >= 1, got "0"/],
    [{ steps: '2.5' }, /--steps must be an integer >= 1, got "2.5"/],
    [{ seed: 'x' }, /--seed must be a number, got "x"/],
    [{ seed: '-1' }, /--seed must be an integer >= 0, got "-1"/],
    [{ strength: '1.5' }, /--strength must be in \(0, 1\], got "1.5"/],
    [{ strength: '' }, /--strength must be a number, got ""/],
    [{ scale: '3' }, /--scale must be a power of two/],
    [{ ext: 'gif' }, /--ext must be one of png, jpg, webp, got "gif"/],
    [{ backend: 'cuda' }, /--backend must be one of auto, tfjs, onnx/],
    [{ suffix: '../x' }, /--suffix must not contain a path separator/],
    [{ maxFaces: '0' }, /--max-faces must be an integer >= 1, got "0"/],
    [{ minFaceSize: '-3' }, /--min-face-size must be a positive number, got "-3"/],
    [{ maxFaceSize: 'big' }, /--max-face-size must be a number, got "big"/],
    [{ device: 'gpu' }, /--device must be one of auto, cpu, cuda, got "gpu"/],
    [{ device: 'cuda', backend: 'tfjs' }, /--device cuda runs the prior on ONNX Runtime: use --backend onnx or auto/],
    [{ method: 'sharpen' }, /--method must be one of auto, diffusion, posterior, gaussian, got "sharpen"/],
    [{ samples: '0' }, /--samples must be an integer >= 1, got "0"/],
    [{ samples: 'many' }, /--samples must be a number, got "many"/],
    [{ fidelity: '1.2' }, /--fidelity must be in \[0, 1\], got "1.2"/],
    [{ blur: '2' }, /--blur and --noise go together/],
    [{ noise: '2', chroma: '1' }, /--blur and --noise go together/],
    [{ blur: '-1', noise: '3' }, /--blur must be a number >= 0, got "-1"/],
    [{ blur: '1', noise: 'loud' }, /--noise must be a number, got "loud"/],
    [{ blur: '1', noise: '2', chroma: '-2' }, /--chroma must be a number >= 0, got "-2"/],
    [{ saveUncertainty: true, method: 'diffusion' }, /--save-uncertainty needs --method gaussian, or --method posterior with --samples 2 or more/],
    [{ saveUncertainty: true, method: 'posterior', samples: '1' }, /--save-uncertainty needs/],
  ])('%o is refused', (patch, message) => {
    let err: unknown;
    try {
      parseRestoreOptions({ ...base, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as DifbfsrError).code).toBe('INVALID_OPTION');
    expect((err as Error).message).toMatch(message);
  });
});

describe('ProgressDisplay', () => {
  /** A batch where each diffusion step takes 2 s. */
  function run(tty: boolean): string {
    const s = fakeStream(tty);
    let ms = 0;
    const p = new ProgressDisplay(s, 2, () => ms);
    p.startImage(0, 'a.png');
    for (let step = 1; step <= 8; step++) {
      ms += 2000;
      p.update('face 1/1 diffusion', step, 8);
    }
    p.log(`${p.prefix()} a.png -> out/a.png`);
    p.startImage(1, 'b.png');
    p.update('background', 1, 3);
    p.finish();
    return s.text;
  }

  it('plain lines when not a terminal: image starts, each quarter of a stage with the time left, logs', () => {
    expect(run(false)).toBe(
      [
        '[1/2] a.png',
        '[1/2] a.png face 1/1 diffusion 2/8  ETA 12 s',
        '[1/2] a.png face 1/1 diffusion 4/8  ETA 8 s',
        '[1/2] a.png face 1/1 diffusion 6/8  ETA 4 s',
        '[1/2] a.png face 1/1 diffusion 8/8',
        '[1/2] a.png -> out/a.png',
        '[2/2] b.png',
        '[2/2] b.png background 1/3',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal: one line redrawn with image and stage bars; logs go above it; finish clears it', () => {
    const text = run(true);
    const frames = text.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames[0]).toBe('images [--------------------] 1/2  a.png');
    expect(frames[1]).toBe('images [--------------------] 1/2  a.png  face 1/1 diffusion [###-----------------] 1/8');
    expect(frames[2]).toBe('images [--------------------] 1/2  a.png  face 1/1 diffusion [#####---------------] 2/8  ETA 12 s');
    expect(frames[8]).toBe('images [--------------------] 1/2  a.png  face 1/1 diffusion [####################] 8/8');
    expect(frames[9]).toBe('[1/2] a.png -> out/a.png\n');
    expect(frames[10]).toBe(frames[8]); // the bar is redrawn under the log line
    expect(frames[11]).toBe('images [##########----------] 2/2  b.png');
    expect(frames[12]).toBe('images [##########----------] 2/2  b.png  background [#######-------------] 1/3');
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(text.split('\n')).toHaveLength(2); // only the log line ends with a newline
  });

  it('stages without a count: a line of their own in a pipe, the stage in place of the bar on a terminal', () => {
    for (const tty of [false, true]) {
      const s = fakeStream(tty);
      const p = new ProgressDisplay(s, 1);
      p.startImage(0, 'a.png');
      p.stage('decode');
      p.update('background', 1, 1);
      p.stage('write');
      const expected = tty
        ? ['images [--------------------] 1/1  a.png', 'images [--------------------] 1/1  a.png  decode', 'images [--------------------] 1/1  a.png  background [####################] 1/1', 'images [--------------------] 1/1  a.png  write']
        : ['[1/1] a.png\n', '[1/1] a.png decode\n', '[1/1] a.png background 1/1\n', '[1/1] a.png write\n'];
      expect(tty ? s.text.split('\r\x1b[2K').filter((f) => f !== '') : s.text.split(/(?<=\n)/)).toEqual(expected);
    }
  });

  it('a long stage: a plain line at least every 30 s, the time left from the pace since its first step', () => {
    const s = fakeStream(false);
    let ms = 0;
    const p = new ProgressDisplay(s, 1, () => ms);
    p.startImage(0, 'photo.jpg');
    ms += 40_000; // the first step also waited for the sessions to start
    p.update('face 1/1 diffusion', 1, 100);
    for (let step = 2; step <= 12; step++) {
      ms += 7_000;
      p.update('face 1/1 diffusion', step, 100);
    }
    expect(s.text.split('\n').slice(1, -1)).toEqual([
      '[1/1] photo.jpg face 1/1 diffusion 1/100', // 40 s after the last line; no pace yet
      '[1/1] photo.jpg face 1/1 diffusion 6/100  ETA 10 min 58 s', // 35 s later: 94 steps of 7 s
      '[1/1] photo.jpg face 1/1 diffusion 11/100  ETA 10 min 23 s',
    ]);
  });

  it('durations read as seconds, minutes and hours', () => {
    expect([900, 59_400, 60_000, 185_000, 3_599_000, 3_720_000, 7_195_000].map(formatDuration)).toEqual([
      '1 s',
      '59 s',
      '1 min 00 s',
      '3 min 05 s',
      '59 min 59 s',
      '1 h 02 min',
      '2 h 00 min',
    ]);
  });

  it('fits the line to the terminal width', () => {
    const s = fakeStream(true);
    Object.assign(s, { columns: 30 });
    new ProgressDisplay(s, 1).startImage(0, 'a-very-long-file-name-indeed.png');
    expect(s.text.replace('\r\x1b[2K', '')).toHaveLength(29);
  });
});

describe('uncertainty heat map', () => {
  it('maps the RGB-mean standard deviation through black, red, yellow and white, saturating at UNCERTAINTY_SCALE', () => {
    const S = UNCERTAINTY_SCALE;
    // Pixel k has the same std in every channel but the last, whose channels average to S / 2.
    const stds = [0, S / 6, S / 3, S / 2, (2 * S) / 3, S, 2 * S];
    const data = new Float32Array([...stds.flatMap((v) => [v, v, v]), 0, S / 2, S]);
    const heat = uncertaintyHeatMap({ data, width: 8, height: 1, channels: 3 });
    expect(heat).toMatchObject({ width: 8, height: 1, channels: 3 });
    const colours = Array.from({ length: 8 }, (_, k) => [...heat.data.subarray(3 * k, 3 * k + 3)]);
    expect(colours).toEqual([
      [0, 0, 0],
      [128, 0, 0],
      [255, 0, 0],
      [255, 128, 0],
      [255, 255, 0],
      [255, 255, 255],
      [255, 255, 255],
      [255, 128, 0],
    ]);
  });
});
