import type { PixelImage } from './image-file.js';
import type { StepProgress } from './progress-display.js';
import type { FaceReport } from './restore-report.js';

/** A restored face with its crops before and after (for `--save-faces`). */
export interface RestoredFace {
  report: Omit<FaceReport, 'crops'>;
  /** The low-resolution face as it went into `restore()`. */
  input: PixelImage;
  /** The restored face. */
  restored: PixelImage;
}

/** What an {@link ImageRestorer} made of one image. */
export interface RestoredImage {
  image: PixelImage;
  faces: RestoredFace[];
}

/** Hooks of one {@link ImageRestorer} call. */
export interface RestoreHooks {
  /** Face `face` (1-based) of `faces` made a step. */
  onStep(face: number, faces: number, progress: StepProgress): void;
  signal: AbortSignal;
}

/** Restores one decoded image: the aligned-crop path or the whole-photo pipeline. */
export type ImageRestorer = (image: PixelImage, hooks: RestoreHooks) => Promise<RestoredImage>;
