import type * as tf from '@tensorflow/tfjs-core';
import * as faceApiExports from '#face-api';

/** A face-api box or rectangle (pixels of the image the network saw). */
export interface FaceApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of face-api's networks used here (declared locally: its own declarations bundle a second copy of tfjs' types). */
export interface FaceApiNet {
  loadFromWeightMap(weights: tf.NamedTensorMap): void;
  dispose(throwOnRedispose?: boolean): void;
}

/** SSD MobileNet v1 or the tiny face detector. */
export interface FaceApiDetectorNet extends FaceApiNet {
  locateFaces(input: tf.Tensor3D, options: unknown): Promise<{ score: number; box: FaceApiBox }[]>;
}

/** The 68-point landmark network: positions in the pixels of the crop it was given. */
export interface FaceApiLandmarkNet extends FaceApiNet {
  detectLandmarks(input: tf.Tensor3D): Promise<{ positions: { x: number; y: number }[] }>;
}

/** A class of face-api's platform: only its `instanceof` checks use them. */
type PlatformClass = new (...args: never[]) => object;

/** face-api's platform (`env.setEnv`): its classes and factories for DOM objects, `fetch`, and file reads. */
export interface FaceApiEnvironment {
  Canvas: PlatformClass;
  CanvasRenderingContext2D: PlatformClass;
  Image: PlatformClass;
  ImageData: PlatformClass;
  Video: PlatformClass;
  createCanvasElement(): object;
  createImageElement(): object;
  createVideoElement(): object;
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  readFile(path: string): Promise<unknown>;
}

/** face-api's `env`: which platform it found when it was imported (a DOM or Node), and how to give it one. */
export interface FaceApiEnv {
  isBrowser(): boolean;
  isNodejs(): boolean;
  setEnv(environment: FaceApiEnvironment): void;
}

/** The parts of `@vladmandic/face-api` this package uses. */
export interface FaceApi {
  env: FaceApiEnv;
  SsdMobilenetv1: new () => FaceApiDetectorNet;
  SsdMobilenetv1Options: new (options: { minConfidence?: number; maxResults?: number }) => unknown;
  TinyFaceDetector: new () => FaceApiDetectorNet;
  TinyFaceDetectorOptions: new (options: { inputSize?: number; scoreThreshold?: number }) => unknown;
  FaceLandmark68Net: new () => FaceApiLandmarkNet;
}

/**
 * face-api, through this package's `#face-api` import map: its Node build (which requires
 * `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm`, the same tfjs-core as ours) in Node, its
 * unbundled ES module build in browsers. Both run on whatever tfjs backend is active.
 */
export const faceApi = faceApiExports as unknown as FaceApi;
