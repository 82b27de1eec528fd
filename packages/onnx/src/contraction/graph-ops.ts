import type { GraphBuilder } from '../graph/builder.js';

/** Slope of the LeakyReLU of both modules. */
export const LEAKY_SLOPE = 0.2;

/** An NCHW activation of the contraction graphs: its value name and static shape `[1, C, H, W]`. */
export interface Activation {
  name: string;
  channels: number;
  height: number;
  width: number;
}

/** A conv layer's parameters as graph values: `weight` `[O, I, k, k]` (torch layout), `bias` `[O]`. */
export interface ConvParams {
  weight: string;
  bias: string;
  kernel: number;
  inChannels: number;
  outChannels: number;
}

const pads = (k: number) => ({ pads: { ints: Array(4).fill((k - 1) / 2) } });

/** 'same' convolution, stride 1 (tfjs `conv2d(x, w, 1, 'same')` + bias for odd kernels). */
export function conv(g: GraphBuilder, x: string, p: ConvParams): string {
  return g.op('Conv', [x, p.weight, p.bias], pads(p.kernel));
}

/**
 * Gradient of {@link conv} with respect to its input: a 'same' convolution of `dy` with the
 * weights transposed (`[I, O]`) and flipped in both spatial axes (faster on onnxruntime's CPU
 * provider than the equivalent ConvTranspose).
 */
export function convInputGrad(g: GraphBuilder, dy: string, p: ConvParams): string {
  const transposed = g.op('Transpose', [p.weight], { perm: { ints: [1, 0, 2, 3] } });
  const flipped = p.kernel > 1 ? g.op('Slice', [transposed, g.int64([-1, -1]), g.int64([-(2 ** 62), -(2 ** 62)]), g.int64([2, 3]), g.int64([-1, -1])]) : transposed;
  return g.op('Conv', [dy, flipped], pads(p.kernel));
}

/**
 * Largest patch matrix (bytes) one GEMM of {@link convWeightGrad} builds: larger inputs are taken
 * in bands of rows, one band's patches alive at a time. At 64 px no SRM or CFM layer reaches it
 * (the SRM tail's 9.4 MiB is the largest); at 256 px the tail's would be 151 MiB, twice over with the
 * shifted copies it is stacked from.
 */
export const WEIGHT_GRAD_PATCH_BYTES = 16 * 2 ** 20;

/**
 * Gradient of {@link conv} with respect to its weight, `[O, I, k, k]`: the k*k shifted copies of
 * the zero-padded input stacked as a patch matrix `[k*k*I, H*W]` (shift-major, so the stacking
 * copies whole channel blocks), times the output gradient `[O, H*W]` (one GEMM), reordered to
 * `[O, I, k, k]`. On onnxruntime-node 1.30's CPU provider (2 threads, a loaded machine) this took
 * 1.1-2.9x less time on every SRM and CFM layer shape than one convolution with the input
 * channels as the batch and the output gradient as an H x W kernel. Above
 * {@link WEIGHT_GRAD_PATCH_BYTES} of patches the rows are taken in bands, one GEMM per band, and
 * the bands' products summed: onnxruntime runs each band's nodes (a depth-first walk from the sum)
 * before the next band's, so only one band's patches are alive at a time.
 */
export function convWeightGrad(g: GraphBuilder, x: Activation, dy: string, p: ConvParams): string {
  const k = p.kernel;
  const r = (k - 1) / 2;
  const { height: h, width: w } = x;
  const padded = r > 0 ? g.op('Pad', [x.name, g.int64([0, 0, r, r, 0, 0, r, r])]) : x.name;
  const grads = g.op('Reshape', [dy, g.int64([p.outChannels, h * w])]);
  const band = Math.max(1, Math.min(h, Math.floor(WEIGHT_GRAD_PATCH_BYTES / (4 * k * k * x.channels * w))));
  const products: string[] = [];
  for (let top = 0; top < h; top += band) {
    const rows = Math.min(band, h - top);
    const shifts: string[] = [];
    for (let dy0 = 0; dy0 < k; dy0++) {
      for (let dx0 = 0; dx0 < k; dx0++) shifts.push(g.op('Slice', [padded, g.int64([top + dy0, dx0]), g.int64([top + dy0 + rows, dx0 + w]), g.int64([2, 3])]));
    }
    const stacked = shifts.length > 1 ? g.op('Concat', shifts, { axis: { int: 1 } }) : shifts[0];
    const patches = g.op('Reshape', [stacked, g.int64([k * k * x.channels, rows * w])]);
    const bandGrads = rows === h ? grads : g.op('Slice', [grads, g.int64([top * w]), g.int64([(top + rows) * w]), g.int64([1])]);
    products.push(g.op('Gemm', [bandGrads, patches], { transB: { int: 1 } }));
  }
  const sum = products.length > 1 ? g.op('Sum', products) : products[0];
  const dw = g.op('Reshape', [sum, g.int64([p.outChannels, k, k, p.inChannels])]);
  return g.op('Transpose', [dw], { perm: { ints: [0, 3, 1, 2] } });
}

/** Gradient of the bias of {@link conv}: the output gradient summed over batch and space. */
export function biasGrad(g: GraphBuilder, dy: string): string {
  return g.op('ReduceSum', [dy, g.int64([0, 2, 3])], { keepdims: { int: 0 } });
}

/** LeakyReLU(0.2). */
export function leakyRelu(g: GraphBuilder, x: string): string {
  return g.op('LeakyRelu', [x], { alpha: { float: LEAKY_SLOPE } });
}

/** Gradient of {@link leakyRelu} at pre-activation `x`: `dy` where `x > 0`, else `0.2 dy` (tfjs's convention at 0). */
export function leakyReluGrad(g: GraphBuilder, dy: string, x: string): string {
  return g.op('Where', [g.op('Greater', [x, g.float32([0])]), dy, g.op('Mul', [dy, g.float32([LEAKY_SLOPE])])]);
}

/** Clamp to [-1, 1]. */
export function clampUnit(g: GraphBuilder, x: string): string {
  return g.op('Clip', [x, g.float32([-1]), g.float32([1])]);
}

/** Gradient of {@link clampUnit} at `x`: passes where -1 <= x <= 1 (tfjs's `clipByValue` convention), else 0. */
export function clampUnitGrad(g: GraphBuilder, dy: string, x: string): string {
  const inside = g.op('And', [g.op('GreaterOrEqual', [x, g.float32([-1])]), g.op('LessOrEqual', [x, g.float32([1])])]);
  return g.op('Where', [inside, dy, g.float32([0])]);
}

/** `rows * x * colsT` on every channel of NCHW `x` (`rows` `[H', H]`, `colsT` `[W, W']`). */
export function separable(g: GraphBuilder, x: string, rows: string, colsT: string): string {
  return g.op('MatMul', [g.op('MatMul', [rows, x]), colsT]);
}
