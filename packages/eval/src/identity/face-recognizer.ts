import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import { checkRgb, type RgbImage } from '../image.js';
import { loadFaceRecognitionWeights } from './face-recognition-weights.js';

/** Side of the square input of the face recognition network. */
export const FACE_RECOGNITION_INPUT_SIZE = 150;

/** Per-channel RGB mean the network was trained with (dlib's ResNet, as face-api ports it). */
const MEAN_RGB = [122.782, 117.001, 104.298];

const RESIDUAL_BLOCKS: ReadonlyArray<readonly [string, 'same' | 'down']> = [
  ['conv32_1', 'same'], ['conv32_2', 'same'], ['conv32_3', 'same'],
  ['conv64_down', 'down'], ['conv64_1', 'same'], ['conv64_2', 'same'], ['conv64_3', 'same'],
  ['conv128_down', 'down'], ['conv128_1', 'same'], ['conv128_2', 'same'],
  ['conv256_down', 'down'], ['conv256_1', 'same'], ['conv256_2', 'same'], ['conv256_down_out', 'down'],
];

/** Residual blocks whose outputs {@link FaceRecognizer.features} returns (after the stem's). */
export const FEATURE_LAYERS = ['conv32_3', 'conv64_3', 'conv128_2', 'conv256_down_out'] as const;

/**
 * The 128-D face descriptor network of `@vladmandic/face-api` (a port of dlib's ResNet-29 face
 * recogniser), run on this project's tfjs with the weights shipped in face-api's npm package.
 * Images are resized (bilinear) to 150x150, mean-subtracted and scaled by 1/255 as face-api 1.7 does.
 */
export class FaceRecognizer {
  private constructor(private readonly weights: tf.NamedTensorMap) {}

  /**
   * Load the weights (default: from the installed `@vladmandic/face-api` package).
   * @throws DifbfsrError `MISSING_TENSOR` when a layer's weights are missing.
   */
  static load(modelDir?: string): FaceRecognizer {
    const weights = loadFaceRecognitionWeights(modelDir);
    const need = ['conv32_down', ...RESIDUAL_BLOCKS.flatMap(([name]) => [`${name}/conv1`, `${name}/conv2`])]
      .flatMap((p) => [`${p}/conv/filters`, `${p}/conv/bias`, `${p}/scale/weights`, `${p}/scale/biases`])
      .concat('fc');
    const missing = need.filter((n) => !weights[n]);
    if (missing.length > 0) {
      tf.dispose(weights);
      throw new DifbfsrError('MISSING_TENSOR', `face recognition weights lack ${missing.join(', ')}`);
    }
    return new FaceRecognizer(weights);
  }

  /** Convolution + bias, then the per-channel affine "scale" layer; ReLU if asked. */
  private conv(x: tf.Tensor4D, prefix: string, stride: 1 | 2, padding: 'same' | 'valid', relu: boolean): tf.Tensor4D {
    const w = this.weights;
    let y = tf.add(tf.conv2d(x, w[`${prefix}/conv/filters`] as tf.Tensor4D, stride, padding), w[`${prefix}/conv/bias`]);
    y = tf.add(tf.mul(y, w[`${prefix}/scale/weights`]), w[`${prefix}/scale/biases`]);
    return (relu ? tf.relu(y) : y) as tf.Tensor4D;
  }

  /**
   * A residual block: two 3x3 convolutions plus the input. A down block strides the first
   * convolution by 2 ('valid'), and its shortcut is a 2x2 average pool zero-padded to the doubled
   * channels (and the branch zero-padded at the bottom and right when the pooled size is larger).
   */
  private residual(x: tf.Tensor4D, name: string, kind: 'same' | 'down'): tf.Tensor4D {
    const down = kind === 'down';
    let branch = this.conv(this.conv(x, `${name}/conv1`, down ? 2 : 1, down ? 'valid' : 'same', true), `${name}/conv2`, 1, 'same', false);
    let shortcut: tf.Tensor4D = x;
    if (down) {
      shortcut = tf.avgPool(x, 2, 2, 'valid');
      const grow = branch.shape[1] !== shortcut.shape[1] ? 1 : 0;
      if (grow) branch = tf.pad(branch, [[0, 0], [0, grow], [0, grow], [0, 0]]);
      const extra = branch.shape[3] - shortcut.shape[3];
      if (extra > 0) shortcut = tf.pad(shortcut, [[0, 0], [0, 0], [0, 0], [0, extra]]);
    }
    return tf.relu(tf.add(branch, shortcut)) as tf.Tensor4D;
  }

  /** The convolutional trunk on `[n, 150, 150, 3]` (0..255): its output, and the stem's and `taps`' outputs. */
  private trunk(batch: tf.Tensor4D, taps: ReadonlySet<string>): { out: tf.Tensor4D; tapped: tf.Tensor4D[] } {
    const x = tf.div(tf.sub(batch, tf.tensor1d(MEAN_RGB)), 255) as tf.Tensor4D;
    let out = tf.maxPool(this.conv(x, 'conv32_down', 2, 'valid', true), 3, 2, 'valid');
    const tapped = [out];
    for (const [name, kind] of RESIDUAL_BLOCKS) {
      out = this.residual(out, name, kind);
      if (taps.has(name)) tapped.push(out);
    }
    return { out, tapped };
  }

  /** Descriptors `[n, 128]` of a batch of images `[n, 150, 150, 3]` with values 0..255. */
  forward(batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.mean(this.trunk(batch, new Set()).out, [1, 2]) as tf.Tensor2D, this.weights.fc as tf.Tensor2D));
  }

  /**
   * Intermediate activations of a batch `[n, 150, 150, 3]` (0..255), shallow to deep: the stem
   * (after its max pool, 32 channels at 35 px) and the last residual block at each resolution
   * (32, 64, 128 and 256 channels), the layers of {@link FEATURE_LAYERS}. The caller disposes them.
   */
  features(batch: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => this.trunk(batch, new Set(FEATURE_LAYERS)).tapped);
  }

  /**
   * The network's input batch `[n, 150, 150, 3]` from square uint8 RGB face crops (bilinear resize).
   * @throws DifbfsrError `INVALID_SIZE` for a non-square image.
   */
  inputBatch(images: readonly RgbImage[]): tf.Tensor4D {
    images.forEach((img, i) => {
      checkRgb(img, `face ${i}`);
      if (img.width !== img.height) throw new DifbfsrError('INVALID_SIZE', `face ${i} is ${img.width}x${img.height}; the recogniser takes square aligned crops`);
    });
    const size = FACE_RECOGNITION_INPUT_SIZE;
    return tf.tidy(
      () =>
        tf.concat(
          images.map((img) => {
            const t = tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);
            return img.width === size ? t : tf.image.resizeBilinear(t, [size, size]);
          }),
        ) as tf.Tensor4D,
    );
  }

  /**
   * 128-D descriptors of square uint8 RGB face crops (any size; each is resized to 150x150).
   * @throws DifbfsrError `INVALID_SIZE` for a non-square image.
   */
  embed(images: readonly RgbImage[]): Float32Array[] {
    if (images.length === 0) return [];
    const descriptors = tf.tidy(() => this.forward(this.inputBatch(images)));
    const values = descriptors.dataSync() as Float32Array;
    const dim = descriptors.shape[1];
    descriptors.dispose();
    return images.map((_, i) => values.slice(i * dim, (i + 1) * dim));
  }

  /** Free the weights. */
  dispose(): void {
    tf.dispose(this.weights);
  }
}
