import type { ActiveBackend } from '@difbfsr/backend-web';
import type { RawImage, RestoreInfo, RestoreProgress } from '@difbfsr/core';

/** The knobs the page exposes. */
export interface RestoreSettings {
  steps: number;
  strength: number;
  seed: number;
}

/** Messages from the page to the restore worker. */
export type ToWorker =
  | { type: 'restore'; id: number; image: RawImage; settings: RestoreSettings }
  | { type: 'cancel'; id: number };

/** What the worker reports once the backend runs and the prior is loaded. */
export interface WorkerReady {
  backend: ActiveBackend;
  /** The prior's resolution (the result's size). */
  resolution: number;
  /** The prior's low-resolution input size: `resolution / scale`. */
  lrSize: number;
}

/** Messages from the restore worker to the page. */
export type FromWorker =
  | ({ type: 'ready' } & WorkerReady)
  | { type: 'startup-failed'; message: string }
  | { type: 'bicubic'; id: number; image: RawImage }
  | { type: 'progress'; id: number; progress: RestoreProgress }
  | { type: 'done'; id: number; image: RawImage; info: RestoreInfo }
  | { type: 'failed'; id: number; cancelled: boolean; message: string };

/** The upscaling factor of the demo (the library's default). */
export const SCALE = 4;
