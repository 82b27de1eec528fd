import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { CliCommand } from '../src/cli/command.js';
import { runCli } from '../src/cli/main.js';
import type { RestoreReport } from '../src/cli/restore/restore-report.js';
import { blackGreyPng, cli, fakeStream, pixels, readRaw, writeImage, writeTinyPrior } from './cli-restore-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-limits-'));
afterAll(() => {
  chmodSync(at('readonly'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});
const at = (...p: string[]): string => join(dir, ...p);
const readReport = (path: string): RestoreReport => JSON.parse(readFileSync(path, 'utf8')) as RestoreReport;

const prior = at('tiny.safetensors');
/** Aligned 8x8 crops for the tiny 32 px prior, 2 network calls, tfjs. */
const FAST = ['--aligned', '--model', prior, '--steps', '2', '--warmup-iters', '0', '--backend', 'tfjs', '--seed', '3'];

beforeAll(async () => {
  chmodSync(dir, 0o755); // the read-only test runs the command as another user when root
  writeTinyPrior(prior);
  await writeImage(at('face.png'), pixels(8, 8, 3, 1), 8, 8, 3);
  writeFileSync(at('huge.png'), blackGreyPng(12000, 12000));
  writeFileSync(at('bomb.png'), blackGreyPng(60000, 60000, 1));
  mkdirSync(at('readonly'));
  chmodSync(at('readonly'), 0o555);
  mkdirSync(at('writable'));
  chmodSync(at('writable'), 0o777);
});

describe('difbfsr restore refuses images over --max-pixels from their header', () => {
  it('a valid 12000x12000 PNG (140 KB) fails in seconds with IMAGE_TOO_LARGE, before decoding, and nothing is written', async () => {
    expect(readFileSync(at('huge.png')).length).toBeLessThan(200_000);
    const progress = fakeStream(false);
    const report = at('huge.json');
    const started = performance.now();
    const r = await cli(['restore', at('huge.png'), '-o', at('out-huge'), '--backend', 'tfjs', '--json', report], progress);
    const seconds = (performance.now() - started) / 1000;
    expect(r.code).toBe(1);
    const message = 'The image is 12000x12000 (144,000,000 pixels), over the limit of 67,108,864 pixels (--max-pixels)';
    expect(progress.text).toContain(`huge.png: failed: IMAGE_TOO_LARGE: ${message}`);
    expect(progress.text).not.toMatch(/decode|detect|background/);
    const [image] = readReport(report).images;
    expect(image).toMatchObject({ status: 'failed', error: { code: 'IMAGE_TOO_LARGE', message } });
    expect(image.timeMs).toBeLessThan(3000); // header read and refused (it hung for minutes before)
    expect(seconds).toBeLessThan(60); // the whole command, prior and detector loading included, on a loaded machine
    expect(existsSync(at('out-huge', 'huge.png'))).toBe(false);
  });

  it('a 60000x60000 header-only bomb gets our error, not the decoder\'s', async () => {
    const progress = fakeStream(false);
    const r = await cli(['restore', at('bomb.png'), '-o', at('out-bomb'), ...FAST], progress);
    expect(r.code).toBe(1);
    expect(progress.text).toContain('bomb.png: failed: IMAGE_TOO_LARGE: The image is 60000x60000 (3,600,000,000 pixels), over the limit');
  });

  it('the x4 output counts: --max-pixels one below 32x32 refuses the 8x8 face, 32x32 restores it', async () => {
    const progress = fakeStream(false);
    const refused = await cli(['restore', at('face.png'), '-o', at('out-limit'), ...FAST, '--max-pixels', '1023'], progress);
    expect(refused.code).toBe(1);
    expect(progress.text).toContain(
      'face.png: failed: IMAGE_TOO_LARGE: The 8x8 image would give a 32x32 result at x4 (1,024 pixels), over the limit of 1,023 pixels (--max-pixels): restore a smaller image or use a lower scale, or raise --max-pixels',
    );
    const ok = await cli(['restore', at('face.png'), '-o', at('out-limit'), ...FAST, '--max-pixels', '1024', '--json', '-']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as RestoreReport).settings.maxPixels).toBe(1024);
    const bad = await cli(['restore', at('face.png'), '-o', at('out-limit'), ...FAST, '--max-pixels', '0']);
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('INVALID_OPTION: --max-pixels must be an integer >= 1, got "0"')]);
  });

  it('every long stage reports progress: decode, upscaling, the face\'s steps and paste, write', async () => {
    const progress = fakeStream(false);
    expect((await cli(['restore', at('face.png'), '-o', at('out-stages'), ...FAST], progress)).code).toBe(0);
    const stages = progress.text.split('\n').map((l) => l.replace(/^\[1\/1\] \S+ ?/, ''));
    expect(stages).toEqual(['', 'decode', 'background 1/1', 'face 1/1 diffusion 1/2', 'face 1/1 diffusion 2/2', 'face 1/1 paste', 'write', expect.stringMatching(/^-> /), '']);
  });
});

describe('multi-frame files and tiny faces are restored with a warning', () => {
  it('a 3-frame GIF: the first frame is restored (as a PNG of it would be), the report says the others were left out', async () => {
    const frames = Buffer.from(pixels(8, 24, 3, 7));
    await sharp(frames, { raw: { width: 8, height: 24, channels: 3, pageHeight: 8 } }).gif().toFile(at('anim.gif'));
    const first = await sharp(at('anim.gif')).raw().toBuffer({ resolveWithObject: true });
    expect([first.info.width, first.info.height]).toEqual([8, 8]);
    await sharp(first.data, { raw: first.info }).png().toFile(at('first.png'));

    const progress = fakeStream(false);
    const r = await cli(['restore', at('anim.gif'), at('first.png'), '-o', at('out-anim'), '--ext', 'png', '--json', '-', ...FAST], progress);
    expect(r.code).toBe(0);
    const [gif, png] = (JSON.parse(r.out) as RestoreReport).images;
    const warning = 'the gif file has 3 frames; only the first was restored (restore the others as images of their own)';
    expect(gif).toMatchObject({ status: 'restored', frames: 3, warnings: [warning] });
    expect(png.frames).toBeUndefined();
    expect(png.warnings).toBeUndefined();
    expect(progress.text).toContain(`anim.gif: warning: ${warning}`);
    expect((await readRaw(at('out-anim', 'anim.png'))).data).toEqual((await readRaw(at('out-anim', 'first.png'))).data);
  });

  it('a 1x1 aligned face is restored to 4x4 with a warning that it is far below the prior\'s 8x8 input', async () => {
    await writeImage(at('dot.png'), pixels(1, 1, 3, 2), 1, 1, 3);
    const progress = fakeStream(false);
    const r = await cli(['restore', at('dot.png'), '-o', at('out-dot'), '--json', '-', ...FAST], progress);
    expect(r.code).toBe(0);
    const [image] = (JSON.parse(r.out) as RestoreReport).images;
    expect(image).toMatchObject({ outputWidth: 4, outputHeight: 4, warnings: [expect.stringMatching(/^The 1x1 face is far below the prior's 8x8 input: it was enlarged 8 times/)] });
    expect(progress.text).toMatch(/dot\.png: warning: The 1x1 face is far below/);
  });
});

/**
 * Run `fn` unable to write into read-only folders. Root writes anywhere, so as root it runs with
 * the effective user and group of `nobody` (65534) and gets them back afterwards.
 */
async function withoutRoot<T>(fn: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return fn();
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    return await fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

describe('file-system failures are one line with their code, before anything is restored', () => {
  const oneLine = (err: string): void => {
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  };

  it('an output folder that cannot be created, or is read-only, or a report beside it: IO, exit 1, nothing restored', async () => {
    const cases: Array<[string[], string]> = [
      [['-o', at('readonly', 'sub')], `difbfsr: IO: ${at('readonly', 'sub')}: cannot create the folder (EACCES: permission denied, mkdir '${at('readonly', 'sub')}')`],
      [['-o', at('readonly')], `difbfsr: IO: ${at('readonly')}: cannot write into the folder (EACCES: permission denied, open '${at('readonly')}/.difbfsr-write-test.${process.pid}')`],
      [['-o', at('writable'), '--json', at('readonly', 'report.json')], `difbfsr: IO: ${at('readonly')}: cannot write into the folder (EACCES`],
    ];
    for (const [args, message] of cases) {
      const progress = fakeStream(false);
      const r = await withoutRoot(() => cli(['restore', at('face.png'), ...args, ...FAST], progress));
      expect(r.code).toBe(1);
      expect(r.err.startsWith(message), r.err).toBe(true);
      oneLine(r.err);
      expect(progress.text).toBe(''); // no image was started
    }
  });

  it('an output path under a file (ENOTDIR, root included) is the same one-line IO error', async () => {
    const r = await cli(['restore', at('face.png'), '-o', at('face.png', 'out'), ...FAST]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^difbfsr: IO: .*face\.png\/out: cannot create the folder \((ENOTDIR|EEXIST)/);
    oneLine(r.err);
  });

  it('any failed system call a command lets through is reported as IO in one line, not as a stack', async () => {
    const leaky: CliCommand = {
      name: 'leaky',
      register: (program) => void program.command('leaky').action(async () => void (await readFile(at('no-such-file')))),
    };
    let err = '';
    const code = await runCli(['leaky'], { stdout: () => {}, stderr: (s) => (err += s) }, [leaky]);
    expect(code).toBe(1);
    expect(err).toBe(`difbfsr: IO: ENOENT: no such file or directory, open '${at('no-such-file')}'\n`);
  });
});
