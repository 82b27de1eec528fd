import { SeededRandom, type GaussianFaceModelData } from '@difbfsr/core';

/** A seeded synthetic model: 8x8 faces, rank 20, orthonormal eigenvectors by Gram-Schmidt. */
export function syntheticGaussianModel(): GaussianFaceModelData {
  const res = 8;
  const dim = res * res * 3;
  const rank = 20;
  const rng = new SeededRandom(11);
  const raw = rng.normalArray(rank * dim);
  const vecs = new Float64Array(rank * dim);
  for (let i = 0; i < rank; i++) {
    const v = raw.slice(i * dim, (i + 1) * dim);
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let p = 0; p < dim; p++) d += v[p] * vecs[j * dim + p];
      for (let p = 0; p < dim; p++) v[p] -= d * vecs[j * dim + p];
    }
    const norm = Math.hypot(...v);
    for (let p = 0; p < dim; p++) vecs[i * dim + p] = v[p] / norm;
  }
  const eigenvalues = Float64Array.from({ length: rank }, (_, i) => 3 * Math.exp(-i / 5) + 0.02);
  const mean = Float32Array.from(rng.normalArray(dim), (v) => 0.2 * v);
  // Round the eigenvectors to float32 first, so the dense reference sees exactly the model's numbers.
  return { resolution: res, mean, eigenvalues, eigenvectors: Float32Array.from(vecs), remainder: 0.01 };
}

