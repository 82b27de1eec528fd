import { DifbfsrError } from '@difbfsr/core';
import type { StateDict } from '../checkpoint/types.js';
import { detectPreset } from '../presets/detect-preset.js';
import type { UNetConfig } from './config.js';

/**
 * The U-Net config of a checkpoint: its safetensors `__metadata__.config` JSON (as written for the
 * bundled prior and the fixtures), else the preset whose tensor list it matches exactly.
 * @throws DifbfsrError `CONFIG_MISMATCH` when neither tells, `CHECKPOINT_FORMAT` for unreadable metadata.
 */
export function unetConfigOf(stateDict: StateDict, what = 'checkpoint'): UNetConfig {
  const json = stateDict.metadata.config;
  if (json !== undefined) {
    try {
      return JSON.parse(json) as UNetConfig;
    } catch (err) {
      throw new DifbfsrError('CHECKPOINT_FORMAT', `${what}: metadata "config" is not JSON (${(err as Error).message})`, { cause: err });
    }
  }
  const preset = detectPreset(stateDict);
  if (preset) return preset.config;
  throw new DifbfsrError(
    'CONFIG_MISMATCH',
    `${what}: no "config" in its metadata and its tensors match no known preset; give the U-Net config explicitly`,
  );
}
