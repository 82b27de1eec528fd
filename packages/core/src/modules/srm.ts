import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import { pixelShuffle } from '../kernels/pixel-shuffle.js';
import { resizeBicubic } from '../image/resize.js';
import type { SeededRandom } from '../util/seeded-random.js';
import { applyConv, createConvLayer, layerVariables, leakyRelu, type ConvLayer } from './conv-layer.js';

/** Options of the super-resolution module. */
export interface SrmOptions {
  /** Upscaling factor, a power of two (2, 4, 8, ...). */
  scale: number;
  /** Feature width (default 64). */
  features?: number;
  /** Number of residual conv layers (default 5). */
  residualLayers?: number;
  /**
   * `'bicubic'` (default): `S(y) = clamp(bicubic_up(y) + net(y))` with a zero-initialised last conv,
   * so the module starts as bicubic interpolation. `'dip'`: deep-image-prior start, `tanh(net(y))`
   * with a random last layer.
   */
  start?: 'bicubic' | 'dip';
}

/**
 * The SRM `S(y; phi)` (paper sec. 3.1): an SRResNet-style network, conv3x3 + LeakyReLU, residual
 * conv layers with skips, sub-pixel x2 upsampling per octave, conv3x3 to RGB. Its output is
 * bounded to [-1, 1]. Randomly initialised from the run's seed and optimised per image.
 */
export class SuperResolutionModule {
  readonly scale: number;
  readonly start: 'bicubic' | 'dip';
  private readonly head: ConvLayer;
  private readonly body: ConvLayer[];
  private readonly ups: ConvLayer[];
  private readonly tail: ConvLayer;

  constructor(rng: SeededRandom, options: SrmOptions) {
    const { scale, features = 64, residualLayers = 5, start = 'bicubic' } = options;
    if (!Number.isInteger(Math.log2(scale)) || scale < 2) {
      throw new DifbfsrError('INVALID_OPTION', `SRM scale must be a power of two >= 2, got ${scale}`);
    }
    this.scale = scale;
    this.start = start;
    this.head = createConvLayer(rng, 3, 3, features);
    this.body = Array.from({ length: residualLayers }, () => createConvLayer(rng, 3, features, features));
    this.ups = Array.from({ length: Math.log2(scale) }, () => createConvLayer(rng, 3, features, 4 * features));
    this.tail = createConvLayer(rng, 3, features, 3, start === 'bicubic');
  }

  /** Trainable variables `phi`. */
  get variables(): tf.Variable[] {
    return layerVariables([this.head, ...this.body, ...this.ups, this.tail]);
  }

  /** `S(y)`: `[B, h, w, 3]` in [-1, 1] to `[B, s h, s w, 3]` in [-1, 1]. */
  apply(y: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = leakyRelu(applyConv(this.head, y)) as tf.Tensor4D;
      for (const layer of this.body) h = tf.add(h, leakyRelu(applyConv(layer, h))) as tf.Tensor4D;
      for (const layer of this.ups) h = leakyRelu(pixelShuffle(applyConv(layer, h), 2)) as tf.Tensor4D;
      const out = applyConv(this.tail, h);
      if (this.start === 'dip') return tf.tanh(out) as tf.Tensor4D;
      const [, hh, ww] = y.shape;
      const base = resizeBicubic(y, hh * this.scale, ww * this.scale);
      return tf.clipByValue(tf.add(base, out), -1, 1) as tf.Tensor4D;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
