import type { UNetConfig } from './config.js';
import { planUNet, type LayerPlan, type UNetPlan } from './plan.js';

/** A state-dict entry as PyTorch names and shapes it. */
export type TorchTensorSpec = [name: string, shape: number[]];

function conv(name: string, inCh: number, outCh: number, k: number): TorchTensorSpec[] {
  return [
    [`${name}.weight`, [outCh, inCh, k, k]],
    [`${name}.bias`, [outCh]],
  ];
}

function norm(name: string, ch: number): TorchTensorSpec[] {
  return [
    [`${name}.weight`, [ch]],
    [`${name}.bias`, [ch]],
  ];
}

function linear(name: string, inCh: number, outCh: number): TorchTensorSpec[] {
  return [
    [`${name}.weight`, [outCh, inCh]],
    [`${name}.bias`, [outCh]],
  ];
}

function layerTensors(layer: LayerPlan): TorchTensorSpec[] {
  const n = layer.name;
  switch (layer.kind) {
    case 'conv':
      return conv(n, layer.inChannels, layer.outChannels, 3);
    case 'downsample':
      return conv(`${n}.op`, layer.channels, layer.channels, 3);
    case 'upsample':
      return conv(`${n}.conv`, layer.channels, layer.channels, 3);
    case 'attention': {
      const c = layer.channels;
      return [
        ...norm(`${n}.norm`, c),
        [`${n}.qkv.weight`, [3 * c, c, 1]],
        [`${n}.qkv.bias`, [3 * c]],
        [`${n}.proj_out.weight`, [c, c, 1]],
        [`${n}.proj_out.bias`, [c]],
      ];
    }
    case 'res': {
      const { inChannels: ci, outChannels: co } = layer;
      return [
        ...norm(`${n}.in_layers.0`, ci),
        ...conv(`${n}.in_layers.2`, ci, co, 3),
        ...linear(`${n}.emb_layers.1`, layer.embedChannels, layer.scaleShift ? 2 * co : co),
        ...norm(`${n}.out_layers.0`, co),
        ...conv(`${n}.out_layers.3`, co, co, 3),
        ...(ci === co ? [] : conv(`${n}.skip_connection`, ci, co, 1)),
      ];
    }
  }
}

/** The state-dict entries of a plan, in PyTorch `state_dict()` order. */
export function planTensorList(plan: UNetPlan): TorchTensorSpec[] {
  const { modelChannels: mc, embedChannels: e, outChannels } = plan.config;
  const blocks = [...plan.inputBlocks, plan.middleBlock, ...plan.outputBlocks];
  return [
    ...linear('time_embed.0', mc, e),
    ...linear('time_embed.2', e, e),
    ...blocks.flatMap((b) => b.layers.flatMap(layerTensors)),
    ...norm('out.0', plan.outInChannels),
    ...conv('out.2', plan.outInChannels, outChannels, 3),
  ];
}

/**
 * Exactly the tensors (names and PyTorch shapes) of the state dict that guided-diffusion's
 * `UNetModel` built from `config` holds, in `state_dict()` order.
 */
export function unetTensorList(config: UNetConfig): TorchTensorSpec[] {
  return planTensorList(planUNet(config));
}

/** Number of parameters of the network `config` describes. */
export function unetParamCount(config: UNetConfig): number {
  return unetTensorList(config).reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}
