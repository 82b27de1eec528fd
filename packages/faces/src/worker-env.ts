import { DifbfsrError } from '@difbfsr/core';
import { faceApi, type FaceApiEnvironment } from './face-api-module.js';

/** A class no value is an instance of: a Web Worker has no image or video elements. */
class NoElement {}

function noElement(): never {
  throw new DifbfsrError('INVALID_INPUT', 'face-api asked for a DOM element, which a Web Worker does not have; pass tensors');
}

/** face-api's platform made of a Web Worker's own classes: `OffscreenCanvas` for canvases, no elements, no files. */
function workerEnvironment(): FaceApiEnvironment {
  return {
    Canvas: OffscreenCanvas,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
    Image: NoElement,
    ImageData,
    Video: NoElement,
    createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: noElement,
    createVideoElement: noElement,
    fetch: (input, init) => fetch(input, init),
    readFile: () => Promise.reject(new DifbfsrError('INVALID_INPUT', 'A Web Worker has no file system; pass a URL')),
  };
}

/**
 * Give face-api a platform where it found none. face-api looks for a DOM (`window`,
 * `HTMLCanvasElement`, ...) or Node when it is imported; in a Web Worker it finds neither, and every
 * detection then throws "getEnv - environment is not defined". The detector hands it tensors, never
 * elements, so the worker's own classes (`OffscreenCanvas`, `ImageData`) are enough: they only serve
 * face-api's `instanceof` checks. Does nothing on a page, in Node, or where there is no
 * `OffscreenCanvas`.
 */
export function provideWorkerEnvironment(): void {
  const { env } = faceApi;
  if (env.isBrowser() || env.isNodejs() || typeof OffscreenCanvas === 'undefined') return;
  env.setEnv(workerEnvironment());
}
