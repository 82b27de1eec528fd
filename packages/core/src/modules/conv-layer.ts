import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../util/seeded-random.js';

/** A trainable 2-D convolution (NHWC, 'same' padding, stride 1). */
export interface ConvLayer {
  readonly weight: tf.Variable<tf.Rank.R4>;
  readonly bias: tf.Variable<tf.Rank.R1>;
}

/**
 * A conv layer with PyTorch's default initialisation (`U(-1/sqrt(fan_in), 1/sqrt(fan_in))` for
 * weight and bias), or all zeros when `zero` (the residual heads of SRM and CFM).
 */
export function createConvLayer(
  rng: SeededRandom,
  kernel: number,
  inChannels: number,
  outChannels: number,
  zero = false,
): ConvLayer {
  const bound = 1 / Math.sqrt(inChannels * kernel * kernel);
  return tf.tidy(() => ({
    weight: tf.variable<tf.Rank.R4>(
      zero ? tf.zeros([kernel, kernel, inChannels, outChannels]) : rng.uniform<tf.Rank.R4>([kernel, kernel, inChannels, outChannels], -bound, bound),
    ),
    bias: tf.variable<tf.Rank.R1>(zero ? tf.zeros([outChannels]) : rng.uniform<tf.Rank.R1>([outChannels], -bound, bound)),
  }));
}

/** Apply a {@link ConvLayer}. */
export function applyConv(layer: ConvLayer, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, layer.weight, 1, 'same'), layer.bias);
}

/** All variables of a list of layers (for optimisers and disposal). */
export function layerVariables(layers: readonly ConvLayer[]): tf.Variable[] {
  return layers.flatMap((l) => [l.weight, l.bias]);
}

/** LeakyReLU with slope 0.2, the activation of both modules. */
export function leakyRelu(x: tf.Tensor): tf.Tensor {
  return tf.leakyRelu(x, 0.2);
}
