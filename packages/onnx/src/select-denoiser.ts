import { DifbfsrError, type Denoiser, type PriorBackend, type PriorRequest } from '@difbfsr/core';
import { loadCheckpoint, UNet, unetConfigOf, type CheckpointSource, type StateDict, type UNetConfig } from '@difbfsr/models';
import { OnnxDenoiser, type OnnxDenoiserOptions } from './onnx-denoiser.js';
import { loadOnnxRuntime } from './runtime.js';

/** Options of {@link createUNetDenoiser}: the backend, and the ONNX options when ONNX runs. */
export interface UNetDenoiserOptions extends OnnxDenoiserOptions {
  /** `'tfjs'`, `'onnx'`, or `'auto'` (default): ONNX Runtime when it loads, else tfjs. */
  backend?: PriorBackend;
}

/**
 * The U-Net `config` with the weights of `stateDict` as a denoiser on the chosen backend: the
 * tfjs `UNet` of `@difbfsr/models`, or an {@link OnnxDenoiser}. `'auto'` takes ONNX Runtime when
 * its package can be imported and tfjs otherwise; errors of a runtime that loaded (for example
 * OUT_OF_MEMORY) are not hidden by falling back. `device: 'cuda'` always means ONNX Runtime.
 * @throws DifbfsrError `INVALID_OPTION` for `device: 'cuda'` with `backend: 'tfjs'`, and what
 *   `OnnxDenoiser.create` or `UNet.fromStateDict` throw.
 */
export async function createUNetDenoiser(config: UNetConfig, stateDict: StateDict, options: UNetDenoiserOptions = {}): Promise<Denoiser> {
  const { backend = 'auto', ...onnxOptions } = options;
  const tfjs = (): Denoiser => UNet.fromStateDict(config, stateDict, { name: options.name });
  if (options.device === 'cuda') {
    // The GPU is ONNX Runtime's: no quiet fall back to tfjs on the CPU.
    if (backend === 'tfjs') throw new DifbfsrError('INVALID_OPTION', "device 'cuda' runs on ONNX Runtime: use backend 'onnx' or 'auto', not 'tfjs'");
    return OnnxDenoiser.create(config, stateDict, onnxOptions);
  }
  switch (backend) {
    case 'tfjs':
      return tfjs();
    case 'onnx':
      return OnnxDenoiser.create(config, stateDict, onnxOptions);
    case 'auto': {
      const available = await loadOnnxRuntime(options.runtime).then(
        () => true,
        () => false,
      );
      return available ? OnnxDenoiser.create(config, stateDict, onnxOptions) : tfjs();
    }
    default:
      throw new DifbfsrError('INVALID_OPTION', `backend must be 'auto', 'tfjs' or 'onnx', got ${JSON.stringify(backend)}`);
  }
}

/**
 * A default-prior factory for `setDefaultPrior` of `@difbfsr/core`: on first use it loads the
 * checkpoint (path, URL or bytes, as `loadCheckpoint` takes; config from its metadata or preset
 * unless given) and builds the denoiser for the `backend` that `restore()` asks for.
 *
 * @example
 * ```ts
 * setDefaultPrior(unetPriorFactory('face64/prior.safetensors'));
 * const { info } = await restoreWithInfo(lr, { backend: 'auto' }); // info.prior: 'onnx-unet(64px, cpu)'
 * ```
 */
export function unetPriorFactory(
  checkpoint: CheckpointSource,
  options: OnnxDenoiserOptions & { config?: UNetConfig } = {},
): (request: PriorRequest) => Promise<Denoiser> {
  const { config, ...denoiserOptions } = options;
  let loaded: Promise<StateDict> | undefined;
  return async ({ backend }) => {
    loaded ??= loadCheckpoint(checkpoint).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    const stateDict = await loaded;
    return createUNetDenoiser(config ?? unetConfigOf(stateDict), stateDict, { ...denoiserOptions, backend });
  };
}
