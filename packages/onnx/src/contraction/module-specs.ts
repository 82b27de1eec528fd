import { DifbfsrError, type ConditionalFusionModule, type SuperResolutionModule } from '@difbfsr/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvParams } from './graph-ops.js';

/** The shape of one conv layer. */
export interface LayerSpec {
  kernel: number;
  inChannels: number;
  outChannels: number;
}

/** The SRM's architecture: layers in `variables` order (head, residual body, x2 upsamplers, tail). */
export interface SrmSpec {
  start: 'bicubic' | 'dip';
  layers: LayerSpec[];
  /** Number of x2 sub-pixel upsampling layers (`log2(scale)`), just before the tail. */
  upCount: number;
}

/** The CFM's architecture: the hidden conv, the logits conv and the per-pixel kernel side. */
export interface CfmSpec {
  kernelSize: number;
  hidden: LayerSpec;
  logits: LayerSpec;
}

/** A module's trainable parameters in ONNX layout (weights `[O, I, k, k]`, biases `[O]`), in `variables` order. */
export interface ParamSet {
  names: string[];
  shapes: number[][];
  data: Float32Array[];
}

function layersOf(what: string, vars: readonly tf.Variable[]): LayerSpec[] {
  if (vars.length % 2 !== 0) throw new DifbfsrError('INVALID_INPUT', `${what}: expected weight/bias pairs, got ${vars.length} variables`);
  const layers: LayerSpec[] = [];
  for (let i = 0; i < vars.length; i += 2) {
    const [kh, kw, inChannels, outChannels] = vars[i].shape;
    if (vars[i].rank !== 4 || kh !== kw || kh % 2 !== 1 || vars[i + 1].shape[0] !== outChannels) {
      throw new DifbfsrError('INVALID_INPUT', `${what}: layer ${i / 2} is not an odd square conv with a matching bias`);
    }
    layers.push({ kernel: kh, inChannels, outChannels });
  }
  return layers;
}

/** The architecture of a core SRM, read from its variables. */
export function srmSpecOf(srm: SuperResolutionModule): SrmSpec {
  const layers = layersOf('SRM', srm.variables);
  const upCount = Math.log2(srm.scale);
  if (layers.length < upCount + 2) throw new DifbfsrError('INVALID_INPUT', `SRM: ${layers.length} layers cannot hold a head, ${upCount} upsamplers and a tail`);
  return { start: srm.start, layers, upCount };
}

/** The architecture of a core CFM, read from its variables. */
export function cfmSpecOf(cfm: ConditionalFusionModule): CfmSpec {
  const layers = layersOf('CFM', cfm.variables);
  if (layers.length !== 2) throw new DifbfsrError('INVALID_INPUT', `CFM: expected 2 conv layers, got ${layers.length}`);
  return { kernelSize: cfm.kernelSize, hidden: layers[0], logits: layers[1] };
}

/** Graph input names of layer `i` of the module `prefix`. */
export function convParams(prefix: string, i: number, layer: LayerSpec): ConvParams {
  return { weight: `${prefix}.${i}.weight`, bias: `${prefix}.${i}.bias`, ...layer };
}

/** tfjs `[k, k, I, O]` to torch/ONNX `[O, I, k, k]`. */
function hwioToOihw(data: Float32Array, k: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < outC; o++) out[((o * inC + i) * k + ky) * k + kx] = data[((ky * k + kx) * inC + i) * outC + o];
  return out;
}

/** A copy of a module's variables in ONNX layout, named as {@link convParams} names them. */
export function paramSetOf(prefix: string, vars: readonly tf.Variable[], layers: readonly LayerSpec[]): ParamSet {
  const set: ParamSet = { names: [], shapes: [], data: [] };
  layers.forEach((l, i) => {
    const p = convParams(prefix, i, l);
    set.names.push(p.weight, p.bias);
    set.shapes.push([l.outChannels, l.inChannels, l.kernel, l.kernel], [l.outChannels]);
    set.data.push(hwioToOihw(vars[2 * i].dataSync() as Float32Array, l.kernel, l.inChannels, l.outChannels), Float32Array.from(vars[2 * i + 1].dataSync()));
  });
  return set;
}
