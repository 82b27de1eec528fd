import { DifbfsrError, type Denoiser, type PriorBackend } from '@difbfsr/core';
import type { StateDict, UNetConfig } from '@difbfsr/models';

/**
 * The part of the optional `@difbfsr/onnx` package the CLI uses, declared here so that this package
 * builds and type-checks without it.
 */
export interface OnnxPackage {
  createUNetDenoiser(config: UNetConfig, stateDict: StateDict, options: { backend: PriorBackend; device?: 'auto' | 'cpu' | 'cuda' }): Promise<Denoiser>;
  exportUNetToOnnx(
    config: UNetConfig,
    stateDict: StateDict,
    options: { fp16?: boolean; layout: 'nchw' | 'nhwc'; storage: 'inline' | 'external'; externalDataLocation: string; what: string },
  ): { model: Uint8Array; weights?: Uint8Array; plan: { config: { outChannels: number } } };
}

const SPECIFIER = '@difbfsr/onnx';

/**
 * True for the error of importing `specifier` when that package is not installed; false for any
 * other error, including a dependency missing inside a package that is installed.
 */
export function isNotInstalled(err: unknown, specifier: string): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && typeof e.message === 'string' && e.message.includes(`'${specifier}'`);
}

/**
 * `@difbfsr/onnx` when it is installed, else undefined. Importing it registers ONNX Runtime as what
 * runs restore()'s default prior and SRM/CFM optimisation for `backend: 'auto' | 'onnx'`.
 * @throws DifbfsrError `BACKEND` when the package is installed but fails to load.
 */
export async function importOptionalOnnx(): Promise<OnnxPackage | undefined> {
  try {
    return (await import(SPECIFIER)) as OnnxPackage;
  } catch (err) {
    if (isNotInstalled(err, SPECIFIER)) return undefined;
    throw new DifbfsrError('BACKEND', `${SPECIFIER} is installed but failed to load: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * `@difbfsr/onnx`, for a feature that cannot run without it.
 * @throws DifbfsrError `BACKEND` naming `feature` and how to install the package.
 */
export async function requireOnnx(feature: string): Promise<OnnxPackage> {
  const onnx = await importOptionalOnnx();
  if (!onnx) throw new DifbfsrError('BACKEND', `${feature} needs the optional package ${SPECIFIER}: npm install ${SPECIFIER}`);
  return onnx;
}
