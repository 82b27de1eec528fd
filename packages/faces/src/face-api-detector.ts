import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, throwIfAborted, type DetectedFace, type DetectOptions, type FaceDetector, type RgbImage } from '@difbfsr/core';
import { detectionTiles, suppressOverlaps, touchesInnerEdge, type DetectionTile } from './detection-tiles.js';
import { faceApi, type FaceApiDetectorNet, type FaceApiLandmarkNet } from './face-api-module.js';
import { fiveFrom68 } from './five-landmarks.js';
import { installedModelLocation, loadWeightMap, type ModelLocation } from './model-weights.js';
import { provideWorkerEnvironment } from './worker-env.js';

/** Options of {@link FaceApiDetector.load}. */
export interface FaceApiDetectorOptions {
  /**
   * Where face-api's `model/` folder is. Node: default, the installed `@vladmandic/face-api`
   * package. Browsers: required, the URL where that folder is served as static files.
   */
  modelUrl?: ModelLocation;
  /** `'ssd'` (SSD MobileNet v1, default: more accurate) or `'tiny'` (tiny face detector: faster). */
  network?: 'ssd' | 'tiny';
  /** Smallest detection score kept, in (0, 1). Default 0.5. */
  minConfidence?: number;
}

/**
 * Box side (pixels, at the network's input) the tiles bring the smallest wanted face to. SSD MobileNet
 * v1 finds all 32 sampled sharp faces of ../shared/data/faces64/dev at 57 px, 25/32 at 48 px, 17/32
 * at 41 px (`tools/face-template/measure-detection.ts`); upscaled low-resolution faces get blurrier
 * with more magnification, and 48 found as many of them as 56 with half the passes (package README).
 */
const DETECTABLE_FACE = 48;
/** Input side of each detection pass: SSD MobileNet v1 always resizes to 512; the tiny detector is run at 416. */
const INPUT_SIZE = { ssd: 512, tiny: 416 } as const;
/** Boxes of two passes overlapping more than this (IoU) are one face. */
const SAME_FACE_IOU = 0.3;

/** Copy part of an RGB image into a `[h, w, 3]` tensor. */
function regionTensor(image: RgbImage, r: DetectionTile): tf.Tensor3D {
  const out = new Float32Array(r.width * r.height * 3);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * image.width + r.x) * 3;
    out.set(image.data.subarray(from, from + r.width * 3), y * r.width * 3);
  }
  return tf.tensor3d(out, [r.height, r.width, 3]);
}

/** The integer pixel rectangle of a box, clipped to the image. */
function pixelRect(box: { x: number; y: number; width: number; height: number }, image: RgbImage): DetectionTile {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height));
  return { x, y, width: Math.max(1, x1 - x), height: Math.max(1, y1 - y) };
}

/**
 * A {@link FaceDetector} on `@vladmandic/face-api` (MIT): SSD MobileNet v1 or the tiny face detector
 * for boxes, the 68-point landmark net for landmarks, reduced to the five the alignment uses. The
 * weights ship inside the face-api npm package; nothing is downloaded. Small faces are found by
 * running the detector on overlapping tiles (each upscaled to the network's input), merged by
 * non-maximum suppression. Runs on the active tfjs backend (wasm in Node, wasm or webgl in browsers),
 * on a page or in a Web Worker (where face-api, which looks for a DOM, is given the worker's
 * `OffscreenCanvas` instead).
 *
 * @example
 * ```ts
 * const detector = await FaceApiDetector.load();             // Node: weights from node_modules
 * const faces = await detector.detect(rgb, { minFaceSize: 12 });
 * detector.dispose();
 * ```
 */
export class FaceApiDetector implements FaceDetector {
  readonly name: string;

  private constructor(
    private readonly network: 'ssd' | 'tiny',
    private readonly detector: FaceApiDetectorNet,
    private readonly landmarks: FaceApiLandmarkNet,
    private readonly minConfidence: number,
  ) {
    this.name = `face-api(${network === 'ssd' ? 'ssd-mobilenet-v1' : 'tiny-face-detector'}, landmark-68)`;
  }

  /**
   * Load the detector and landmark weights.
   * @throws DifbfsrError `INVALID_OPTION` for bad options (or no `modelUrl` in a browser), `IO` when a file cannot be read.
   */
  static async load(options: FaceApiDetectorOptions = {}): Promise<FaceApiDetector> {
    const network = options.network ?? 'ssd';
    if (network !== 'ssd' && network !== 'tiny') throw new DifbfsrError('INVALID_OPTION', `network must be 'ssd' or 'tiny', got ${String(network)}`);
    const minConfidence = options.minConfidence ?? 0.5;
    if (!(minConfidence > 0 && minConfidence < 1)) throw new DifbfsrError('INVALID_OPTION', `minConfidence must be in (0, 1), got ${minConfidence}`);
    const location = options.modelUrl ?? (await installedModelLocation());
    provideWorkerEnvironment();
    const detector = network === 'ssd' ? new faceApi.SsdMobilenetv1() : new faceApi.TinyFaceDetector();
    const landmarks = new faceApi.FaceLandmark68Net();
    const [dw, lw] = await Promise.all([
      loadWeightMap(location, network === 'ssd' ? 'ssd_mobilenetv1_model' : 'tiny_face_detector_model'),
      loadWeightMap(location, 'face_landmark_68_model'),
    ]);
    detector.loadFromWeightMap(dw);
    landmarks.loadFromWeightMap(lw);
    return new FaceApiDetector(network, detector, landmarks, minConfidence);
  }

  /**
   * Every face of at least `minFaceSize` pixels (default 48: one whole-image pass for photos up to
   * 512 pixels), best score first, with five landmarks. Leaves no tensors behind.
   */
  async detect(image: RgbImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const { signal, onProgress } = options;
    const minFaceSize = options.minFaceSize ?? DETECTABLE_FACE;
    if (!(minFaceSize > 0)) throw new DifbfsrError('INVALID_OPTION', `minFaceSize must be positive, got ${minFaceSize}`);
    const tiles = detectionTiles(image.width, image.height, minFaceSize, INPUT_SIZE[this.network], DETECTABLE_FACE);
    const found: DetectedFace[] = [];
    for (const [i, tile] of tiles.entries()) {
      throwIfAborted(signal);
      for (const face of await this.detectIn(image, tile)) {
        if (!touchesInnerEdge(face.box, tile, image.width, image.height)) found.push(face);
      }
      onProgress?.({ done: i + 1, total: tiles.length });
    }
    return suppressOverlaps(found, SAME_FACE_IOU);
  }

  /** One pass: boxes in one tile, then landmarks on each box's crop; image coordinates. */
  private async detectIn(image: RgbImage, tile: DetectionTile): Promise<DetectedFace[]> {
    const input = regionTensor(image, tile);
    let boxes;
    try {
      const settings =
        this.network === 'ssd'
          ? new faceApi.SsdMobilenetv1Options({ minConfidence: this.minConfidence, maxResults: 200 })
          : new faceApi.TinyFaceDetectorOptions({ inputSize: INPUT_SIZE.tiny, scoreThreshold: this.minConfidence });
      boxes = await this.detector.locateFaces(input, settings);
    } finally {
      input.dispose();
    }
    const faces: DetectedFace[] = [];
    for (const { score, box } of boxes) {
      const abs = { x: box.x + tile.x, y: box.y + tile.y, width: box.width, height: box.height };
      const r = pixelRect(abs, image);
      const crop = regionTensor(image, r);
      try {
        const { positions } = await this.landmarks.detectLandmarks(crop);
        faces.push({ box: abs, score, landmarks: fiveFrom68(positions.map((p) => ({ x: p.x + r.x, y: p.y + r.y }))) });
      } finally {
        crop.dispose();
      }
    }
    return faces;
  }

  /** Release the networks' weights. */
  dispose(): void {
    this.detector.dispose(false);
    this.landmarks.dispose(false);
  }
}
