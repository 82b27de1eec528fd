import { DifbfsrError, type NetworkSpec } from '@difbfsr/core';
import type { StateDict } from '../checkpoint/types.js';
import type { UNetConfig } from './config.js';

/** A guided-diffusion U-Net as a runtime builds it: its config and its PyTorch-layout weights. */
export type UNetSpec = NetworkSpec<UNetConfig, StateDict>;

/**
 * `spec`, checked to be a U-Net: a config object and a state dict (from `loadCheckpoint`).
 * @throws DifbfsrError `INVALID_OPTION` naming what is missing.
 */
export function unetSpecOf(spec: NetworkSpec): UNetSpec {
  const weights = spec.weights as Partial<StateDict>;
  if (typeof spec.config !== 'object' || spec.config === null || typeof weights.get !== 'function' || typeof weights.names !== 'function') {
    throw new DifbfsrError('INVALID_OPTION', 'A U-Net network needs a UNetConfig as config and a StateDict (from loadCheckpoint) as weights');
  }
  return spec as UNetSpec;
}
