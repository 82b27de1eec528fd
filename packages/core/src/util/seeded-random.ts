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

  /** A copy that draws the same numbers as this one from here on (common random numbers). */
  copy(): SeededRandom {
    const twin = new SeededRandom(this.seed);
    twin.counter = this.counter;
    return twin;
  }

  /** A fresh 32-bit seed for the next stream. */
  nextSeed(): number {
    this.counter++;
    return mix32(mix32(this.seed >>> 0) ^ mix32(this.counter));
  }

  /** Standard normal samples. */
  normal<R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Tensor<R> {
    return tf.randomNormal(shape, 0, 1, 'float32', this.nextSeed());
  }

  /**
   * Standard normal samples as a float64 array, for work done in plain JavaScript: a splitmix32
   * stream from {@link nextSeed} (53-bit uniforms) through the Box-Muller transform.
   */
  normalArray(count: number): Float64Array {
    let state = this.nextSeed();
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
    const out = new Float64Array(count);
    for (let i = 0; i < count; i += 2) {
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const phi = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(phi);
      if (i + 1 < count) out[i + 1] = r * Math.sin(phi);
    }
    return out;
  }

  /** Uniform samples in [lo, hi). */
  uniform<R extends tf.Rank>(shape: tf.ShapeMap[R], lo: number, hi: number): tf.Tensor<R> {
    return tf.randomUniform(shape, lo, hi, 'float32', this.nextSeed());
  }
}
