import type { ActiveBackend } from '@difbfsr/backend-web';
import type { FaceReport, PhotoProgress, RawImage, RestoreInfo, RestoreProgress } from '@difbfsr/core';

/** The knobs the page exposes. */
export interface RestoreSettings {
  steps: number;
  strength: number;
  seed: number;
}

/**
 * What to restore: one aligned face at the prior's input size, or a whole photo whose faces are
 * found (by face-api, its weights served from `detectorUrl`), restored and pasted back.
 */
export type RestoreJob =
  | { mode: 'aligned'; image: RawImage; settings: RestoreSettings }
  | { mode: 'photo'; image: RawImage; settings: RestoreSettings; detectorUrl: string };

/** Messages from the page to the restore worker. */
export type ToWorker = { type: 'restore'; id: number; job: RestoreJob } | { type: 'cancel'; id: number };

/** What the worker reports once the backend runs and the prior is loaded. */
export interface WorkerReady {
  backend: ActiveBackend;
  /** The prior's resolution (the restored face's size). */
  resolution: number;
  /** The prior's low-resolution input size: `resolution / scale`. */
  lrSize: number;
}

/** What a finished job reports besides the image. */
export type JobReport = { mode: 'aligned'; info: RestoreInfo } | { mode: 'photo'; faces: FaceReport[]; timeMs: number };

/** Messages from the restore worker to the page. */
export type FromWorker =
  | ({ type: 'ready' } & WorkerReady)
  | { type: 'startup-failed'; message: string }
  | { type: 'before'; id: number; image: RawImage }
  | { type: 'progress'; id: number; progress: RestoreProgress | PhotoProgress }
  | { type: 'done'; id: number; image: RawImage; report: JobReport }
  | { type: 'failed'; id: number; cancelled: boolean; message: string };

/** The upscaling factor of the demo (the library's default). */
export const SCALE = 4;
