import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { autoExecutionProviders, cudaProviderInstalled } from '@difbfsr/onnx';

describe("executionProviders 'auto'", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('browsers: WebGPU first when the browser offers it, else WebAssembly', async () => {
    vi.stubGlobal('navigator', { gpu: {} });
    expect(await autoExecutionProviders('web')).toEqual(['webgpu', 'wasm']);
    vi.stubGlobal('navigator', {});
    expect(await autoExecutionProviders('web')).toEqual(['wasm']);
  });

  it("Node: CUDA first exactly when onnxruntime-node's CUDA provider library is installed", async () => {
    const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    // The directory the provider library is looked for in is the one the native binding loads from.
    expect(existsSync(join(bin, 'onnxruntime_binding.node'))).toBe(true);
    const cuda = process.arch === 'x64' && existsSync(join(bin, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
    expect(await cudaProviderInstalled()).toBe(cuda);
    expect(await autoExecutionProviders('node')).toEqual(cuda ? ['cuda', 'cpu'] : ['cpu']);
  });
});
