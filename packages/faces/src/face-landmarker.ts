import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, type Point } from '@difbfsr/core';
import { faceApi, type FaceApiLandmarkNet } from './face-api-module.js';
import { installedModelLocation, loadWeightMap, type ModelLocation } from './model-weights.js';
import { provideWorkerEnvironment } from './worker-env.js';

/** An RGB face crop: `height x width x 3` interleaved values 0..255 (8-bit or float). */
export interface FaceCrop {
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
  readonly width: number;
  readonly height: number;
}

/**
 * face-api's 68-point landmark network (iBUG 300-W layout) on face crops that are already found and
 * framed, such as aligned faces: no detection pass, the whole image is the face box. Weights from
 * face-api's npm package (Node) or `modelUrl` (browsers), as for {@link FaceApiDetector}.
 */
export class FaceApiLandmarker {
  private constructor(private readonly net: FaceApiLandmarkNet) {}

  /** Load the landmark weights (0.36 MB). @throws DifbfsrError `IO` when they cannot be read. */
  static async load(options: { modelUrl?: ModelLocation } = {}): Promise<FaceApiLandmarker> {
    const location = options.modelUrl ?? (await installedModelLocation());
    provideWorkerEnvironment();
    const net = new faceApi.FaceLandmark68Net();
    net.loadFromWeightMap(await loadWeightMap(location, 'face_landmark_68_model'));
    return new FaceApiLandmarker(net);
  }

  /**
   * The 68 landmarks of a face crop, in its pixels. Leaves no tensors behind.
   * @throws DifbfsrError `INVALID_INPUT` when the data does not hold `width x height` RGB values.
   */
  async locate(face: FaceCrop): Promise<Point[]> {
    const { width, height, data } = face;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length !== width * height * 3) {
      throw new DifbfsrError('INVALID_INPUT', `a ${width}x${height} RGB face crop needs ${width * height * 3} values, got ${data.length}`);
    }
    const input = tf.tensor3d(Float32Array.from(data), [height, width, 3]);
    try {
      const { positions } = await this.net.detectLandmarks(input);
      return positions.map((p) => ({ x: p.x, y: p.y }));
    } finally {
      input.dispose();
    }
  }

  /** Release the network's weights. */
  dispose(): void {
    this.net.dispose(false);
  }
}
