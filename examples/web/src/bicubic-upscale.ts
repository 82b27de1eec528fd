import * as tf from '@tensorflow/tfjs-core';
import { resizeBicubic, type RawImage } from '@difbfsr/core';

/** Bicubic upscaling of an RGBA image to `size` x `size`: the "before" of the comparison. */
export function bicubicUpscale(image: RawImage, size: number): RawImage {
  const upscaled = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 4]);
    return tf.clipByValue(tf.round(resizeBicubic(x, size, size)), 0, 255);
  });
  const data = Uint8ClampedArray.from(upscaled.dataSync());
  upscaled.dispose();
  return { data, width: size, height: size, channels: 4 };
}
