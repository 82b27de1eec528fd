/**
 * End to end: build the demo, serve it, restore the example face in headless Chromium and check
 * the downloaded result against the same restore run here in Node (same seed, WASM backend); then
 * restore a whole photo (face-api detection in the page's worker, paste-back).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getDefaultGaussianModel, getDefaultPrior, resizeBicubic, restoreWithInfo, type RawImage } from '@difbfsr/core';
import '@difbfsr/models';
import { useBackend } from '../../../test-utils/backends.js';
import { describeWithChromium, launchChromium } from './chromium.js';

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const FACE_LR = fileURLToPath(new URL('../../assets/face-lr.png', import.meta.url));
const FACE_HR = fileURLToPath(new URL('../../assets/face-hr.png', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../../docs/img/web-demo.png', import.meta.url));
const SETTINGS = { steps: 5, strength: 0.2, seed: 0 };

function readPng(bytes: Buffer): RawImage {
  const png = PNG.sync.read(bytes);
  return { data: png.data, width: png.width, height: png.height, channels: 4 };
}

/** PSNR (dB) over the RGB channels of two RGBA images of one size. */
function psnrRgb(a: RawImage, b: RawImage): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (i % 4 === 3) continue;
    sum += (a.data[i] - b.data[i]) ** 2;
    n++;
  }
  return 10 * Math.log10((255 * 255) / (sum / n));
}

/** Standard deviation of the RGB values: near 0 for a blank image. */
function spread(image: RawImage): number {
  const rgb = Array.from(image.data).filter((_, i) => i % 4 !== 3);
  const mean = rgb.reduce((s, v) => s + v, 0) / rgb.length;
  return Math.sqrt(rgb.reduce((s, v) => s + (v - mean) ** 2, 0) / rgb.length);
}

function bicubic(image: RawImage, size: number): RawImage {
  const data = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 4]);
    return Uint8Array.from(tf.clipByValue(tf.round(resizeBicubic(x, size, size)), 0, 255).dataSync());
  });
  return { data, width: size, height: size, channels: 4 };
}

/** The pixels of a canvas on the page, read back as RGBA. */
async function canvasPixels(page: Page, id: string): Promise<RawImage> {
  const { data, width, height } = await page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(pixels.data), width: canvas.width, height: canvas.height };
  }, id);
  return { data: Uint8Array.from(data), width, height, channels: 4 };
}

/** A 160x120 grey "photo" with a 64x64 face pasted at (40, 20). */
function photoWithFace(face: RawImage): PNG {
  const photo = new PNG({ width: 160, height: 120 });
  for (let i = 0; i < 160 * 120; i++) photo.data.set([150, 160, 170, 255], i * 4);
  for (let y = 0; y < face.height; y++) photo.data.set(face.data.subarray(y * face.width * 4, (y + 1) * face.width * 4), ((y + 20) * 160 + 40) * 4);
  return photo;
}

/** Wait until the page reaches `state` or fails; a failure shows the page's message. */
async function waitForState(page: Page, state: string, timeout: number): Promise<void> {
  await page.waitForSelector(`body[data-state="${state}"], body[data-state="error"]`, { timeout });
  const reached = await page.evaluate(() => [document.body.dataset.state, document.getElementById('message')?.textContent]);
  expect(reached).toEqual([state, expect.any(String)]);
}

describeWithChromium('web demo (examples/web) in headless Chromium', () => {
  let outDir: string;
  let server: PreviewServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'difbfsr-web-'));
    await build({ root: WEB_DIR, logLevel: 'error', build: { outDir, emptyOutDir: true, reportCompressedSize: false } });
    server = await preview({ root: WEB_DIR, logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** Open the demo in a new page that records every error it or its workers report, and wait until it is ready. */
  async function openDemo(): Promise<{ page: Page; errors: string[] }> {
    await browser.context.setOffline(false);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('worker', (worker) =>
      worker.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`worker console: ${msg.text()}`);
      }),
    );
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    const url = server.resolvedUrls?.local[0];
    expect(url).toBeDefined();
    await page.goto(url!);
    await waitForState(page, 'ready', 30_000);
    return { page, errors };
  }

  /** The PNG behind the page's download link, through a real download. */
  async function downloadResult(page: Page): Promise<RawImage> {
    const downloading = page.waitForEvent('download');
    await page.click('#download');
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('restored.png');
    return readPng(readFileSync((await download.path())!));
  }

  it('resizes a large face, restores the example face offline with progress, preview, cancel, slider and download, and logs no error', async () => {
    const { page, errors } = await openDemo();
    expect(await page.textContent('#backend')).toMatch(/Backend: wasm .*face prior 64×64 loaded/);

    // Everything the restore needs is loaded: from here on the page has no network.
    await browser.context.setOffline(true);
    // A larger aligned face is resized down to the prior's input size, with a note.
    await page.setInputFiles('#file', FACE_HR);
    await page.waitForFunction(() => document.getElementById('note')!.textContent !== '');
    expect(await page.textContent('#note')).toContain('resized from 64×64 to 16×16');
    expect(await page.evaluate(() => [(document.getElementById('lr') as HTMLCanvasElement).width, (document.getElementById('lr') as HTMLCanvasElement).height])).toEqual([16, 16]);

    await page.setInputFiles('#file', FACE_LR);
    await page.waitForFunction(() => document.getElementById('note')!.textContent === '');
    expect(await page.isEnabled('#restore')).toBe(true);

    // Cancel a long restore once it has started stepping.
    await page.fill('#steps', '300');
    await page.fill('#strength', '0.4');
    await page.click('#restore');
    await page.waitForFunction(() => /step [1-9]/.test(document.getElementById('progress-text')!.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.click('#cancel');
    await waitForState(page, 'cancelled', 10_000);

    await page.fill('#steps', String(SETTINGS.steps));
    await page.fill('#strength', String(SETTINGS.strength));
    await page.fill('#seed', String(SETTINGS.seed));
    await page.click('#restore');
    await waitForState(page, 'done', 30_000);
    expect(await page.textContent('#progress-text')).toBe(`step ${SETTINGS.steps}/${SETTINGS.steps}`);
    expect(await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value)).toBe(1);

    // The restore time differs from run to run: the screenshot shows a fixed one, so that it (a
    // committed file) changes only when something else on the page does.
    expect(await page.textContent('#message')).toMatch(/ in \d+\.\d s\.$/);
    await page.evaluate(() => {
      const element = document.getElementById('message')!;
      element.textContent = element.textContent!.replace(/ in \d+\.\d s\.$/, ' in 2.5 s.');
    });
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The slider moves the before/after split.
    await page.locator('#slider').fill('30');
    expect(await page.evaluate(() => document.getElementById('compare')!.style.getPropertyValue('--split'))).toBe('30%');

    const result = await downloadResult(page);
    const before = await canvasPixels(page, 'before');
    const preview = await canvasPixels(page, 'preview');

    // The same restore in Node: tfjs WASM, the bundled prior and Gaussian face model (so 'auto' is
    // the posterior sampler, as in the page), the same settings; keep its last x0.
    await useBackend('wasm');
    const lr = readPng(readFileSync(FACE_LR));
    let lastX0: RawImage | undefined;
    const reference = await restoreWithInfo(lr, {
      prior: await getDefaultPrior({ backend: 'tfjs' }),
      gaussianModel: await getDefaultGaussianModel(),
      ...SETTINGS,
      previewEvery: 1,
      onProgress: ({ x0 }) => {
        lastX0 = x0 ?? lastX0;
      },
    });
    expect(reference.info.collapsed).toBe(false);
    const upscaled = bicubic(lr, 64);

    expect([result.width, result.height]).toEqual([64, 64]);
    expect(spread(result)).toBeGreaterThan(20); // not blank (the bicubic upscale's spread is about 38)
    expect(psnrRgb(result, upscaled)).toBeGreaterThan(22); // close to the input
    expect(psnrRgb(result, upscaled)).toBeLessThan(40); // and not just the input upscaled
    expect(psnrRgb(result, reference.output)).toBeGreaterThan(45); // the same restore as in Node (bit-exact here)
    expect(psnrRgb(before, upscaled)).toBeGreaterThan(50); // the "before" panel is the bicubic upscale
    expect(psnrRgb(preview, lastX0!)).toBeGreaterThan(45); // the preview shows the last x0 estimate
    expect(errors).toEqual([]);
    await page.close();
  });

  it('finds, restores and pastes back the face of a whole photo, leaving the rest of the photo as upscaled', async () => {
    const { page, errors } = await openDemo();
    const photoPath = join(outDir, 'photo.png');
    writeFileSync(photoPath, PNG.sync.write(photoWithFace(readPng(readFileSync(FACE_HR)))));
    await page.check('input[name="mode"][value="photo"]');
    expect(await page.isHidden('#example')).toBe(true);
    await page.setInputFiles('#file', photoPath);
    await page.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled);
    await page.fill('#steps', '3');
    await page.fill('#strength', '0.2');
    await page.click('#restore');
    await waitForState(page, 'done', 60_000);
    expect(await page.textContent('#message')).toMatch(/^Restored 1 of 1 face\b.* Photo 160×120 → 640×480 in /);

    const result = await downloadResult(page);
    const before = await canvasPixels(page, 'before');
    expect([result.width, result.height, before.width, before.height]).toEqual([640, 480, 640, 480]);
    // The face (photo pixels 40..104 x 20..84) changed; a strip well clear of it is the Lanczos3 upscale, untouched.
    const changedIn = (x0: number, y0: number, x1: number, y1: number) => {
      let changed = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) if (result.data[(y * 640 + x) * 4 + c] !== before.data[(y * 640 + x) * 4 + c]) changed++;
      return changed / ((x1 - x0) * (y1 - y0) * 3);
    };
    expect(changedIn(200, 120, 360, 280)).toBeGreaterThan(0.5);
    expect(changedIn(0, 0, 40, 480)).toBe(0);
    expect(changedIn(560, 0, 640, 480)).toBe(0);
    expect(spread(await canvasPixels(page, 'preview'))).toBeGreaterThan(10); // the face's x0 estimate was shown
    expect(errors).toEqual([]);
    await page.close();
  });
});
