import type { FaceDetector } from '@difbfsr/core';

/** A face detector the command releases when it is done. */
export interface LoadedFaceDetector extends FaceDetector {
  dispose(): void;
}

/**
 * The face detector of `@difbfsr/faces` (face-api's SSD MobileNet v1 and 68-point landmarks, weights
 * from the installed package), imported on first use so that the other commands do not load face-api.
 */
export async function loadFaceDetector(): Promise<LoadedFaceDetector> {
  const { FaceApiDetector } = await import('@difbfsr/faces');
  return FaceApiDetector.load();
}
