import type { PhotoProgress, RawImage, RestoreProgress } from '@difbfsr/core';
import type { FromWorker, JobReport, RestoreJob, ToWorker, WorkerReady } from './protocol.js';

/** Callbacks of one {@link RestoreClient.restore} call. */
export interface RestoreCallbacks {
  /** The input upscaled without the prior (bicubic, or Lanczos3 for photos), as soon as the job starts. */
  onBefore(image: RawImage): void;
  /** Each progress report; restore steps carry the x0 estimate. */
  onProgress(progress: RestoreProgress | PhotoProgress): void;
}

/** What a finished restore gives back. */
export interface RestoreResult {
  image: RawImage;
  report: JobReport;
}

/** Thrown by {@link RestoreClient.restore} when its signal cancelled it. */
export class RestoreCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'RestoreCancelled';
  }
}

interface PendingJob extends RestoreCallbacks {
  resolve(result: RestoreResult): void;
  reject(error: Error): void;
}

/** The page's side of the restore worker: one promise per restore, cancellable with a signal. */
export class RestoreClient {
  /** Resolves when the worker's backend runs and the prior is loaded; rejects with why it could not start. */
  readonly ready: Promise<WorkerReady>;
  private readonly worker: Worker;
  private readonly jobs = new Map<number, PendingJob>();
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

  /** Run a restore job in the worker. */
  restore(job: RestoreJob, callbacks: RestoreCallbacks, signal: AbortSignal): Promise<RestoreResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { ...callbacks, resolve, reject });
      signal.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
      this.post({ type: 'restore', id, job });
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: Exclude<FromWorker, { type: 'ready' | 'startup-failed' }>): void {
    const job = this.jobs.get(message.id);
    if (!job) return;
    switch (message.type) {
      case 'before':
        job.onBefore(message.image);
        break;
      case 'progress':
        job.onProgress(message.progress);
        break;
      case 'done':
        this.jobs.delete(message.id);
        job.resolve({ image: message.image, report: message.report });
        break;
      case 'failed':
        this.jobs.delete(message.id);
        job.reject(message.cancelled ? new RestoreCancelled() : new Error(message.message));
        break;
    }
  }
}
