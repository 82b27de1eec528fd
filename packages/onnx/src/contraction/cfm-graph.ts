import type { GraphBuilder } from '../graph/builder.js';
import { biasGrad, conv, convInputGrad, convWeightGrad, leakyRelu, leakyReluGrad, separable, type Activation } from './graph-ops.js';
import { convParams, type CfmSpec } from './module-specs.js';

/**
 * Graph inputs of a separable low-pass `P` on NCHW images: `rows` and `colsT` apply it
 * (`rows x colsT`), `rowsT` and `cols` its adjoint `P^T`.
 */
export interface LowPassInputs {
  rows: string;
  colsT: string;
  rowsT: string;
  cols: string;
}

/** What the CFM's backward pass needs from its forward pass. */
export interface CfmTape {
  /** `concat(y_hat, x0)`, the hidden conv's input. */
  input: Activation;
  /** The hidden conv's output (the LeakyReLU's input). */
  hiddenPre: string;
  /** The LeakyReLU's output (the logits conv's input). */
  hidden: Activation;
  /** The per-pixel kernels `[1, 1, k*k, H, W]` (softmax of the logits over the taps). */
  kernels: string;
  /** The k x k neighbourhoods of `P(y_hat - x0)`, `[1, 3, k*k, H, W]`. */
  patches: string;
  height: number;
  width: number;
}

/**
 * The one-hot grouped-conv filter `[3 k*k, 1, k, k]` that unfolds each channel's k x k
 * neighbourhoods: output channel `c k*k + (dy k + dx)` reads channel `c` at offset (dy, dx), the
 * order of core's `filterPerPixel`.
 */
function unfoldFilter(g: GraphBuilder, k: number): string {
  const taps = k * k;
  const data = new Float32Array(3 * taps * taps);
  for (let c = 0; c < 3; c++) for (let t = 0; t < taps; t++) data[(c * taps + t) * taps + t] = 1;
  return g.float32(data, [3 * taps, 1, k, k]);
}

/**
 * The adjoint of reflect-padding `axis` (2 or 3 of a rank-4 value) by `r`, its unpadded length
 * `length`: the centre plus each mirrored border strip, reversed, added onto what it copied. Padded
 * index `p < r` copied `r - p` and padded index `r + length + j` copied `length - 2 - j`, so the
 * strips land on `1..r` and `length-1-r..length-2` (they overlap when `2r > length - 2`).
 */
function foldReflectPad(g: GraphBuilder, dy: string, r: number, length: number, axis: 2 | 3): string {
  const axes = g.int64([axis]);
  /** The `r` entries from `start` on, in reverse order. */
  const reversed = (start: number) => g.op('Slice', [dy, g.int64([start + r - 1]), g.int64([start > 0 ? start - 1 : -(2 ** 62)]), axes, g.int64([-1])]);
  const zeroPad = (before: number, after: number) => {
    const pads = new Array<number>(8).fill(0);
    pads[axis] = before;
    pads[4 + axis] = after;
    return g.int64(pads);
  };
  const centre = g.op('Slice', [dy, g.int64([r]), g.int64([r + length]), axes]);
  const top = g.op('Pad', [reversed(0), zeroPad(1, length - 1 - r)]);
  const bottom = g.op('Pad', [reversed(r + length), zeroPad(length - 1 - r, 1)]);
  return g.op('Sum', [centre, top, bottom]);
}

/**
 * The CFM fusion before the clamp, `x0 + filter_K(P(y_hat - x0))`, as core's ConditionalFusionModule
 * computes it: conv3x3(6->F) + LeakyReLU, conv3x3(F->k*k) logits, softmax over the taps, and each
 * pixel's k x k neighbourhood of the reflect-padded `P(y_hat - x0)` weighted by its kernel (`P`
 * the fixed low-pass, `lowPass`). Parameters are the graph inputs `cfm.<i>.weight|bias`.
 */
export function cfmFuse(g: GraphBuilder, spec: CfmSpec, yHat: string, x0: string, lowPass: LowPassInputs, height: number, width: number): { fused: string; tape: CfmTape } {
  const k = spec.kernelSize;
  const taps = k * k;
  const r = (k - 1) / 2;
  const input: Activation = { name: g.op('Concat', [yHat, x0], { axis: { int: 1 } }), channels: 6, height, width };
  const hiddenPre = conv(g, input.name, convParams('cfm', 0, spec.hidden));
  const hidden: Activation = { name: leakyRelu(g, hiddenPre), channels: spec.hidden.outChannels, height, width };
  const logits = conv(g, hidden.name, convParams('cfm', 1, spec.logits));
  const kernels = g.op('Reshape', [g.op('Softmax', [logits], { axis: { int: 1 } }), g.int64([1, 1, taps, height, width])]);
  const band = separable(g, g.op('Sub', [yHat, x0]), lowPass.rows, lowPass.colsT);
  const padded = r > 0 ? g.op('Pad', [band, g.int64([0, 0, r, r, 0, 0, r, r])], { mode: { string: 'reflect' } }) : band;
  const unfolded = g.op('Conv', [padded, unfoldFilter(g, k)], { group: { int: 3 } });
  const patches = g.op('Reshape', [unfolded, g.int64([1, 3, taps, height, width])]);
  const filtered = g.op('ReduceSum', [g.op('Mul', [patches, kernels]), g.int64([2])], { keepdims: { int: 0 } });
  return { fused: g.op('Add', [x0, filtered]), tape: { input, hiddenPre, hidden, kernels, patches, height, width } };
}

/**
 * The gradients of the CFM's parameters (in parameter order) given the gradient `dFused` of the
 * fusion, and with `wantYHat` the gradient of `y_hat` too, with core's conventions: the softmax
 * gradient `K (dK - sum(dK K))`; LeakyReLU passes where its input is `> 0`; and the reflect pad's
 * gradient folds what each mirrored border copy received back onto the pixel it copied, as core's
 * `filterPerPixel` does (tfjs's own MirrorPad gradient would drop it); the low-pass `P` in front of
 * the filter passes its input's gradient back through its adjoint `P^T` (`lowPass`).
 */
export function cfmBackward(g: GraphBuilder, spec: CfmSpec, tape: CfmTape, lowPass: LowPassInputs, dFused: string, wantYHat: boolean): { grads: string[]; dYHat?: string } {
  const k = spec.kernelSize;
  const taps = k * k;
  const r = (k - 1) / 2;
  const { height, width } = tape;
  const dF = g.op('Unsqueeze', [dFused, g.int64([2])]); // [1, 3, 1, H, W]
  const dK = g.op('Reshape', [g.op('ReduceSum', [g.op('Mul', [dF, tape.patches]), g.int64([1])], { keepdims: { int: 1 } }), g.int64([1, taps, height, width])]);
  const kernels = g.op('Reshape', [tape.kernels, g.int64([1, taps, height, width])]);
  const dKK = g.op('Mul', [dK, kernels]);
  const dLogits = g.op('Sub', [dKK, g.op('Mul', [g.op('ReduceSum', [dKK, g.int64([1])], { keepdims: { int: 1 } }), kernels])]);
  const logitsP = convParams('cfm', 1, spec.logits);
  const hiddenP = convParams('cfm', 0, spec.hidden);
  const dHiddenPre = leakyReluGrad(g, convInputGrad(g, dLogits, logitsP), tape.hiddenPre);
  const grads = [convWeightGrad(g, tape.input, dHiddenPre, hiddenP), biasGrad(g, dHiddenPre), convWeightGrad(g, tape.hidden, dLogits, logitsP), biasGrad(g, dLogits)];
  if (!wantYHat) return { grads };
  const dInput = convInputGrad(g, dHiddenPre, hiddenP);
  const dYHatKernels = g.op('Slice', [dInput, g.int64([0]), g.int64([3]), g.int64([1])]);
  const dPatches = g.op('Reshape', [g.op('Mul', [dF, tape.kernels]), g.int64([1, 3 * taps, height, width])]);
  const dPadded = g.op('ConvTranspose', [dPatches, unfoldFilter(g, k)], { group: { int: 3 } });
  const dBand = r > 0 ? foldReflectPad(g, foldReflectPad(g, dPadded, r, height, 2), r, width, 3) : dPadded;
  return { grads, dYHat: g.op('Add', [separable(g, dBand, lowPass.rowsT, lowPass.cols), dYHatKernels]) };
}

/** The fixed fusion `x0 + P(y_hat - x0)` before the clamp. */
export function fixedFuse(g: GraphBuilder, yHat: string, x0: string, lowPass: LowPassInputs): string {
  return g.op('Add', [x0, separable(g, g.op('Sub', [yHat, x0]), lowPass.rows, lowPass.colsT)]);
}

/** The gradient of {@link fixedFuse} with respect to `y_hat`: `P^T dFused`. */
export function fixedFuseGrad(g: GraphBuilder, dFused: string, lowPass: LowPassInputs): string {
  return separable(g, dFused, lowPass.rowsT, lowPass.cols);
}
