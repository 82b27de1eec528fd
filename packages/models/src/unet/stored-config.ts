import { DifbfsrError } from '@difbfsr/core';
import type { StateDict } from '../checkpoint/types.js';
import type { UNetConfig } from './config.js';
import { planUNet, type AttentionPlan, type UNetPlan } from './plan.js';

/** What tensor shapes cannot reveal: the resolution, and each attention block's heads and qkv order. */
function invisibleTraits(plan: UNetPlan): Map<string, string> {
  const traits = new Map([['image_size', `${plan.config.imageSize}`]]);
  for (const block of [...plan.inputBlocks, plan.middleBlock, ...plan.outputBlocks]) {
    for (const layer of block.layers) {
      if (layer.kind !== 'attention') continue;
      const a: AttentionPlan = layer;
      traits.set(a.name, `${a.heads} heads, ${a.order} qkv order`);
    }
  }
  return traits;
}

/**
 * When the checkpoint's metadata carries a guided-diffusion `config` (as the reference fixtures
 * do), check that it builds the same network as `plan` in the respects tensor shapes cannot show.
 * Metadata that is absent or not a `create_model`-style config is ignored.
 * @throws DifbfsrError `CONFIG_MISMATCH` naming the differing trait.
 */
export function checkStoredConfig(plan: UNetPlan, stateDict: StateDict, what: string): void {
  const raw = stateDict.metadata.config;
  if (raw === undefined) return;
  let stored: UNetPlan;
  try {
    stored = planUNet(JSON.parse(raw) as UNetConfig);
  } catch {
    return;
  }
  const storedTraits = invisibleTraits(stored);
  for (const [key, value] of invisibleTraits(plan)) {
    const saved = storedTraits.get(key);
    if (saved !== undefined && saved !== value) {
      throw new DifbfsrError('CONFIG_MISMATCH', `${what}: ${key} is built with ${value}, but the checkpoint's config says ${saved}`);
    }
  }
}
