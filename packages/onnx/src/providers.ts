import { DifbfsrError } from '@difbfsr/core';
import type { OnnxRuntimeKind } from './runtime.js';

/** onnxruntime execution providers this package selects between. */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'webgpu' | 'wasm';

/**
 * Where the U-Net runs, as users name it: `'cuda'` (onnxruntime-node's CUDA execution provider, or
 * an error saying what is missing), `'cpu'` (the native CPU provider; WebAssembly in browsers), or
 * `'auto'` (the GPU when one is installed and starts, else the CPU).
 */
export type OnnxDevice = 'auto' | 'cpu' | 'cuda';

/** The libraries onnxruntime-node's CUDA provider consists of, per platform (x64 only). */
const CUDA_LIBRARIES: Partial<Record<string, readonly string[]>> = {
  linux: ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
  win32: ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll'],
};

/** Where onnxruntime-node's CUDA provider libraries are, and which of them are not there. */
export interface CudaProviderFiles {
  /** The folder onnxruntime-node loads its native libraries from (undefined when it cannot be resolved). */
  folder?: string;
  /** Libraries of the provider missing from `folder` (every one when the platform has no CUDA build). */
  missing: string[];
}

/**
 * Which of onnxruntime-node's CUDA provider libraries are installed. The npm package ships only the
 * CPU library; its install script downloads the CUDA 12 provider beside it when scripts may run
 * (see the README), so their presence is what tells.
 */
export async function cudaProviderFiles(): Promise<CudaProviderFiles> {
  const libraries = CUDA_LIBRARIES[process.platform];
  if (!libraries || process.arch !== 'x64') return { missing: ['a CUDA build of onnxruntime-node (published for linux-x64 and win32-x64 only)'] };
  const [{ createRequire }, { existsSync }, { dirname, join }] = await Promise.all([import('node:module'), import('node:fs'), import('node:path')]);
  let folder: string;
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    folder = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return { missing: [...libraries] };
  }
  return { folder, missing: libraries.filter((lib) => !existsSync(join(folder, lib))) };
}

/** Whether onnxruntime-node's CUDA provider libraries are installed (see {@link cudaProviderFiles}). */
export async function cudaProviderInstalled(): Promise<boolean> {
  return (await cudaProviderFiles()).missing.length === 0;
}

/** How to get the CUDA provider, for error messages. */
export const CUDA_INSTALL_HINT =
  'install it where its download works: `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` ' +
  '(pnpm: allow its install script, `pnpm approve-builds`; see the @difbfsr/onnx README); it also needs an NVIDIA driver, CUDA 12 and cuDNN 9';

/**
 * What `'auto'` tries, best first: in Node, CUDA when its provider library is installed, then the
 * CPU; in browsers, WebGPU when the browser offers it, then WebAssembly.
 */
export async function autoExecutionProviders(kind: OnnxRuntimeKind): Promise<ExecutionProviderName[]> {
  if (kind === 'node') return (await cudaProviderInstalled()) ? ['cuda', 'cpu'] : ['cpu'];
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return gpu ? ['webgpu', 'wasm'] : ['wasm'];
}

/**
 * The execution providers of a {@link OnnxDevice}.
 * @throws DifbfsrError `BACKEND` for `'cuda'` outside onnxruntime-node or without its CUDA provider
 *   libraries (naming the missing files, their folder and how to install them); `INVALID_OPTION`
 *   for an unknown device.
 */
export async function deviceExecutionProviders(device: OnnxDevice, kind: OnnxRuntimeKind): Promise<ExecutionProviderName[]> {
  switch (device) {
    case 'auto':
      return autoExecutionProviders(kind);
    case 'cpu':
      return [kind === 'node' ? 'cpu' : 'wasm'];
    case 'cuda': {
      if (kind !== 'node') throw new DifbfsrError('BACKEND', "device 'cuda' needs onnxruntime-node (Node.js); onnxruntime-web runs on WebGPU or WebAssembly");
      const { folder, missing } = await cudaProviderFiles();
      if (missing.length > 0) {
        throw new DifbfsrError(
          'BACKEND',
          `device 'cuda': onnxruntime-node's CUDA execution provider is not installed (missing ${missing.join(', ')}${folder ? ` in ${folder}` : ''}); ${CUDA_INSTALL_HINT}`,
        );
      }
      return ['cuda'];
    }
    default:
      throw new DifbfsrError('INVALID_OPTION', `device must be 'auto', 'cpu' or 'cuda', got ${JSON.stringify(device)}`);
  }
}

/** True for the providers that run on the CPU (in native code or WebAssembly). */
export function runsOnCpu(provider: ExecutionProviderName): boolean {
  return provider === 'cpu' || provider === 'wasm';
}
