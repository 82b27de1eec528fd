import type { BlockPlan } from '@difbfsr/models';
import { concatParts, groupAligned, type ChannelPart, type ChannelParts } from './channel-parts.js';
import { convWith, type LayerContext } from './layers.js';
import { DifbfsrError } from '@difbfsr/core';

/**
 * A decoder block's input `concat(h, skip)`: at the model's native size (`full`), where the
 * activations are largest, kept as the two parts when GroupNorm's groups do not straddle them, so
 * that the block's first ResBlock never materialises the concatenation; else concatenated. (At
 * lower resolutions the activations are small and the split would only add nodes and weight slices.)
 */
export function decoderInput(ctx: LayerContext, h: ChannelPart, skip: ChannelPart, full: boolean): string | ChannelParts {
  const parts = [h, skip];
  return full && groupAligned(parts) ? parts : concatParts(ctx, parts);
}

/** Whether a block doubles the resolution (an `Upsample` or an `up` ResBlock). */
export function upsamples(p: BlockPlan): boolean {
  return p.layers.some((l) => l.kind === 'upsample' || (l.kind === 'res' && l.resample === 'up'));
}

/**
 * `input_blocks.0` (one 3x3 convolution of the image) computed again as the last output block's
 * skip, rather than held from the first layer to the last: at the full resolution it has
 * `model_channels` channels where the image has 3 (32 MiB at 256 px with 128), and this recompute
 * costs a small fraction of the forward. The bias is added by a node of its own, so that
 * onnxruntime's common-subexpression elimination does not merge it back into the first one.
 */
export function stemAgain(ctx: LayerContext, stem: BlockPlan, image: string): ChannelPart {
  const { g, w } = ctx;
  const [p] = stem.layers;
  if (p.kind !== 'conv') throw new DifbfsrError('INTERNAL', `internal: ${stem.name} is not a convolution`);
  return g.scope(stem.name, () => {
    const bias = g.op('Unsqueeze', [w.get(`${p.name}.bias`), g.int64([1, 2])]);
    return { value: g.op('Add', [convWith(ctx, image, w.get(`${p.name}.weight`), undefined, 3), bias]), channels: p.outChannels };
  });
}
