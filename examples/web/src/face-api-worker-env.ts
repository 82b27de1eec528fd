import { env } from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';

/** A class no value is an instance of: the worker has no image or video elements. */
class NoElement {}

function noElement(): never {
  throw new Error('face-api asked for a DOM element, which a Web Worker does not have');
}

/**
 * face-api looks for a DOM (`window`, `HTMLCanvasElement`, ...) or Node when it is imported; in a
 * Web Worker it finds neither, and every detection then throws "getEnv - environment is not
 * defined". `@difbfsr/faces` hands it tensors, never elements, so an environment of the worker's
 * own classes is enough: they only serve face-api's `instanceof` checks. Call before detecting.
 * (This is the same face-api module `@difbfsr/faces` imports: one copy in the bundle.)
 */
export function provideFaceApiWorkerEnv(): void {
  if (env.isBrowser() || env.isNodejs()) return;
  const workerEnv = {
    Canvas: OffscreenCanvas,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
    Image: NoElement,
    ImageData,
    Video: NoElement,
    createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: noElement,
    createVideoElement: noElement,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    readFile: () => Promise.reject(new Error('A Web Worker has no file system')),
  };
  env.setEnv(workerEnv as unknown as Parameters<typeof env.setEnv>[0]);
}
