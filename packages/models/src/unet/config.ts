import { DifbfsrError } from '@difbfsr/core';

/**
 * Architecture of a guided-diffusion `UNetModel`, named after the arguments of guided-diffusion's
 * `script_util.create_model` (and the equivalent fields of DifFace's modified UNet).
 *
 * Omitted optional fields take `create_model`'s defaults.
 */
export interface UNetConfig {
  /** Native square resolution in pixels. */
  image_size: number;
  /** Base channel count (`model_channels`). */
  num_channels: number;
  /** Residual blocks per level: one number for every level, or one per level (DifFace). */
  num_res_blocks: number | readonly number[];
  /**
   * Channel multiplier per level, as a list or a comma string (`"1,1,2,2,4,4"`). `""` or omitted
   * picks guided-diffusion's default for `image_size` (512, 256, 128 and 64 are known).
   */
  channel_mult?: string | readonly number[];
  /** ABSOLUTE resolutions (pixels) that get self-attention, as a list or a comma string (`"32,16,8"`). */
  attention_resolutions: string | readonly number[];
  /** Attention heads when `num_head_channels` is -1. Default 4 (guided-diffusion's `model_and_diffusion_defaults`). */
  num_heads?: number;
  /** Channels per attention head; wins over `num_heads` unless -1. Default -1. */
  num_head_channels?: number;
  /** Heads of the decoder attention blocks when `num_head_channels` is -1; -1 means `num_heads`. */
  num_heads_upsample?: number;
  /** FiLM-style `GN(h) * (1 + scale) + shift` conditioning instead of adding the embedding. */
  use_scale_shift_norm: boolean;
  /** Resample with up/down ResBlocks instead of `Upsample`/`Downsample` convolutions. */
  resblock_updown: boolean;
  /** Six output channels (epsilon and the learned-range variance value) instead of three. */
  learn_sigma: boolean;
  /** `QKVAttention` (q, k, v blocks for all heads) instead of `QKVAttentionLegacy` (per-head interleaved). */
  use_new_attention_order?: boolean;
  /** Class conditioning; only `false` is supported (no face checkpoint is class-conditional). */
  class_cond?: boolean;
  /** Training-time dropout; identity at inference, accepted for fidelity to the published configs. */
  dropout?: number;
  /** Half-precision convolutions in the original; weights are loaded and run in float32 here. */
  use_fp16?: boolean;
}

/** A {@link UNetConfig} with defaults applied and strings parsed, as the network is built from it. */
export interface ResolvedUNetConfig {
  imageSize: number;
  modelChannels: number;
  /** Time-embedding width, `4 * modelChannels`. */
  embedChannels: number;
  channelMult: number[];
  /** Residual blocks of each level. */
  numResBlocks: number[];
  /** Downsample rates (`image_size / resolution`) that get attention. */
  attentionDs: Set<number>;
  numHeads: number;
  numHeadChannels: number;
  numHeadsUpsample: number;
  scaleShift: boolean;
  resblockUpdown: boolean;
  newAttentionOrder: boolean;
  outChannels: 3 | 6;
}

const DEFAULT_CHANNEL_MULT: Readonly<Record<number, readonly number[]>> = {
  512: [0.5, 1, 1, 2, 2, 4, 4],
  256: [1, 1, 2, 2, 4, 4],
  128: [1, 1, 2, 3, 4],
  64: [1, 2, 3, 4],
};

function invalid(message: string): DifbfsrError {
  return new DifbfsrError('INVALID_OPTION', `UNetConfig: ${message}`);
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalid(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function numberList(value: string | readonly number[], field: string): number[] {
  const list =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map(Number)
      : [...value];
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw invalid(`${field} must list positive numbers, got ${JSON.stringify(value)}`);
    }
  }
  return list;
}

/**
 * Apply `create_model`'s defaults and check that the configuration describes a buildable network.
 * @throws DifbfsrError `INVALID_OPTION` naming the offending field.
 */
export function resolveUNetConfig(config: UNetConfig): ResolvedUNetConfig {
  const imageSize = positiveInt(config.image_size, 'image_size');
  const modelChannels = positiveInt(config.num_channels, 'num_channels');
  if (config.class_cond) throw invalid('class_cond=true is not supported');

  const multGiven = config.channel_mult === undefined ? [] : numberList(config.channel_mult, 'channel_mult');
  const channelMult = multGiven.length > 0 ? multGiven : [...(DEFAULT_CHANNEL_MULT[imageSize] ?? [])];
  if (channelMult.length === 0) {
    throw invalid(`no default channel_mult for image_size ${imageSize}; give channel_mult`);
  }
  const levels = channelMult.length;

  const nrb = config.num_res_blocks;
  const numResBlocks = typeof nrb === 'number' ? new Array<number>(levels).fill(nrb) : [...nrb];
  if (numResBlocks.length !== levels) {
    throw invalid(`num_res_blocks lists ${numResBlocks.length} levels, channel_mult ${levels}`);
  }
  numResBlocks.forEach((n, i) => positiveInt(n, `num_res_blocks[${i}]`));

  const attentionDs = new Set(
    numberList(config.attention_resolutions, 'attention_resolutions').map((res) => Math.floor(imageSize / res)),
  );

  for (const m of channelMult) {
    const ch = m * modelChannels;
    if (!Number.isInteger(ch) || ch % 32 !== 0) {
      throw invalid(`channel_mult ${m} x num_channels ${modelChannels} = ${ch} is not a multiple of 32 (GroupNorm32)`);
    }
  }

  const numHeads = config.num_heads ?? 4;
  const numHeadChannels = config.num_head_channels ?? -1;
  const numHeadsUpsample = config.num_heads_upsample ?? -1;
  if (numHeadChannels === -1) positiveInt(numHeads, 'num_heads');
  else positiveInt(numHeadChannels, 'num_head_channels');

  return {
    imageSize,
    modelChannels,
    embedChannels: 4 * modelChannels,
    channelMult,
    numResBlocks,
    attentionDs,
    numHeads,
    numHeadChannels,
    numHeadsUpsample: numHeadsUpsample === -1 ? numHeads : positiveInt(numHeadsUpsample, 'num_heads_upsample'),
    scaleShift: Boolean(config.use_scale_shift_norm),
    resblockUpdown: Boolean(config.resblock_updown),
    newAttentionOrder: Boolean(config.use_new_attention_order),
    outChannels: config.learn_sigma ? 6 : 3,
  };
}
