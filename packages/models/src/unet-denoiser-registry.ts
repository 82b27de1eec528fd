import type { Denoiser, PriorBackend } from '@difbfsr/core';
import type { StateDict } from './checkpoint/types.js';
import type { UNetConfig } from './unet/config.js';

/** Builds a denoiser from a U-Net config and its weights on a backend (`@difbfsr/onnx`'s `createUNetDenoiser`). */
export type UNetDenoiserFactory = (config: UNetConfig, stateDict: StateDict, options: { backend: PriorBackend }) => Promise<Denoiser>;

let registered: UNetDenoiserFactory | undefined;

/**
 * Register what builds the bundled prior on backends other than tfjs. `@difbfsr/onnx` registers
 * its ONNX Runtime factory when it is imported, so importing it anywhere is enough, whatever
 * folder layout the package manager chose; `undefined` unregisters.
 */
export function setUNetDenoiserFactory(factory: UNetDenoiserFactory | undefined): void {
  registered = factory;
}

/**
 * The registered factory; else `@difbfsr/onnx`'s when that optional peer can be imported from
 * here (importing it registers it); else undefined (tfjs only).
 */
export async function unetDenoiserFactory(): Promise<UNetDenoiserFactory | undefined> {
  if (registered) return registered;
  const specifier = '@difbfsr/onnx';
  try {
    await import(/* @vite-ignore */ specifier);
  } catch {
    return undefined;
  }
  return registered;
}
