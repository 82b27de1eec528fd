import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { loadCheckpoint, saveSafetensors, type StateDict, type UNetConfig } from '@difbfsr/models';
import { createDenoiser } from '@difbfsr/core';
import { autoExecutionProviders, cudaProviderFiles, deviceExecutionProviders, OnnxDenoiser } from '@difbfsr/onnx';
import { randomUNetTensors } from './random-state-dict.js';

/** 16 px, two levels: built in milliseconds. */
const CONFIG: UNetConfig = {
  image_size: 16,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1, 2],
  attention_resolutions: '',
  use_scale_shift_norm: true,
  resblock_updown: false,
  learn_sigma: true,
};

let weights: StateDict;
let cuda: Awaited<ReturnType<typeof cudaProviderFiles>>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = await loadCheckpoint(saveSafetensors(randomUNetTensors(CONFIG, 5)));
  cuda = await cudaProviderFiles();
});

/** The error `device: 'cuda'` gives on a machine without onnxruntime-node's CUDA provider. */
function missingCuda(): RegExp {
  return new RegExp(`device 'cuda': onnxruntime-node's CUDA execution provider is not installed \\(missing ${cuda.missing[0]}.*\\); .*ONNXRUNTIME_NODE_INSTALL=cuda12`);
}

describe("device: 'cpu' | 'cuda' | 'auto'", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("'cpu' is the native CPU provider (WebAssembly in browsers); 'auto' is what executionProviders 'auto' tries", async () => {
    expect(await deviceExecutionProviders('cpu', 'node')).toEqual(['cpu']);
    expect(await deviceExecutionProviders('cpu', 'web')).toEqual(['wasm']);
    expect(await deviceExecutionProviders('auto', 'node')).toEqual(await autoExecutionProviders('node'));
    vi.stubGlobal('navigator', { gpu: {} });
    expect(await deviceExecutionProviders('auto', 'web')).toEqual(['webgpu', 'wasm']);
    await expect(deviceExecutionProviders('gpu' as 'cpu', 'node')).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/'auto', 'cpu' or 'cuda', got "gpu"/) });
    await expect(deviceExecutionProviders('cuda', 'web')).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringMatching(/needs onnxruntime-node/) });
    const net = await OnnxDenoiser.create(CONFIG, weights, { device: 'cpu' });
    expect([net.executionProvider, net.name]).toEqual(['cpu', 'onnx-unet(16px, cpu)']);
    net.dispose();
  });

  it("'cuda' without the CUDA provider's libraries is a BACKEND error naming the missing file, its folder and the install; never the CPU", async () => {
    if (cuda.missing.length === 0) {
      // A machine with the provider installed: CUDA runs, or says why it did not start.
      expect(await deviceExecutionProviders('cuda', 'node')).toEqual(['cuda']);
      const net = await OnnxDenoiser.create(CONFIG, weights, { device: 'cuda' }).catch((e: DifbfsrError) => e);
      if (net instanceof OnnxDenoiser) expect(net.executionProvider).toBe('cuda');
      else expect(net).toMatchObject({ code: 'BACKEND', message: expect.stringMatching(/CUDA execution provider did not start/) });
      return;
    }
    expect(cuda.missing.join(' ')).toMatch(/onnxruntime_providers_cuda/);
    await expect(deviceExecutionProviders('cuda', 'node')).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringMatching(missingCuda()) });
    if (cuda.folder) await expect(deviceExecutionProviders('cuda', 'node')).rejects.toThrow(cuda.folder);
    await expect(OnnxDenoiser.create(CONFIG, weights, { device: 'cuda' })).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringMatching(missingCuda()) });
    // backend 'auto' does not fall back to tfjs on the CPU either.
    await expect(createDenoiser({ config: CONFIG, weights }, { backend: 'auto', device: 'cuda' })).rejects.toMatchObject({ code: 'BACKEND', message: expect.stringMatching(missingCuda()) });
  });

  it("'cuda' with backend 'tfjs', or device with executionProviders, is INVALID_OPTION", async () => {
    await expect(createDenoiser({ config: CONFIG, weights }, { backend: 'tfjs', device: 'cuda' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/device 'cuda' does not run on 'tfjs'.*use backend 'onnx'/),
    });
    await expect(OnnxDenoiser.create(CONFIG, weights, { device: 'cpu', executionProviders: ['cpu'] })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/device or executionProviders, not both/),
    });
  });
});
