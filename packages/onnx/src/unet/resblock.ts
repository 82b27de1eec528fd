import type { ResBlockPlan } from '@difbfsr/models';
import { concatParts, convParts, groupNormParts, mapParts, skipConvParts, type ChannelParts } from './channel-parts.js';
import { avgPool2x, conv, groupNorm, silu, upsampleNearest2x, type LayerContext } from './layers.js';

/**
 * guided-diffusion `ResBlock.forward` on NCHW `x`, given `embSilu = SiLU(emb)` `[B, E]` (the
 * `emb_layers.0` activation, shared by every block). Up/down blocks resample between the first
 * activation and the first convolution, and resample the skip path too. `x` may come as channel
 * parts (a decoder block's `h` and skip): the layers before the first convolution and the
 * skip-connection apply part by part, so their concatenation is never materialised.
 */
export function resBlock(ctx: LayerContext, p: ResBlockPlan, x: ChannelParts, embSilu: string): string {
  const { g } = ctx;
  const n = p.name;
  const co = p.outChannels;
  let h = mapParts(groupNormParts(ctx, `${n}.in_layers.0`, x), (v) => silu(ctx, v));
  let skipIn = x;
  if (p.resample) {
    const resample = p.resample === 'up' ? upsampleNearest2x : avgPool2x;
    h = mapParts(h, (v) => resample(ctx, v));
    skipIn = mapParts(x, (v) => resample(ctx, v));
  }
  let out = convParts(ctx, `${n}.in_layers.2`, h, 3, co);
  const e = g.op('Unsqueeze', [linearEmb(ctx, n, embSilu), g.int64([2, 3])]);
  if (p.scaleShift) {
    const [scale, shift] = g.node('Split', [e, g.int64([co, co])], { axis: { int: 1 } }, 2);
    out = silu(ctx, groupNorm(ctx, `${n}.out_layers.0`, out, co, { scale, shift }));
  } else {
    out = silu(ctx, groupNorm(ctx, `${n}.out_layers.0`, g.op('Add', [out, e]), co));
  }
  out = conv(ctx, `${n}.out_layers.3`, out, 3);
  const skip = p.inChannels === co ? concatParts(ctx, skipIn) : skipConvParts(ctx, `${n}.skip_connection`, skipIn, co);
  return g.op('Add', [skip, out]);
}

function linearEmb(ctx: LayerContext, n: string, embSilu: string): string {
  const { g, w } = ctx;
  return g.op('Gemm', [embSilu, w.get(`${n}.emb_layers.1.weight`), w.get(`${n}.emb_layers.1.bias`)], { transB: { int: 1 } });
}
