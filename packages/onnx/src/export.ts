import { DifbfsrError } from '@difbfsr/core';
import { checkStoredConfig, checkTensorList, planUNet, unetTensorList, type StateDict, type UNetConfig, type UNetPlan } from '@difbfsr/models';
import { serializeModel, type SerializedModel, type WeightStorage } from './graph/serialize.js';
import { unetModelSpec, type ImageLayout } from './unet/unet-graph.js';

/** Options of {@link exportUNetToOnnx}. */
export interface ExportUNetOptions {
  /** Layout of the `x` input and the `eps`/`v` outputs. Default `'nchw'` (PyTorch's). */
  layout?: ImageLayout;
  /** Store the weights as float16 (half the size; the graph casts them to float32 once, at load). */
  fp16?: boolean;
  /**
   * Where the weights go: inside the model (`'inline'`, default; at most 2 GiB), in a separate
   * buffer named as ONNX external data (`'external'`: returned as `weights`, to be saved as the
   * file `externalDataLocation`), or as graph inputs (`'inputs'`, see `WeightStorage`).
   */
  storage?: WeightStorage;
  /** File name the model gives its external data (storage `'external'`). Default `weights.bin`. */
  externalDataLocation?: string;
  /** Label for error messages (for example the preset or file name). */
  what?: string;
}

/** An exported U-Net: the serialized model and what it was built from. */
export interface UNetOnnxModel extends SerializedModel {
  /** The resolved plan of the network (channels, blocks, size multiple). */
  plan: UNetPlan;
  /** Parameter count. */
  params: number;
  layout: ImageLayout;
  precision: 'float32' | 'float16';
}

/**
 * Check `stateDict` against `config` exactly as `UNet.fromStateDict` does: the tensor list, and
 * a config stored in the checkpoint's metadata in what shapes cannot show (resolution, heads, qkv order).
 * @throws DifbfsrError `CONFIG_MISMATCH` naming the first missing, unexpected or mis-shaped tensor
 *   or the differing trait.
 */
export function checkUNetStateDict(config: UNetConfig, stateDict: StateDict, what = 'UNet config'): void {
  try {
    checkTensorList(stateDict, unetTensorList(config), { what });
  } catch (err) {
    if (!(err instanceof DifbfsrError)) throw err;
    throw new DifbfsrError('CONFIG_MISMATCH', `Checkpoint does not fit the UNet config (${err.code}): ${err.message}`, { cause: err });
  }
  checkStoredConfig(planUNet(config), stateDict, what);
}

/**
 * Export guided-diffusion's `UNetModel` described by `config`, with the weights of `stateDict`
 * (from `loadCheckpoint` of `@difbfsr/models`), to an ONNX model in memory: standard opset-17
 * operators, weights as initializers (under their PyTorch names, or slices of them named `<name>[:, a:b]` where the decoder splits a concatenation), inputs `x` and float32 `timesteps`,
 * outputs `eps` and (learned variance) `v`. The model's `metadata_props` hold the config as JSON.
 *
 * @throws DifbfsrError `INVALID_OPTION` when the config describes no buildable network,
 *   `CONFIG_MISMATCH` when the state dict does not fit it.
 */
export function exportUNetToOnnx(config: UNetConfig, stateDict: StateDict, options: ExportUNetOptions = {}): UNetOnnxModel {
  const plan = planUNet(config);
  checkUNetStateDict(config, stateDict, options.what);
  const layout = options.layout ?? 'nchw';
  const precision = options.fp16 ? 'float16' : 'float32';
  const spec = unetModelSpec(plan, stateDict, { layout, precision });
  spec.docString = 'guided-diffusion UNetModel exported by @difbfsr/onnx';
  spec.metadata = { 'difbfsr.unet_config': JSON.stringify(config), 'difbfsr.layout': layout, 'difbfsr.weights': precision };
  const serialized = serializeModel(spec, options.storage, options.externalDataLocation);
  const params = unetTensorList(config).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
  return { ...serialized, plan, params, layout, precision };
}
