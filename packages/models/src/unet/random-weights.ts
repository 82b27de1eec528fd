import type { TorchTensorReader } from './weights.js';

/** mulberry32: a small, fast, seeded 32-bit generator returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let z = Math.imul(a ^ (a >>> 15), 1 | a);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A {@link TorchTensorReader} that invents PyTorch-like initial weights from `seed` (for benchmarks
 * and tests): weights uniform in ±1/sqrt(fan_in) (PyTorch's default bound), GroupNorm scales
 * in [0.5, 1.5), biases in ±0.1. The same seed and call order give the same numbers.
 */
export function randomTorchReader(seed: number): TorchTensorReader {
  const next = mulberry32(seed);
  return (name, shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    let lo: number;
    let hi: number;
    if (shape.length > 1) {
      const bound = 1 / Math.sqrt(size / shape[0]);
      [lo, hi] = [-bound, bound];
    } else if (name.endsWith('.weight')) {
      [lo, hi] = [0.5, 1.5];
    } else {
      [lo, hi] = [-0.1, 0.1];
    }
    for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * next();
    return data;
  };
}
