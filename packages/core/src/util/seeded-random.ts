import * as tf from '@tensorflow/tfjs-core';

/** 32-bit integer mix (splitmix32 finaliser). */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The one source of randomness of a run. Each draw gets its own stream derived from the run seed
 * and a counter, so the same seed gives the same numbers on a backend, whatever else ran before.
 */
export class SeededRandom {
  private counter = 0;
  constructor(readonly seed: number) {}

  /** A fresh 32-bit seed for the next stream. */
  nextSeed(): number {
    this.counter++;
    return mix32(mix32(this.seed >>> 0) ^ mix32(this.counter));
  }

  /** Standard normal samples. */
  normal<R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Tensor<R> {
    return tf.randomNormal(shape, 0, 1, 'float32', this.nextSeed());
  }

  /** Uniform samples in [lo, hi). */
  uniform<R extends tf.Rank>(shape: tf.ShapeMap[R], lo: number, hi: number): tf.Tensor<R> {
    return tf.randomUniform(shape, lo, hi, 'float32', this.nextSeed());
  }
}
