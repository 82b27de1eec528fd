import { DifbfsrError } from '@difbfsr/core';

/** The optional `@difbfsr/onnx` package (a type-only import: this package builds without it). */
export type OnnxPackage = typeof import('@difbfsr/onnx');

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
 * `@difbfsr/onnx` when it is installed, else undefined. Importing it registers ONNX Runtime as
 * runtime `'onnx'` of `@difbfsr/core` (the prior and the SRM/CFM optimisation).
 * @throws DifbfsrError `BACKEND` when the package is installed but fails to load.
 */
export async function importOptionalOnnx(): Promise<OnnxPackage | undefined> {
  try {
    return (await import(/* @vite-ignore */ SPECIFIER)) as OnnxPackage;
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
