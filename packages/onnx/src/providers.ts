import type { OnnxRuntimeKind } from './runtime.js';

/** onnxruntime execution providers this package selects between. */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'webgpu' | 'wasm';

const CUDA_LIBRARY: Partial<Record<string, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/**
 * Whether onnxruntime-node's CUDA provider library is installed. The npm package ships only the
 * CPU library; its install script downloads the CUDA 12 provider beside it when scripts may run
 * (see the README), so its presence is what tells.
 */
export async function cudaProviderInstalled(): Promise<boolean> {
  const lib = CUDA_LIBRARY[process.platform];
  if (!lib || process.arch !== 'x64') return false;
  const [{ createRequire }, { existsSync }, { dirname, join }] = await Promise.all([import('node:module'), import('node:fs'), import('node:path')]);
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    return existsSync(join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch, lib));
  } catch {
    return false;
  }
}

/**
 * What `'auto'` tries, best first: in Node, CUDA when its provider library is installed, then the
 * CPU; in browsers, WebGPU when the browser offers it, then WebAssembly.
 */
export async function autoExecutionProviders(kind: OnnxRuntimeKind): Promise<ExecutionProviderName[]> {
  if (kind === 'node') return (await cudaProviderInstalled()) ? ['cuda', 'cpu'] : ['cpu'];
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return gpu ? ['webgpu', 'wasm'] : ['wasm'];
}

/** True for the providers that run on the CPU (in native code or WebAssembly). */
export function runsOnCpu(provider: ExecutionProviderName): boolean {
  return provider === 'cpu' || provider === 'wasm';
}
