import { DifbfsrError, type FaceDetector } from '@difbfsr/core';

/** A face detector the command releases when it is done. */
export interface LoadedFaceDetector extends FaceDetector {
  dispose(): void;
}

/**
 * The face detector of `@difbfsr/faces` (face-api's SSD MobileNet v1 and 68-point landmarks, weights
 * from the installed package), imported on first use so that the other commands do not load face-api.
 * @throws DifbfsrError `BACKEND` when the package cannot be imported, and what `FaceApiDetector.load` throws.
 */
export async function loadFaceDetector(): Promise<LoadedFaceDetector> {
  let faces: typeof import('@difbfsr/faces');
  try {
    faces = await import('@difbfsr/faces');
  } catch (err) {
    throw new DifbfsrError(
      'BACKEND',
      `the face detector package @difbfsr/faces cannot be loaded (${(err as Error).message}); for inputs that are already aligned face crops use --aligned`,
      { cause: err },
    );
  }
  return faces.FaceApiDetector.load();
}
