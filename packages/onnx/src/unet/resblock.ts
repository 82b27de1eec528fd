import type { ResBlockPlan } from '@difbfsr/models';
import { avgPool2x, conv, groupNorm, silu, upsampleNearest2x, type LayerContext } from './layers.js';

/**
 * guided-diffusion `ResBlock.forward` on NCHW `x`, given `embSilu = SiLU(emb)` `[B, E]` (the
 * `emb_layers.0` activation, shared by every block). Up/down blocks resample between the first
 * activation and the first convolution, and resample the skip path too.
 */
export function resBlock(ctx: LayerContext, p: ResBlockPlan, x: string, embSilu: string): string {
  const { g } = ctx;
  const n = p.name;
  const co = p.outChannels;
  let h = silu(ctx, groupNorm(ctx, `${n}.in_layers.0`, x, p.inChannels));
  let skipIn = x;
  if (p.resample) {
    const resample = p.resample === 'up' ? upsampleNearest2x : avgPool2x;
    h = resample(ctx, h);
    skipIn = resample(ctx, x);
  }
  h = conv(ctx, `${n}.in_layers.2`, h, 3);
  const e = g.op('Unsqueeze', [linearEmb(ctx, n, embSilu), g.int64([2, 3])]);
  if (p.scaleShift) {
    const [scale, shift] = g.node('Split', [e, g.int64([co, co])], { axis: { int: 1 } }, 2);
    h = silu(ctx, groupNorm(ctx, `${n}.out_layers.0`, h, co, { scale, shift }));
  } else {
    h = silu(ctx, groupNorm(ctx, `${n}.out_layers.0`, g.op('Add', [h, e]), co));
  }
  h = conv(ctx, `${n}.out_layers.3`, h, 3);
  const skip = p.inChannels === co ? skipIn : conv(ctx, `${n}.skip_connection`, skipIn, 1);
  return g.op('Add', [skip, h]);
}

function linearEmb(ctx: LayerContext, n: string, embSilu: string): string {
  const { g, w } = ctx;
  return g.op('Gemm', [embSilu, w.get(`${n}.emb_layers.1.weight`), w.get(`${n}.emb_layers.1.bias`)], { transB: { int: 1 } });
}
