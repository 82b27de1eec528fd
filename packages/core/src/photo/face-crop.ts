import * as tf from '@tensorflow/tfjs-core';
import type { RawImage } from '../types/image.js';
import type { FaceCrop } from './photo-options.js';
import type { RestoredCrop } from './photo-run.js';

/** A square RGB tensor (0..255, not disposed) as an 8-bit image, rounded. */
function rawOf(pixels: tf.Tensor3D): RawImage {
  const [height, width] = pixels.shape;
  const data = Uint8Array.from(tf.tidy(() => tf.clipByValue(tf.round(pixels), 0, 255).dataSync()));
  return { data, width, height, channels: 3 };
}

/** What `restorePhoto()` returns of a restored face with `faceCrops`: its aligned crop, the restored face, the uncertainty map. */
export function faceCropOf(crop: tf.Tensor3D, restored: RestoredCrop): FaceCrop {
  return { input: rawOf(crop), restored: rawOf(restored.output), ...(restored.uncertainty ? { uncertainty: restored.uncertainty } : {}) };
}
