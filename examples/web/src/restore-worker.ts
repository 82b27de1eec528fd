/**
 * The restore worker: runs tfjs (WASM), the bundled prior and the face detector off the page's
 * thread, so the page stays responsive (progress, preview, Cancel) while a restore computes.
 */
import { init } from '@difbfsr/backend-web';
import { AbortError, getDefaultDegradationEstimator, getDefaultGaussianModel, getDefaultPrior, restorePhoto, restoreWithInfo, type Denoiser, type GaussianFaceModel } from '@difbfsr/core';
import '@difbfsr/models';
import { bicubicUpscale } from './bicubic-upscale.js';
import { loadFaceDetector } from './face-detector.js';
import { lanczosUpscale } from './lanczos-upscale.js';
import { SCALE, type FromWorker, type RestoreJob, type ToWorker } from './protocol.js';
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

async function start(): Promise<{ prior: Denoiser; gaussianModel: GaussianFaceModel }> {
  try {
    const backend = await init({ wasmPaths: WASM_PATHS });
    // The prior's weights are a static asset of the build, fetched from the page's own origin, like
    // the degradation estimator's and the Gaussian face model's: all are loaded before the page says
    // it is ready, so that a restore needs no network.
    const [prior, , gaussianModel] = await Promise.all([getDefaultPrior({ backend: 'tfjs' }), getDefaultDegradationEstimator(), getDefaultGaussianModel()]);
    scope.postMessage({ type: 'ready', backend, resolution: prior.resolution, lrSize: prior.resolution / SCALE });
    // Both go with every restore: with the Gaussian face model, method 'auto' is the posterior sampler.
    return { prior, gaussianModel };
  } catch (error) {
    scope.postMessage({ type: 'startup-failed', message: messageOf(error) });
    throw error;
  }
}

const models = start();
// A failed start was reported above; restores awaiting `models` report it again as their failure.
models.catch(() => undefined);

async function runJob(id: number, job: RestoreJob, signal: AbortSignal): Promise<void> {
  const { prior: denoiser, gaussianModel } = await models;
  const options = { prior: denoiser, gaussianModel, scale: SCALE, ...job.settings, signal };
  if (job.mode === 'aligned') {
    scope.postMessage({ type: 'before', id, image: bicubicUpscale(job.image, denoiser.resolution) });
    const { output, info } = await restoreWithInfo(job.image, {
      ...options,
      previewEvery: 1,
      onProgress: (progress) => scope.postMessage({ type: 'progress', id, progress }),
    });
    scope.postMessage({ type: 'done', id, image: output, report: { mode: 'aligned', info } });
  } else {
    const detector = await loadFaceDetector(job.detectorUrl);
    scope.postMessage({ type: 'before', id, image: await lanczosUpscale(job.image, SCALE, signal) });
    const result = await restorePhoto(job.image, {
      ...options,
      detector,
      previewEvery: 1,
      onProgress: (progress) => scope.postMessage({ type: 'progress', id, progress }),
    });
    const { data, width, height } = result.image;
    scope.postMessage({ type: 'done', id, image: { data: Uint8ClampedArray.from(data), width, height, channels: 4 }, report: { mode: 'photo', faces: result.faces, timeMs: result.timeMs } });
  }
}

async function run(id: number, job: RestoreJob): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    await runJob(id, job, controller.signal);
  } catch (error) {
    scope.postMessage({ type: 'failed', id, cancelled: error instanceof AbortError, message: messageOf(error) });
  } finally {
    running.delete(id);
  }
}

scope.addEventListener('message', ({ data }) => {
  if (data.type === 'restore') void run(data.id, data.job);
  else running.get(data.id)?.abort();
});
