import type { RawImage, RestoreInfo, RestoreProgress } from '@difbfsr/core';
import type { FromWorker, RestoreSettings, ToWorker, WorkerReady } from './protocol.js';

/** Callbacks of one {@link RestoreClient.restore} call. */
export interface RestoreCallbacks {
  /** The input upscaled with bicubic, as soon as the restore starts. */
  onBicubic(image: RawImage): void;
  /** Each progress report, with the x0 estimate attached. */
  onProgress(progress: RestoreProgress): void;
}

/** Thrown by {@link RestoreClient.restore} when its signal cancelled it. */
export class RestoreCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'RestoreCancelled';
  }
}

interface Job extends RestoreCallbacks {
  resolve(result: { image: RawImage; info: RestoreInfo }): void;
  reject(error: Error): void;
}

/** The page's side of the restore worker: one promise per restore, cancellable with a signal. */
export class RestoreClient {
  /** Resolves when the worker's backend runs and the prior is loaded; rejects with why it could not start. */
  readonly ready: Promise<WorkerReady>;
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./restore-worker.ts', import.meta.url), { type: 'module' });
    this.ready = new Promise((resolve, reject) => {
      this.worker.addEventListener('error', (event) => {
        const error = new Error(`The restore worker failed: ${event.message}`);
        reject(error);
        for (const job of this.jobs.values()) job.reject(error);
        this.jobs.clear();
      });
      this.worker.addEventListener('message', ({ data }: MessageEvent<FromWorker>) => {
        if (data.type === 'ready') resolve(data);
        else if (data.type === 'startup-failed') reject(new Error(data.message));
        else this.receive(data);
      });
    });
  }

  /** Restore an RGBA low-resolution face of the prior's input size. */
  restore(image: RawImage, settings: RestoreSettings, callbacks: RestoreCallbacks, signal: AbortSignal): Promise<{ image: RawImage; info: RestoreInfo }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { ...callbacks, resolve, reject });
      signal.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
      this.post({ type: 'restore', id, image, settings });
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: Exclude<FromWorker, { type: 'ready' | 'startup-failed' }>): void {
    const job = this.jobs.get(message.id);
    if (!job) return;
    switch (message.type) {
      case 'bicubic':
        job.onBicubic(message.image);
        break;
      case 'progress':
        job.onProgress(message.progress);
        break;
      case 'done':
        this.jobs.delete(message.id);
        job.resolve({ image: message.image, info: message.info });
        break;
      case 'failed':
        this.jobs.delete(message.id);
        job.reject(message.cancelled ? new RestoreCancelled() : new Error(message.message));
        break;
    }
  }
}
