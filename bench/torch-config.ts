import { resolveUNetConfig, type UNetConfig } from '../packages/models/src/index.js';

/** A U-Net config, resolved, in the JSON form bench/unet_forward_torch.py builds its module from. */
export function torchConfig(config: UNetConfig): string {
  const r = resolveUNetConfig(config);
  return JSON.stringify({
    image_size: r.imageSize,
    model_channels: r.modelChannels,
    channel_mult: r.channelMult,
    num_res_blocks: r.numResBlocks,
    attention_ds: [...r.attentionDs],
    num_heads: r.numHeads,
    num_head_channels: r.numHeadChannels,
    num_heads_upsample: r.numHeadsUpsample,
    scale_shift: r.scaleShift,
    resblock_updown: r.resblockUpdown,
    out_channels: r.outChannels,
    new_attention_order: r.newAttentionOrder,
  });
}
