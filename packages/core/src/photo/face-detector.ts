import type { FaceBox, FiveLandmarks } from '../types/face.js';
import type { RgbImage } from '../types/image.js';

/** One face found by a {@link FaceDetector}. */
export interface DetectedFace {
  /** The detector's face box. */
  box: FaceBox;
  /** Detector confidence in [0, 1]. */
  score: number;
  landmarks: FiveLandmarks;
}

/** What {@link FaceDetector.detect} is asked for. */
export interface DetectOptions {
  /** Smallest face (longer box side, image pixels) the caller wants found; detectors may look harder for small faces. */
  minFaceSize?: number;
  /** Cancels detection; the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Called as detection passes complete (`done` of `total`). */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Finds faces and their five landmarks in an image. `@difbfsr/faces` implements it with face-api's
 * detectors; tests and applications can plug in any other detector.
 */
export interface FaceDetector {
  /** Short description shown in reports. */
  readonly name?: string;
  /** Every face found, best first. Must not keep or modify `image`. */
  detect(image: RgbImage, options?: DetectOptions): Promise<DetectedFace[]>;
}
