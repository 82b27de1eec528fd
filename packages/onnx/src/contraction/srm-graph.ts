import type { GraphBuilder } from '../graph/builder.js';
import { biasGrad, clampUnit, clampUnitGrad, conv, convInputGrad, convWeightGrad, leakyRelu, leakyReluGrad, type Activation } from './graph-ops.js';
import { convParams, type SrmSpec } from './module-specs.js';

/** What the SRM's backward pass needs from its forward pass. */
export interface SrmTape {
  /** The input of every conv layer, in layer order. */
  inputs: Activation[];
  /** The pre-activation of every LeakyReLU (after the sub-pixel shuffle for upsamplers); none for the tail. */
  pre: string[];
  /** Bicubic start: `base + net(y)` before the clamp. */
  sum?: string;
  /** The output `S(y)`. */
  yHat: string;
}

/**
 * `S(y)` on NCHW `y` `[1, 3, h, w]`, as core's SuperResolutionModule computes it: conv + LeakyReLU,
 * residual conv + LeakyReLU layers with skips, per octave conv then DepthToSpace (DCR, which is
 * core's `pixelShuffle` channel order) then LeakyReLU, tail conv, then `clamp(base + out)` (`base`
 * the bicubic upsampling of `y`) or `tanh(out)`. Parameters are the graph inputs `srm.<i>.weight|bias`.
 */
export function srmForward(g: GraphBuilder, spec: SrmSpec, y: Activation, base: string): SrmTape {
  const { layers, upCount } = spec;
  const last = layers.length - 1;
  const bodyEnd = last - upCount;
  const tape: SrmTape = { inputs: [], pre: [], yHat: '' };
  let h = y;
  layers.forEach((layer, i) => {
    tape.inputs.push(h);
    const a = conv(g, h.name, convParams('srm', i, layer));
    if (i === last) {
      if (spec.start === 'dip') {
        tape.yHat = g.op('Tanh', [a]);
      } else {
        tape.sum = g.op('Add', [base, a]);
        tape.yHat = clampUnit(g, tape.sum);
      }
    } else if (i >= bodyEnd) {
      const shuffled = g.op('DepthToSpace', [a], { blocksize: { int: 2 }, mode: { string: 'DCR' } });
      tape.pre.push(shuffled);
      h = { name: leakyRelu(g, shuffled), channels: layer.outChannels / 4, height: 2 * h.height, width: 2 * h.width };
    } else {
      tape.pre.push(a);
      const act = leakyRelu(g, a);
      h = { name: i === 0 ? act : g.op('Add', [h.name, act]), channels: layer.outChannels, height: h.height, width: h.width };
    }
  });
  return tape;
}

/**
 * The gradients of the SRM's parameters given the gradient `dyHat` of its output, in parameter
 * order (`weight`, `bias` per layer), with tfjs's conventions: the clamp passes the gradient where
 * `-1 <= base + out <= 1`, LeakyReLU where its input is `> 0` (0.2 elsewhere).
 */
export function srmBackward(g: GraphBuilder, spec: SrmSpec, tape: SrmTape, dyHat: string): string[] {
  const { layers, upCount } = spec;
  const last = layers.length - 1;
  const bodyEnd = last - upCount;
  const grads: string[] = new Array(2 * layers.length);
  const dOut =
    spec.start === 'dip'
      ? g.op('Mul', [dyHat, g.op('Sub', [g.float32([1]), g.op('Mul', [tape.yHat, tape.yHat])])])
      : clampUnitGrad(g, dyHat, tape.sum!);
  // dh: the gradient of the output activation of layer i.
  let dh = '';
  for (let i = last; i >= 0; i--) {
    const p = convParams('srm', i, layers[i]);
    let da: string;
    if (i === last) da = dOut;
    else if (i >= bodyEnd) da = g.op('SpaceToDepth', [leakyReluGrad(g, dh, tape.pre[i])], { blocksize: { int: 2 } });
    else da = leakyReluGrad(g, dh, tape.pre[i]);
    grads[2 * i] = convWeightGrad(g, tape.inputs[i], da, p);
    grads[2 * i + 1] = biasGrad(g, da);
    if (i === 0) break;
    const dIn = convInputGrad(g, da, p);
    // A residual layer's input reaches its output through the skip as well.
    dh = i < bodyEnd ? g.op('Add', [dh, dIn]) : dIn;
  }
  return grads;
}
