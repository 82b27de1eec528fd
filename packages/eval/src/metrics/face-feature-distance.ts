import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import type { FaceRecognizer } from '../identity/face-recognizer.js';
import type { RgbImage } from '../image.js';

/** LPIPS' guard against a zero feature vector when normalising. */
const EPS = 1e-10;

/** Each position's channel vector scaled to unit length (LPIPS' `normalize_tensor`). */
function unitChannels(f: tf.Tensor4D): tf.Tensor4D {
  return tf.div(f, tf.add(tf.sqrt(tf.sum(tf.square(f), 3, true)), EPS));
}

/**
 * An LPIPS-type perceptual distance of each image to a reference face, on the face recogniser's
 * activations instead of LPIPS' ImageNet backbone: LPIPS eq. 1 (Zhang et al. 2018) with every
 * channel weight 1, the paper's uncalibrated "pretrained features" variant,
 * `d(x, y) = sum_l mean_hw |f_l(x) / |f_l(x)| - f_l(y) / |f_l(y)||^2` over the stem and the last
 * block of each resolution ({@link FEATURE_LAYERS}), channel vectors normalised per position.
 * The backbone is dlib's face ResNet as shipped in face-api's npm package, so its numbers are not
 * comparable with published LPIPS values. Leaves no tensors behind.
 * @throws DifbfsrError `INVALID_SIZE` for non-square crops, `INVALID_INPUT` for no images.
 */
export function faceFeatureDistances(recognizer: FaceRecognizer, reference: RgbImage, images: readonly RgbImage[]): number[] {
  if (images.length === 0) throw new DifbfsrError('INVALID_INPUT', 'face feature distance of no images');
  const distances = tf.tidy(() => {
    const layers = recognizer.features(recognizer.inputBatch([reference, ...images]));
    const perLayer = layers.map((f) => {
      const unit = unitChannels(f);
      const [ref, rest] = tf.split(unit, [1, images.length]);
      return tf.mean(tf.sum(tf.squaredDifference(rest, ref), 3), [1, 2]);
    });
    return tf.addN(perLayer);
  });
  const values = Array.from(distances.dataSync());
  distances.dispose();
  return values;
}
