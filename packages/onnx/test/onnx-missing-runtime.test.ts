import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint, saveSafetensors, type StateDict, type UNetConfig } from '@difbfsr/models';
import { createDenoiser } from '@difbfsr/core';
import { OnnxDenoiser } from '@difbfsr/onnx';
import { randomUNetTensors } from './random-state-dict.js';

// Simulate a machine where onnxruntime-node is not installed: importing it fails like a missing package.
vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'");
});

const CONFIG: UNetConfig = {
  image_size: 8,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1],
  attention_resolutions: '',
  num_head_channels: 32,
  use_scale_shift_norm: false,
  resblock_updown: false,
  learn_sigma: false,
};

describe('without onnxruntime-node', () => {
  let weights: StateDict;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    weights = await loadCheckpoint(saveSafetensors(randomUNetTensors(CONFIG, 2)));
  });

  it('OnnxDenoiser.create fails with BACKEND, naming the package and how to install it', async () => {
    await expect(OnnxDenoiser.create(CONFIG, weights)).rejects.toMatchObject({
      code: 'BACKEND',
      message: expect.stringMatching(/onnxruntime-node cannot be loaded.*npm install onnxruntime-node.*backend: 'tfjs'/),
    });
  });

  it("backend 'onnx' fails the same way; 'auto' falls back to the tfjs U-Net", async () => {
    await expect(createDenoiser({ config: CONFIG, weights }, { backend: 'onnx' })).rejects.toMatchObject({ code: 'BACKEND' });
    const net = await createDenoiser({ config: CONFIG, weights }, { backend: 'auto' });
    expect(net.name).toBe('tfjs-unet(8px)');
    net.dispose?.();
  });
});
