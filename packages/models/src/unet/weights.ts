import * as tf from '@tensorflow/tfjs-core';
import type { AttentionPlan, LayerPlan, UNetPlan } from './plan.js';
import { DifbfsrError } from '@difbfsr/core';

/**
 * The network's parameters as tfjs tensors in the layouts the NHWC forward uses, converted once at
 * load (see {@link convertUNetWeights}). Keys are the PyTorch state-dict names, except attention,
 * whose `qkv` becomes `qv` and `k` entries.
 */
export type UNetWeights = Map<string, tf.Tensor>;

/** Returns the float32 data (C order) of the PyTorch tensor `name` of shape `shape`. */
export type TorchTensorReader = (name: string, shape: number[]) => Float32Array;

/** Conv2d `[O, I, kh, kw]` -> `[kh, kw, I, O]`. */
export function convFilterFromTorch(data: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          out[((y * kw + x) * i + ic) * o + oc] = data[((oc * i + ic) * kh + y) * kw + x];
        }
      }
    }
  }
  return out;
}

/** Row-major `[rows, cols]` -> `[cols, rows]` (Linear `[O, I]` -> `[I, O]`). */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}

/** Row of the `qkv` output (`part` 0 = q, 1 = k, 2 = v) for head `h`, channel `c` of that head. */
function qkvRow(order: AttentionPlan['order'], heads: number, width: number, part: number, h: number, c: number): number {
  return order === 'legacy' ? h * 3 * width + part * width + c : part * heads * width + h * width + c;
}

/** Store a tensor built from `data`, keeping it out of any enclosing tidy. */
function put(weights: UNetWeights, name: string, data: Float32Array, shape: number[]): void {
  weights.set(name, tf.keep(tf.tensor(data, shape, 'float32')));
}

function putConv(weights: UNetWeights, read: TorchTensorReader, name: string, i: number, o: number, k: number): void {
  const w = read(`${name}.weight`, [o, i, k, k]);
  put(weights, `${name}.weight`, convFilterFromTorch(w, o, i, k, k), [k, k, i, o]);
  put(weights, `${name}.bias`, read(`${name}.bias`, [o]), [o]);
}

function putLinear(weights: UNetWeights, read: TorchTensorReader, name: string, i: number, o: number): void {
  put(weights, `${name}.weight`, transpose2d(read(`${name}.weight`, [o, i]), o, i), [i, o]);
  put(weights, `${name}.bias`, read(`${name}.bias`, [o]), [o]);
}

function putNorm(weights: UNetWeights, read: TorchTensorReader, name: string, ch: number): void {
  put(weights, `${name}.weight`, read(`${name}.weight`, [ch]), [ch]);
  put(weights, `${name}.bias`, read(`${name}.bias`, [ch]), [ch]);
}

/**
 * Attention: `qkv` (Conv1d `[3C, C, 1]`) is reordered, whatever the checkpoint's qkv order, into
 * head-major channels (`h * width + c`) and split into
 * - `qv`: `[C, 2C]` (in, out) = `[q_all | v_all]`, with `1/sqrt(width)` folded into q, bias `[2C]`;
 * - `k`: `[C, C]` (out, in), bias `[C, 1]`, so `k @ tokens^T` yields k already transposed.
 * `proj_out` (Conv1d `[C, C, 1]`) becomes `[C_in, C_out]`.
 */
function putAttention(weights: UNetWeights, read: TorchTensorReader, layer: AttentionPlan): void {
  const { name, channels: c, heads, order } = layer;
  const width = c / heads;
  putNorm(weights, read, `${name}.norm`, c);
  const qkvW = read(`${name}.qkv.weight`, [3 * c, c, 1]);
  const qkvB = read(`${name}.qkv.bias`, [3 * c]);
  const qScale = 1 / Math.sqrt(width);
  const qvW = new Float32Array(c * 2 * c);
  const qvB = new Float32Array(2 * c);
  const kW = new Float32Array(c * c);
  const kB = new Float32Array(c);
  for (let h = 0; h < heads; h++) {
    for (let ch = 0; ch < width; ch++) {
      const dst = h * width + ch;
      const q = qkvRow(order, heads, width, 0, h, ch);
      const k = qkvRow(order, heads, width, 1, h, ch);
      const v = qkvRow(order, heads, width, 2, h, ch);
      for (let i = 0; i < c; i++) {
        qvW[i * 2 * c + dst] = qkvW[q * c + i] * qScale;
        qvW[i * 2 * c + c + dst] = qkvW[v * c + i];
        kW[dst * c + i] = qkvW[k * c + i];
      }
      qvB[dst] = qkvB[q] * qScale;
      qvB[c + dst] = qkvB[v];
      kB[dst] = qkvB[k];
    }
  }
  put(weights, `${name}.qv.weight`, qvW, [c, 2 * c]);
  put(weights, `${name}.qv.bias`, qvB, [2 * c]);
  put(weights, `${name}.k.weight`, kW, [c, c]);
  put(weights, `${name}.k.bias`, kB, [c, 1]);
  put(weights, `${name}.proj_out.weight`, transpose2d(read(`${name}.proj_out.weight`, [c, c, 1]), c, c), [c, c]);
  put(weights, `${name}.proj_out.bias`, read(`${name}.proj_out.bias`, [c]), [c]);
}

function putLayer(weights: UNetWeights, read: TorchTensorReader, layer: LayerPlan): void {
  const n = layer.name;
  switch (layer.kind) {
    case 'conv':
      putConv(weights, read, n, layer.inChannels, layer.outChannels, 3);
      return;
    case 'downsample':
      putConv(weights, read, `${n}.op`, layer.channels, layer.channels, 3);
      return;
    case 'upsample':
      putConv(weights, read, `${n}.conv`, layer.channels, layer.channels, 3);
      return;
    case 'attention':
      putAttention(weights, read, layer);
      return;
    case 'res': {
      const { inChannels: ci, outChannels: co } = layer;
      putNorm(weights, read, `${n}.in_layers.0`, ci);
      putConv(weights, read, `${n}.in_layers.2`, ci, co, 3);
      putLinear(weights, read, `${n}.emb_layers.1`, layer.embedChannels, layer.scaleShift ? 2 * co : co);
      putNorm(weights, read, `${n}.out_layers.0`, co);
      putConv(weights, read, `${n}.out_layers.3`, co, co, 3);
      if (ci !== co) putConv(weights, read, `${n}.skip_connection`, ci, co, 1);
      return;
    }
  }
}

/**
 * Convert every tensor a plan needs from PyTorch layout to the forward's layout:
 * conv `[O,I,kh,kw]` -> `[kh,kw,I,O]`, linear `[O,I]` -> `[I,O]`, attention as described above.
 * On failure, the tensors made so far are disposed before rethrowing.
 */
export function convertUNetWeights(plan: UNetPlan, read: TorchTensorReader): UNetWeights {
  const weights: UNetWeights = new Map();
  const { modelChannels: mc, embedChannels: e, outChannels } = plan.config;
  try {
    putLinear(weights, read, 'time_embed.0', mc, e);
    putLinear(weights, read, 'time_embed.2', e, e);
    for (const block of [...plan.inputBlocks, plan.middleBlock, ...plan.outputBlocks]) {
      for (const layer of block.layers) putLayer(weights, read, layer);
    }
    putNorm(weights, read, 'out.0', plan.outInChannels);
    putConv(weights, read, 'out.2', plan.outInChannels, outChannels, 3);
  } catch (err) {
    disposeUNetWeights(weights);
    throw err;
  }
  return weights;
}

/** Dispose every tensor of a weight map and empty it. */
export function disposeUNetWeights(weights: UNetWeights): void {
  for (const t of weights.values()) t.dispose();
  weights.clear();
}

/** The tensor `name`, which the loader guarantees to exist. */
export function weight<R extends tf.Rank>(weights: UNetWeights, name: string): tf.Tensor<R> {
  const t = weights.get(name);
  if (!t) throw new DifbfsrError('INTERNAL', `internal: UNet weight ${name} was not loaded`);
  return t as tf.Tensor<R>;
}
