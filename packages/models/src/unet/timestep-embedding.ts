import * as tf from '@tensorflow/tfjs-core';

const f32 = Math.fround;

/**
 * guided-diffusion's sinusoidal `timestep_embedding(t, dim, max_period=10000)`, as `[B, dim]`:
 * `freqs_i = exp(-ln(max_period) * i / half)` (denominator `half`, not `half - 1`), then
 * `[cos(t * freqs), sin(t * freqs)]` (COS FIRST), zero-padded when `dim` is odd. Every step is
 * rounded to float32 in PyTorch's order so the result matches its float32 computation.
 */
export function timestepEmbedding(t: readonly number[], dim: number, maxPeriod = 10000): tf.Tensor2D {
  const half = Math.floor(dim / 2);
  const negLog = f32(-Math.log(maxPeriod));
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = f32(Math.exp(f32(f32(negLog * i) / half)));
  const out = new Float32Array(t.length * dim);
  t.forEach((ti, b) => {
    const tf32 = f32(ti);
    for (let i = 0; i < half; i++) {
      const arg = f32(tf32 * freqs[i]);
      out[b * dim + i] = Math.cos(arg);
      out[b * dim + half + i] = Math.sin(arg);
    }
  });
  return tf.tensor2d(out, [t.length, dim]);
}
