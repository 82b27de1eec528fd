import type { FaceReport } from '@difbfsr/core';
import type { FaceFiles } from './face-crops.js';
import type { PixelImage } from './image-file.js';

/** A face of a restored image, with the files `--save-faces` and `--save-uncertainty` ask for. */
export interface RestoredFace extends FaceFiles {
  report: FaceReport;
}

/** What an {@link ImageRestorer} made of one image. */
export interface RestoredImage {
  image: PixelImage;
  faces: RestoredFace[];
  /** The face detector that ran (absent for aligned input). */
  detector?: string;
  /** What the user should know about the result. */
  warnings: string[];
}

/** Hooks of one {@link ImageRestorer} call. */
export interface RestoreHooks {
  /** Progress of the current stage (`face 1/2 diffusion`, `background`, ...): `done` of `total`. */
  onProgress(stage: string, done: number, total: number): void;
  /** A stage without a count began (`face 1/2 paste`). */
  onStage(stage: string): void;
  signal: AbortSignal;
}

/** Restores one decoded image. */
export type ImageRestorer = (image: PixelImage, hooks: RestoreHooks) => Promise<RestoredImage>;
