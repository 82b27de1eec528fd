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

/** Builders of the two layer kinds whose fields come from the configuration. */
interface LayerMaker {
  res(name: string, inChannels: number, outChannels: number, resample?: 'up' | 'down'): ResBlockPlan;
  attention(name: string, channels: number, decoder: boolean): AttentionPlan;
}

function layerMaker(cfg: ResolvedUNetConfig): LayerMaker {
  const order = cfg.newAttentionOrder ? 'new' : 'legacy';
  return {
    res: (name, inChannels, outChannels, resample) => ({
      kind: 'res',
      name,
      inChannels,
      outChannels,
      embedChannels: cfg.embedChannels,
      scaleShift: cfg.scaleShift,
      ...(resample ? { resample } : {}),
    }),
    attention: (name, channels, decoder) => ({ kind: 'attention', name, channels, heads: heads(cfg, channels, decoder), order }),
  };
}

/** The encoder's blocks, the channels each hands to the decoder's skip connections, and where it ends. */
interface EncoderPlan {
  blocks: BlockPlan[];
  skipChannels: number[];
  /** Channels and downsampling factor at the bottom. */
  channels: number;
  ds: number;
}

/** `input_blocks`: the stem conv, then per level its ResBlocks (with attention at `attentionDs`) and a downsampling. */
function planEncoder(cfg: ResolvedUNetConfig, make: LayerMaker): EncoderPlan {
  const mc = cfg.modelChannels;
  let ch = cfg.channelMult[0] * mc;
  const blocks: BlockPlan[] = [{ name: 'input_blocks.0', layers: [{ kind: 'conv', name: 'input_blocks.0.0', inChannels: 3, outChannels: ch }] }];
  const skipChannels = [ch];
  let ds = 1;
  const levels = cfg.channelMult.length;
  for (let level = 0; level < levels; level++) {
    for (let i = 0; i < cfg.numResBlocks[level]; i++) {
      const name = `input_blocks.${blocks.length}`;
      const out = cfg.channelMult[level] * mc;
      const layers: LayerPlan[] = [make.res(`${name}.0`, ch, out)];
      ch = out;
      if (cfg.attentionDs.has(ds)) layers.push(make.attention(`${name}.1`, ch, false));
      blocks.push({ name, layers });
      skipChannels.push(ch);
    }
    if (level !== levels - 1) {
      const name = `input_blocks.${blocks.length}`;
      const layer: LayerPlan = cfg.resblockUpdown ? make.res(`${name}.0`, ch, ch, 'down') : { kind: 'downsample', name: `${name}.0`, channels: ch };
      blocks.push({ name, layers: [layer] });
      skipChannels.push(ch);
      ds *= 2;
    }
  }
  return { blocks, skipChannels, channels: ch, ds };
}

/** `output_blocks`: per level from the bottom, one more ResBlock than the encoder (each eating a skip), then an upsampling. */
function planDecoder(cfg: ResolvedUNetConfig, make: LayerMaker, encoder: EncoderPlan): { blocks: BlockPlan[]; channels: number } {
  const skipChannels = [...encoder.skipChannels];
  let { channels: ch, ds } = encoder;
  const blocks: BlockPlan[] = [];
  for (let level = cfg.channelMult.length - 1; level >= 0; level--) {
    for (let i = 0; i <= cfg.numResBlocks[level]; i++) {
      const name = `output_blocks.${blocks.length}`;
      const skip = skipChannels.pop()!;
      const out = cfg.channelMult[level] * cfg.modelChannels;
      const layers: LayerPlan[] = [make.res(`${name}.0`, ch + skip, out)];
      ch = out;
      if (cfg.attentionDs.has(ds)) layers.push(make.attention(`${name}.1`, ch, true));
      if (level > 0 && i === cfg.numResBlocks[level]) {
        const layerName = `${name}.${layers.length}`;
        layers.push(cfg.resblockUpdown ? make.res(layerName, ch, ch, 'up') : { kind: 'upsample', name: layerName, channels: ch });
        ds /= 2;
      }
      blocks.push({ name, layers });
    }
  }
  return { blocks, channels: ch };
}

/** Build the layer plan of guided-diffusion's `UNetModel.__init__` for a configuration. */
export function planUNet(config: UNetConfig): UNetPlan {
  const cfg = resolveUNetConfig(config);
  const make = layerMaker(cfg);
  const encoder = planEncoder(cfg, make);
  const ch = encoder.channels;
  const middleBlock: BlockPlan = {
    name: 'middle_block',
    layers: [make.res('middle_block.0', ch, ch), make.attention('middle_block.1', ch, false), make.res('middle_block.2', ch, ch)],
  };
  const decoder = planDecoder(cfg, make, encoder);
  return {
    config: cfg,
    inputBlocks: encoder.blocks,
    middleBlock,
    outputBlocks: decoder.blocks,
    outInChannels: decoder.channels,
    sizeMultiple: 2 ** (cfg.channelMult.length - 1),
  };
}
