import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { saveSafetensors, type UNetConfig } from '@difbfsr/models';
import { runCli } from '../../backend-node/src/cli/main.js';
import { randomUNetTensors } from './random-state-dict.js';

const CONFIG: UNetConfig = {
  image_size: 8,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1],
  attention_resolutions: '8',
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: false,
  learn_sigma: true,
};

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('difbfsr export-onnx', () => {
  const tensors = randomUNetTensors(CONFIG, 4);
  const withConfig = join(dir, 'with-config.safetensors');
  const bare = join(dir, 'bare.safetensors');
  writeFileSync(withConfig, saveSafetensors(tensors, { config: JSON.stringify(CONFIG) }));
  writeFileSync(bare, saveSafetensors(tensors));
  const params = [...tensors.values()].reduce((n, t) => n + t.data.length, 0);

  it('writes a model whose graph carries the checkpoint config and weights', async () => {
    const out = join(dir, 'unet.onnx');
    const r = await cli('export-onnx', withConfig, out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`, ${params.toLocaleString('en-US')} parameters\n`);
    expect(r.out).toMatch(/wrote .*unet\.onnx: .*KiB, .*\ninputs: x \[batch, 3, height, width\].*outputs: eps, v/);
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(out));
    expect(model.graph?.initializer?.some((t) => t.name === 'out.2.weight')).toBe(true);
    expect(await cli('export-onnx', withConfig, out)).toMatchObject({ code: 1, err: expect.stringMatching(/exists.*--force/) });
  });

  it('--external-data writes <out>.data beside the model; --fp16 halves it', async () => {
    const out = join(dir, 'ext.onnx');
    const r = await cli('export-onnx', withConfig, out, '--external-data', '--fp16', '--nhwc');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\+ .*ext\.onnx\.data .*\(float16\)\ninputs: x \[batch, height, width, 3\]/);
    expect(existsSync(`${out}.data`)).toBe(true);
    // float16 weights, each tensor of at least 1 KiB aligned to 64 bytes: a little over 2 bytes per parameter.
    const dataBytes = readFileSync(`${out}.data`).byteLength;
    expect(dataBytes).toBeGreaterThan(1.9 * params);
    expect(dataBytes).toBeLessThan(2.1 * params);
  });

  it('without metadata it needs a preset or --config, and says so', async () => {
    const r = await cli('export-onnx', bare, join(dir, 'bare.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CONFIG_MISMATCH: .*no "config" in its metadata.*give the U-Net config/);
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    expect((await cli('export-onnx', bare, join(dir, 'bare.onnx'), '--config', configFile)).code).toBe(0);
    expect(await cli('export-onnx', bare, join(dir, 'p2.onnx'), '--preset', 'ffhq256-p2')).toMatchObject({ code: 1, err: expect.stringMatching(/CONFIG_MISMATCH/) });
  });
});
