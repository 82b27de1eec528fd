import type { LayerContext } from './layers.js';

const f32 = Math.fround;

/**
 * guided-diffusion's `timestep_embedding(t, dim)` in the graph, from float32 timesteps `[B]`:
 * `[cos(t * freqs), sin(t * freqs)]` (cos first), zero-padded when `dim` is odd, with
 * `freqs_i = exp(-ln(10000) * i / half)` rounded to float32 in PyTorch's order.
 */
export function timestepEmbedding({ g }: LayerContext, t: string, dim: number, maxPeriod = 10000): string {
  const half = Math.floor(dim / 2);
  const negLog = f32(-Math.log(maxPeriod));
  const freqs = Float32Array.from({ length: half }, (_, i) => f32(Math.exp(f32(f32(negLog * i) / half))));
  const args = g.op('Mul', [g.op('Unsqueeze', [t, g.int64([1])]), g.float32(freqs, [1, half])]);
  const emb = g.op('Concat', [g.op('Cos', [args]), g.op('Sin', [args])], { axis: { int: 1 } });
  return dim % 2 ? g.op('Pad', [emb, g.int64([0, 0, 0, 1])]) : emb;
}
