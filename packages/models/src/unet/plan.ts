import { DifbfsrError } from '@difbfsr/core';
import { resolveUNetConfig, type ResolvedUNetConfig, type UNetConfig } from './config.js';

/** 3x3 stride-1 convolution (`input_blocks.0.0`). */
export interface ConvPlan {
  kind: 'conv';
  name: string;
  inChannels: number;
  outChannels: number;
}

/** guided-diffusion `ResBlock`, optionally resampling (`up`/`down`) between its first activation and conv. */
export interface ResBlockPlan {
  kind: 'res';
  name: string;
  inChannels: number;
  outChannels: number;
  embedChannels: number;
  scaleShift: boolean;
  resample?: 'up' | 'down';
}

/** guided-diffusion `AttentionBlock`. */
export interface AttentionPlan {
  kind: 'attention';
  name: string;
  channels: number;
  heads: number;
  /** `legacy`: per-head interleaved q,k,v (`QKVAttentionLegacy`); `new`: [Q | K | V] (`QKVAttention`). */
  order: 'legacy' | 'new';
}

/** `Downsample(use_conv=True)`: 3x3 stride-2 convolution padded 1 on every side (key `.op`). */
export interface DownsamplePlan {
  kind: 'downsample';
  name: string;
  channels: number;
}

/** `Upsample(use_conv=True)`: nearest x2 then a 3x3 convolution (key `.conv`). */
export interface UpsamplePlan {
  kind: 'upsample';
  name: string;
  channels: number;
}

/** One layer of a block, in forward order. */
export type LayerPlan = ConvPlan | ResBlockPlan | AttentionPlan | DownsamplePlan | UpsamplePlan;

/** One `TimestepEmbedSequential`: its state-dict prefix and its layers. */
export interface BlockPlan {
  /** `input_blocks.<i>`, `middle_block` or `output_blocks.<i>`. */
  name: string;
  layers: LayerPlan[];
}

/** The whole network as data: what {@link unetTensorList}, the weight loader and the forward walk. */
export interface UNetPlan {
  config: ResolvedUNetConfig;
  inputBlocks: BlockPlan[];
  middleBlock: BlockPlan;
  outputBlocks: BlockPlan[];
  /** Channels entering the final `out` GroupNorm + conv. */
  outInChannels: number;
  /** Spatial size must be a multiple of this (2 ^ number of downsamplings). */
  sizeMultiple: number;
}

function heads(cfg: ResolvedUNetConfig, channels: number, decoder: boolean): number {
  if (cfg.numHeadChannels === -1) {
    const n = decoder ? cfg.numHeadsUpsample : cfg.numHeads;
    if (channels % n !== 0) {
      throw new DifbfsrError('INVALID_OPTION', `UNetConfig: ${channels} channels do not split into ${n} heads`);
    }
    return n;
  }
  if (channels % cfg.numHeadChannels !== 0) {
    throw new DifbfsrError(
      'INVALID_OPTION',
      `UNetConfig: ${channels} channels do not split into heads of ${cfg.numHeadChannels}`,
    );
  }
  return channels / cfg.numHeadChannels;
}

/** Build the layer plan of guided-diffusion's `UNetModel.__init__` for a configuration. */
export function planUNet(config: UNetConfig): UNetPlan {
  const cfg = resolveUNetConfig(config);
  const mc = cfg.modelChannels;
  const order = cfg.newAttentionOrder ? 'new' : 'legacy';
  const res = (name: string, inChannels: number, outChannels: number, resample?: 'up' | 'down'): ResBlockPlan => ({
    kind: 'res',
    name,
    inChannels,
    outChannels,
    embedChannels: cfg.embedChannels,
    scaleShift: cfg.scaleShift,
    ...(resample ? { resample } : {}),
  });
  const attention = (name: string, channels: number, decoder: boolean): AttentionPlan => ({
    kind: 'attention',
    name,
    channels,
    heads: heads(cfg, channels, decoder),
    order,
  });

  let ch = cfg.channelMult[0] * mc;
  const inputBlocks: BlockPlan[] = [
    { name: 'input_blocks.0', layers: [{ kind: 'conv', name: 'input_blocks.0.0', inChannels: 3, outChannels: ch }] },
  ];
  const skipChannels = [ch];
  let ds = 1;
  const levels = cfg.channelMult.length;
  for (let level = 0; level < levels; level++) {
    for (let i = 0; i < cfg.numResBlocks[level]; i++) {
      const name = `input_blocks.${inputBlocks.length}`;
      const out = cfg.channelMult[level] * mc;
      const layers: LayerPlan[] = [res(`${name}.0`, ch, out)];
      ch = out;
      if (cfg.attentionDs.has(ds)) layers.push(attention(`${name}.1`, ch, false));
      inputBlocks.push({ name, layers });
      skipChannels.push(ch);
    }
    if (level !== levels - 1) {
      const name = `input_blocks.${inputBlocks.length}`;
      const layer: LayerPlan = cfg.resblockUpdown
        ? res(`${name}.0`, ch, ch, 'down')
        : { kind: 'downsample', name: `${name}.0`, channels: ch };
      inputBlocks.push({ name, layers: [layer] });
      skipChannels.push(ch);
      ds *= 2;
    }
  }

  const middleBlock: BlockPlan = {
    name: 'middle_block',
    layers: [res('middle_block.0', ch, ch), attention('middle_block.1', ch, false), res('middle_block.2', ch, ch)],
  };

  const outputBlocks: BlockPlan[] = [];
  for (let level = levels - 1; level >= 0; level--) {
    for (let i = 0; i <= cfg.numResBlocks[level]; i++) {
      const name = `output_blocks.${outputBlocks.length}`;
      const skip = skipChannels.pop()!;
      const out = cfg.channelMult[level] * mc;
      const layers: LayerPlan[] = [res(`${name}.0`, ch + skip, out)];
      ch = out;
      if (cfg.attentionDs.has(ds)) layers.push(attention(`${name}.1`, ch, true));
      if (level > 0 && i === cfg.numResBlocks[level]) {
        const layerName = `${name}.${layers.length}`;
        layers.push(
          cfg.resblockUpdown ? res(layerName, ch, ch, 'up') : { kind: 'upsample', name: layerName, channels: ch },
        );
        ds /= 2;
      }
      outputBlocks.push({ name, layers });
    }
  }

  return {
    config: cfg,
    inputBlocks,
    middleBlock,
    outputBlocks,
    outInChannels: ch,
    sizeMultiple: 2 ** (levels - 1),
  };
}
