import type { BlockPlan, LayerPlan, UNetPlan } from '@difbfsr/models';
import { GraphBuilder, type ValueInfo } from '../graph/builder.js';
import type { ModelSpec } from '../graph/serialize.js';
import { attentionBlock } from './attention.js';
import { concatParts, type ChannelPart, type ChannelParts } from './channel-parts.js';
import { decoderInput, stemAgain, upsamples } from './decoder.js';
import { conv, groupNorm, linear, silu, upsampleNearest2x, type LayerContext } from './layers.js';
import { resBlock } from './resblock.js';
import { timestepEmbedding } from './timestep.js';
import { GraphWeights, type WeightPrecision, type WeightSource } from './weights.js';

/** ONNX opset of the exported graphs (every op used is in the default domain at this opset). */
export const UNET_OPSET = 17;

/** Layout of the graph's image input and outputs: PyTorch's NCHW, or tfjs's NHWC. */
export type ImageLayout = 'nchw' | 'nhwc';

/** How {@link unetModelSpec} shapes the graph. */
export interface UNetGraphOptions {
  /** Layout of `x`, `eps` and `v`. Default `'nchw'`. */
  layout?: ImageLayout;
  /** Storage precision of the weights (the graph computes in float32 either way). Default `'float32'`. */
  precision?: WeightPrecision;
}

/** A layer on `x`, a tensor or (a decoder block's input) channel parts, which only a ResBlock keeps apart. */
function layer(ctx: LayerContext, p: LayerPlan, x: string | ChannelParts, embSilu: string): string {
  if (p.kind === 'res') return resBlock(ctx, p, typeof x === 'string' ? [{ value: x, channels: p.inChannels }] : x, embSilu);
  const whole = typeof x === 'string' ? x : concatParts(ctx, x);
  switch (p.kind) {
    case 'conv':
      return conv(ctx, p.name, whole, 3);
    case 'attention':
      return attentionBlock(ctx, p, whole);
    case 'downsample':
      return conv(ctx, `${p.name}.op`, whole, 3, 2);
    case 'upsample':
      return conv(ctx, `${p.name}.conv`, upsampleNearest2x(ctx, whole), 3);
  }
}

function block(ctx: LayerContext, p: BlockPlan, x: string | ChannelParts, embSilu: string): ChannelPart {
  return ctx.g.scope(p.name, () => {
    const [first, ...rest] = p.layers;
    const value = rest.reduce((h, l) => layer(ctx, l, h, embSilu), layer(ctx, first, x, embSilu));
    return { value, channels: outChannels(p.layers[p.layers.length - 1]) };
  });
}

function outChannels(p: LayerPlan): number {
  return p.kind === 'conv' || p.kind === 'res' ? p.outChannels : p.channels;
}

const NCHW_TO_NHWC = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];

/**
 * The ONNX model of guided-diffusion's `UNetModel.forward(x, t)` for a plan: inputs `x` (float32
 * image, `[batch, 3, height, width]` or NHWC) and `timesteps` (float32 `[batch]`, ORIGINAL 0..999
 * indices); outputs `eps` (channels 0..2) and, for learned-variance models, `v` (channels 3..5),
 * in the same layout as `x`. Height and width are free (multiples of `plan.sizeMultiple`). The
 * weights are the state dict's tensors under their PyTorch names (or slices of them, see
 * `GraphWeights.slice`, where a decoder block works on channel parts), read when serialized.
 */
export function unetModelSpec(plan: UNetPlan, source: WeightSource, options: UNetGraphOptions = {}): ModelSpec {
  const layout = options.layout ?? 'nchw';
  const g = new GraphBuilder();
  const ctx: LayerContext = { g, w: new GraphWeights(g, source, options.precision ?? 'float32') };
  const { modelChannels, outChannels } = plan.config;
  const image = (channels: number): Array<number | string> =>
    layout === 'nchw' ? ['batch', channels, 'height', 'width'] : ['batch', 'height', 'width', channels];

  const emb = g.scope('time_embed', () => linear(ctx, 'time_embed.2', silu(ctx, linear(ctx, 'time_embed.0', timestepEmbedding(ctx, 'timesteps', modelChannels)))));
  const embSilu = silu(ctx, emb);

  const input = layout === 'nchw' ? 'x' : g.op('Transpose', ['x'], { perm: { ints: NHWC_TO_NCHW } });
  let h: ChannelPart = { value: input, channels: 3 };
  const skips: ChannelPart[] = [];
  for (const p of plan.inputBlocks) {
    h = block(ctx, p, h.value, embSilu);
    skips.push(h);
  }
  h = block(ctx, plan.middleBlock, h.value, embSilu);
  let size = plan.config.imageSize / plan.sizeMultiple;
  for (const p of plan.outputBlocks) {
    const skip = skips.length === 1 ? stemAgain(ctx, plan.inputBlocks[0], input) : skips.pop()!;
    h = block(ctx, p, decoderInput(ctx, h, skip, size === plan.config.imageSize), embSilu);
    if (upsamples(p)) size *= 2;
  }
  const out = g.scope('out', () => conv(ctx, 'out.2', silu(ctx, groupNorm(ctx, 'out.0', h.value, plan.outInChannels)), 3));

  const outputs: ValueInfo[] = [{ name: 'eps', shape: image(3) }];
  if (outChannels === 6) outputs.push({ name: 'v', shape: image(3) });
  const parts = outChannels === 6 ? g.node('Split', [out, g.int64([3, 3])], { axis: { int: 1 } }, 2) : [out];
  parts.forEach((part, i) => {
    const name = [outputs[i].name];
    if (layout === 'nchw') g.node('Identity', [part], {}, name);
    else g.node('Transpose', [part], { perm: { ints: NCHW_TO_NHWC } }, name);
  });

  return {
    graph: g,
    name: 'guided_diffusion_unet',
    inputs: [
      { name: 'x', shape: image(3) },
      { name: 'timesteps', shape: ['batch'] },
    ],
    outputs,
    opset: UNET_OPSET,
  };
}
