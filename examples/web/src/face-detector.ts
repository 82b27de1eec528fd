import type { FaceDetector } from '@difbfsr/core';

const detectors = new Map<string, Promise<FaceDetector>>();

async function load(modelUrl: string): Promise<FaceDetector> {
  const { FaceApiDetector } = await import('@difbfsr/faces');
  return FaceApiDetector.load({ modelUrl });
}

/**
 * face-api's detector from `@difbfsr/faces`, imported and loaded on first use (the aligned-face mode
 * never pays for it) with its weights fetched from `modelUrl`; then reused.
 */
export function loadFaceDetector(modelUrl: string): Promise<FaceDetector> {
  let detector = detectors.get(modelUrl);
  if (!detector) {
    detector = load(modelUrl);
    detector.catch(() => detectors.delete(modelUrl));
    detectors.set(modelUrl, detector);
  }
  return detector;
}
