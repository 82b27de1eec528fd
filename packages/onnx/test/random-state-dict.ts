import { unetTensorList, type UNetConfig } from '@difbfsr/models';

/**
 * Seeded PyTorch-like weights for every tensor `config` needs (weights uniform in
 * ±1/sqrt(fan_in), GroupNorm scales in [0.5, 1.5), biases in ±0.1), as float32 arrays by name.
 */
export function randomUNetTensors(config: UNetConfig, seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let z = Math.imul(a ^ (a >>> 15), 1 | a);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of unetTensorList(config)) {
    const size = shape.reduce((x, y) => x * y, 1);
    const bound = shape.length > 1 ? 1 / Math.sqrt(size / shape[0]) : 0;
    const [lo, hi] = shape.length > 1 ? [-bound, bound] : name.endsWith('.weight') ? [0.5, 1.5] : [-0.1, 0.1];
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * next();
    tensors.set(name, { shape, data });
  }
  return tensors;
}
