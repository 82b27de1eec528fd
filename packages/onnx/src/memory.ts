import { DifbfsrError } from '@difbfsr/core';
import type { LayerPlan, UNetPlan } from '@difbfsr/models';
import { isNodeRuntime } from './runtime.js';

const MiB = 2 ** 20;
const fmt = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${Math.round(bytes / MiB)} MiB`);

function layerOut(layer: LayerPlan): { channels: number; down: boolean; up: boolean } {
  switch (layer.kind) {
    case 'conv':
    case 'res':
      return { channels: layer.outChannels, down: layer.kind === 'res' && layer.resample === 'down', up: layer.kind === 'res' && layer.resample === 'up' };
    case 'attention':
      return { channels: layer.channels, down: false, up: false };
    case 'downsample':
      return { channels: layer.channels, down: true, up: false };
    case 'upsample':
      return { channels: layer.channels, down: false, up: true };
  }
}

/**
 * Rough peak bytes of the activations of one float32 forward at `size` x `size`: every skip
 * tensor the decoder will concatenate, plus six tensors the size of the largest block input
 * (the concatenated input and a GroupNorm's temporaries).
 */
export function estimateActivationBytes(plan: UNetPlan, batch: number, size: number): number {
  let pixels = size * size;
  const skips: number[] = [];
  for (const block of plan.inputBlocks) {
    let channels = 0;
    for (const layer of block.layers) {
      const o = layerOut(layer);
      channels = o.channels;
      if (o.down) pixels /= 4;
    }
    skips.push(channels * pixels);
  }
  let largest = 0;
  let channels = layerOut(plan.middleBlock.layers[0]).channels;
  const skipTotal = skips.reduce((a, b) => a + b, 0);
  for (const block of plan.outputBlocks) {
    largest = Math.max(largest, channels * pixels + skips.pop()!);
    for (const layer of block.layers) {
      const o = layerOut(layer);
      channels = o.channels;
      if (o.up) pixels *= 4;
    }
  }
  return 4 * batch * (skipTotal + 6 * largest);
}

/**
 * Bytes this process can still allocate in Node.js: free system memory, bounded by the cgroup
 * limit when one is set. `undefined` elsewhere (browsers do not tell).
 */
export async function availableMemoryBytes(): Promise<number | undefined> {
  if (!isNodeRuntime()) return undefined;
  const os = await import('node:os');
  const free = os.freemem();
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  return limit && limit > 0 && limit < 2 ** 50 ? Math.min(free, limit - process.memoryUsage().rss) : free;
}

/** What a session will hold, for {@link checkMemory}. */
export interface MemoryNeed {
  /** Model name for the message. */
  what: string;
  /** Bytes of weights held in JS (the serialized model or the weight inputs). */
  jsWeights: number;
  /** Bytes of weights the runtime copies into its own memory. */
  runtimeWeights: number;
  /** Bytes of activations of one forward. */
  activations: number;
  /** Describes the forward the activations are for (`1x256x256`). */
  input: string;
}

/** Total bytes of a {@link MemoryNeed}. */
export function totalBytes(need: MemoryNeed): number {
  return need.jsWeights + need.runtimeWeights + need.activations;
}

/**
 * Refuse to build a session that cannot fit: the estimate of {@link MemoryNeed} against
 * `available` bytes (see {@link availableMemoryBytes}; no check when unknown).
 * @throws DifbfsrError `OUT_OF_MEMORY` with the estimate, what is available and what to do.
 */
export function checkMemory(need: MemoryNeed, available: number | undefined): void {
  if (available === undefined) return;
  const total = totalBytes(need);
  if (total <= available) return;
  throw new DifbfsrError(
    'OUT_OF_MEMORY',
    `${need.what} needs about ${fmt(total)} (weights ${fmt(need.jsWeights)} in JS + ${fmt(need.runtimeWeights)} in onnxruntime, ` +
      `activations ${fmt(need.activations)} at ${need.input}) but only ${fmt(available)} is available: free memory, use a smaller model ` +
      `or weights: 'inputs' (no onnxruntime copy), or pass memoryCheck: false to try anyway`,
  );
}
