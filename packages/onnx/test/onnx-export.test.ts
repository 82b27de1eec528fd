import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { floatToHalf, loadCheckpoint, saveSafetensors, unetTensorList, type StateDict, type UNetConfig } from '@difbfsr/models';
import { exportUNetToOnnx, UNET_OPSET } from '@difbfsr/onnx';
import { GraphBuilder } from '../src/graph/builder.js';
import { serializeModel } from '../src/graph/serialize.js';
import { randomUNetTensors } from './random-state-dict.js';

const { onnx } = onnxProto;

/** The decoded model's graph (decoded messages hold every repeated field, possibly empty). */
function graphOf(model: Uint8Array): onnxProto.onnx.GraphProto {
  return onnx.ModelProto.decode(model).graph as onnxProto.onnx.GraphProto;
}

/** An initializer of a decoded graph. */
function initializerOf(model: Uint8Array, name: string): onnxProto.onnx.TensorProto {
  return graphOf(model).initializer.find((t) => t.name === name) as onnxProto.onnx.TensorProto;
}

/** A tensor of `shape` put together from initializers named `<name>[a:b, ...]` (slices of leading axes), checking that they tile it. */
function assembled(name: string, shape: readonly number[], slices: onnxProto.onnx.TensorProto[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const covered = new Uint8Array(size);
  for (const t of slices) {
    const ranges = t.name.slice(name.length + 1, -1).split(', ').map((r, axis) => (r === ':' ? [0, shape[axis]] : r.split(':').map(Number)));
    const block = shape.map((d, i) => (i < ranges.length ? ranges[i][1] - ranges[i][0] : d));
    const data = new Float32Array(t.rawData.slice().buffer);
    expect(data.length, t.name).toBe(block.reduce((a, b) => a * b, 1));
    data.forEach((v, k) => {
      let flat = 0;
      let rest = k;
      for (let axis = shape.length - 1, stride = 1; axis >= 0; stride *= shape[axis], axis--) {
        flat += ((rest % block[axis]) + (ranges[axis]?.[0] ?? 0)) * stride;
        rest = Math.floor(rest / block[axis]);
      }
      out[flat] = v;
      covered[flat]++;
    });
  }
  expect(covered.every((c) => c === 1), `${name}: slices tile the tensor`).toBe(true);
  return out;
}

/** New qkv order, plain embedding add, conv resampling, 3 outputs: the other branches of the graph. */
const CONFIG: UNetConfig = {
  image_size: 16,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: [1, 2],
  attention_resolutions: '16,8',
  num_heads: 2,
  use_scale_shift_norm: false,
  resblock_updown: false,
  use_new_attention_order: true,
  learn_sigma: false,
};

/** Standard ONNX operators (default domain) that the U-Net graph may use. */
const STANDARD_OPS = new Set([
  'Add', 'AveragePool', 'Cast', 'Concat', 'Conv', 'Cos', 'Gemm', 'Identity', 'InstanceNormalization', 'MatMul', 'Mul', 'Pad',
  'Reshape', 'Resize', 'Shape', 'Sigmoid', 'Sin', 'Softmax', 'Split', 'Squeeze', 'Transpose', 'Unsqueeze',
]);

let weights: StateDict;
beforeAll(async () => {
  weights = await loadCheckpoint(saveSafetensors(randomUNetTensors(CONFIG, 7)));
});

async function run(model: Uint8Array, externalData?: { path: string; data: Uint8Array }): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, ...(externalData ? { externalData: [externalData] } : {}) });
  const x = new Float32Array(2 * 3 * 16 * 16).map((_, i) => Math.sin(i));
  const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3, 16, 16]), timesteps: new ort.Tensor('float32', new Float32Array([3, 900]), [2]) });
  await session.release();
  return out.eps.data as Float32Array;
}

describe('exportUNetToOnnx', () => {
  it('writes a standard opset-17 model whose initializers are the state dict, byte for byte', () => {
    const { model, params } = exportUNetToOnnx(CONFIG, weights);
    const decoded = onnx.ModelProto.decode(model);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', UNET_OPSET]]);
    const graph = graphOf(model);
    expect(graph.input.map((i) => i.name)).toEqual(['x', 'timesteps']);
    expect(graph.output.map((o) => o.name)).toEqual(['eps']);
    expect(graph.node.filter((n) => !STANDARD_OPS.has(n.opType!) || n.domain)).toEqual([]);
    const initializers = new Map(graph.initializer.map((t) => [t.name, t as onnxProto.onnx.TensorProto]));
    for (const [name, shape] of unetTensorList(CONFIG)) {
      const t = initializers.get(name);
      const expected = Buffer.from(weights.get(name).bytes());
      if (!t) {
        // Split along channels (a full-resolution decoder block's input parts): the slices tile it.
        const slices = (graph.initializer as onnxProto.onnx.TensorProto[]).filter((s) => s.name.startsWith(`${name}[`));
        expect(slices.length, name).toBeGreaterThan(1);
        expect(Buffer.from(assembled(name, shape, slices).buffer).equals(expected), name).toBe(true);
        continue;
      }
      const dims = t.dims.map(Number);
      // GroupNorm affines are viewed as [C, 1, 1] for NCHW broadcasting; everything else keeps PyTorch's shape.
      expect(dims, name).toEqual(/(norm|in_layers\.0|out_layers\.0|out\.0)\.(weight|bias)$/.test(name) ? [shape[0], 1, 1] : shape);
      expect(t.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
      expect(Buffer.from(t.rawData).equals(expected), name).toBe(true);
    }
    expect(params).toBe(unetTensorList(CONFIG).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0));
    const meta = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['difbfsr.unet_config'])).toEqual(CONFIG);
  });

  it('keeps a full-resolution decoder input as its two parts when GroupNorm groups allow it', () => {
    const graph = graphOf(exportUNetToOnnx(CONFIG, weights).model);
    const concatenates = (block: string): boolean => graph.node.some((n) => n.opType === 'Concat' && (n.input ?? []).some((i) => i.startsWith(`${block}/`)));
    // 16 px: output block 3 joins h (32 channels) and input_blocks.0 (32): groups of 2 never straddle them.
    expect(concatenates('output_blocks.2')).toBe(false);
    expect(graph.initializer.some((t) => t.name === 'output_blocks.3.0.in_layers.2.weight[:, 0:32]')).toBe(true);
    // Output block 2 joins 64 + 32 channels in groups of 3, and output block 1 works at 8 px: both concatenate.
    expect(concatenates('output_blocks.1')).toBe(true);
    expect(concatenates('output_blocks.0')).toBe(true);
  });

  it('external data and inline weights give identical results', async () => {
    const inline = exportUNetToOnnx(CONFIG, weights);
    const external = exportUNetToOnnx(CONFIG, weights, { storage: 'external', externalDataLocation: 'unet.bin' });
    expect(external.model.byteLength).toBeLessThan(inline.model.byteLength / 10);
    const conv = initializerOf(external.model, 'input_blocks.0.0.weight');
    expect(conv.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(conv.externalData.find((e) => e.key === 'location')?.value).toBe('unet.bin');
    const a = await run(inline.model);
    const b = await run(external.model, { path: 'unet.bin', data: external.weights! });
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('float16 storage halves the weights and holds their float16 roundings', () => {
    const full = exportUNetToOnnx(CONFIG, weights);
    const half = exportUNetToOnnx(CONFIG, weights, { fp16: true });
    expect(half.model.byteLength / full.model.byteLength).toBeGreaterThan(0.49);
    expect(half.model.byteLength / full.model.byteLength).toBeLessThan(0.52);
    const t = initializerOf(half.model, 'out.2.weight');
    expect(t.dataType).toBe(onnx.TensorProto.DataType.FLOAT16);
    const stored = new Uint16Array(t.rawData.slice().buffer);
    const expected = Uint16Array.from(weights.get('out.2.weight').toFloat32(), floatToHalf);
    expect(stored).toEqual(expected);
  });

  it('the NHWC layout gives the NCHW result transposed', async () => {
    const nchw = await run(exportUNetToOnnx(CONFIG, weights).model);
    const session = await ort.InferenceSession.create(exportUNetToOnnx(CONFIG, weights, { layout: 'nhwc' }).model, { intraOpNumThreads: 1 });
    const x = new Float32Array(2 * 16 * 16 * 3);
    const src = new Float32Array(2 * 3 * 16 * 16).map((_, i) => Math.sin(i));
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let p = 0; p < 256; p++) x[(n * 256 + p) * 3 + c] = src[(n * 3 + c) * 256 + p];
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 16, 16, 3]), timesteps: new ort.Tensor('float32', new Float32Array([3, 900]), [2]) });
    await session.release();
    const nhwc = out.eps.data as Float32Array;
    let worst = 0;
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let p = 0; p < 256; p++) worst = Math.max(worst, Math.abs(nhwc[(n * 256 + p) * 3 + c] - nchw[(n * 3 + c) * 256 + p]));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('serializeModel', () => {
  it('refuses inline weights beyond protobuf 2 GiB, before allocating them', () => {
    const g = new GraphBuilder();
    const huge = g.initializer({ name: 'huge', dtype: 'float32', dims: [2 ** 29 + 1], byteLength: 4 * (2 ** 29 + 1), bytes: () => { throw new Error('must not be read'); } });
    g.node('Identity', [huge], {}, ['y']);
    const spec = { graph: g, name: 'g', inputs: [], outputs: [{ name: 'y', shape: [2 ** 29 + 1] }], opset: UNET_OPSET };
    expect(() => serializeModel(spec)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/2 GiB.*external/) }));
  });
});
