import { DifbfsrError, type FaceDetector } from '@difbfsr/core';

/**
 * The part of `@difbfsr/faces` used here (as `restorePhoto()`'s documentation shows it), declared
 * locally so that this package builds without it.
 */
interface FacesPackage {
  FaceApiDetector?: { load(): Promise<FaceDetector> };
}

/**
 * The face detector of `@difbfsr/faces`, imported at run time.
 * @throws DifbfsrError `BACKEND` when the package is missing or has no `FaceApiDetector`.
 */
export async function loadFaceDetector(): Promise<FaceDetector> {
  const specifier = '@difbfsr/faces';
  let faces: FacesPackage;
  try {
    faces = (await import(specifier)) as FacesPackage;
  } catch (err) {
    throw new DifbfsrError(
      'BACKEND',
      `finding faces in photos needs the package @difbfsr/faces (${(err as Error).message}); for inputs that are already aligned face crops use --aligned`,
      { cause: err },
    );
  }
  if (typeof faces.FaceApiDetector?.load !== 'function') {
    throw new DifbfsrError('BACKEND', '@difbfsr/faces has no FaceApiDetector.load(): this CLI needs a newer @difbfsr/faces');
  }
  return faces.FaceApiDetector.load();
}
