/** A point in image pixels. Pixel-edge coordinates: the top-left pixel spans `[0, 1) x [0, 1)`. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in image pixels (pixel-edge coordinates). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The five landmarks the alignment uses, in this order: eye on the image's left, eye on the image's
 * right, nose tip, mouth corner on the image's left, mouth corner on the image's right (the order of
 * RetinaFace, GFPGAN and CodeFormer).
 */
export type FiveLandmarks = readonly [Point, Point, Point, Point, Point];

/** One face found by a {@link FaceDetector}. */
export interface DetectedFace {
  /** The detector's face box. */
  box: FaceBox;
  /** Detector confidence in [0, 1]. */
  score: number;
  landmarks: FiveLandmarks;
}

/** An RGB image as the pipeline hands it to detectors: interleaved `[height, width, 3]`, values 0..255. */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
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
