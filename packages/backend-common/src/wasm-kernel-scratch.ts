import {
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Runs registered kernels of one backend directly (bypassing the engine) and
 * remembers every TensorInfo they return, so that a composite kernel can free
 * all of its intermediates with one call, also when it throws.
 *
 * Each TensorInfo returned by a kernel owns exactly one reference on the
 * backend (a Reshape output shares its input's data and adds a reference), so
 * releasing means one `disposeData` per tracked TensorInfo.
 */
export class KernelScratch {
  private readonly live: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs `kernelName` on this backend; the output is tracked as an intermediate. */
  run(kernelName: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, this.backendName);
    if (config == null) {
      throw new DifbfsrError('BACKEND', `Kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    }
    // Concat takes its inputs as an array; the other kernels as a named map.
    const result = config.kernelFunc({ inputs: inputs as NamedTensorInfoMap, attrs, backend: this.backend });
    const out = Array.isArray(result) ? result[0] : result;
    if (out == null) throw new DifbfsrError('BACKEND', `Kernel '${kernelName}' returned no output`);
    this.live.push(out);
    return out;
  }

  /** Stops tracking `info` (the caller now owns it, e.g. as the kernel's output). */
  keep(info: TensorInfo): TensorInfo {
    const index = this.live.indexOf(info);
    if (index >= 0) this.live.splice(index, 1);
    return info;
  }

  /** Frees every intermediate still tracked. */
  release(): void {
    for (const info of this.live.splice(0)) this.backend.disposeData(info.dataId);
  }
}
