/**
 * The restore worker: runs tfjs (WASM) and the bundled prior off the page's thread, so the page
 * stays responsive (progress, preview, Cancel) while a restore computes.
 */
import { init } from '@difbfsr/backend-web';
import { AbortError, restoreWithInfo, type Denoiser, type RawImage } from '@difbfsr/core';
import { loadBundledPrior } from '@difbfsr/models';
import { bicubicUpscale } from './bicubic-upscale.js';
import { SCALE, type FromWorker, type RestoreSettings, type ToWorker } from './protocol.js';
import { WASM_PATHS } from './wasm-paths.js';

/** The part of a dedicated worker's global scope used here (the DOM lib types the page's). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const running = new Map<number, AbortController>();

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function start(): Promise<Denoiser> {
  try {
    const backend = await init({ wasmPaths: WASM_PATHS });
    // The prior's weights are a static asset of the build, fetched from the page's own origin.
    const prior = await loadBundledPrior({ backend: 'tfjs' });
    scope.postMessage({ type: 'ready', backend, resolution: prior.resolution, lrSize: prior.resolution / SCALE });
    return prior;
  } catch (error) {
    scope.postMessage({ type: 'startup-failed', message: messageOf(error) });
    throw error;
  }
}

const prior = start();
// A failed start was reported above; restores awaiting `prior` report it again as their failure.
prior.catch(() => undefined);

async function run(id: number, image: RawImage, settings: RestoreSettings): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const denoiser = await prior;
    scope.postMessage({ type: 'bicubic', id, image: bicubicUpscale(image, denoiser.resolution) });
    const { output, info } = await restoreWithInfo(image, {
      prior: denoiser,
      scale: SCALE,
      ...settings,
      previewEvery: 1,
      signal: controller.signal,
      onProgress: (progress) => scope.postMessage({ type: 'progress', id, progress }),
    });
    scope.postMessage({ type: 'done', id, image: output, info });
  } catch (error) {
    scope.postMessage({ type: 'failed', id, cancelled: error instanceof AbortError, message: messageOf(error) });
  } finally {
    running.delete(id);
  }
}

scope.addEventListener('message', ({ data }) => {
  if (data.type === 'restore') void run(data.id, data.image, data.settings);
  else running.get(data.id)?.abort();
});
