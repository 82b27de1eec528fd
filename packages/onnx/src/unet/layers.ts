import type { GraphBuilder } from '../graph/builder.js';
import type { GraphWeights } from './weights.js';

/** guided-diffusion's `normalization()`: always 32 groups, torch's eps. */
export const GROUPS = 32;
const GROUP_NORM_EPS = 1e-5;

/** The tensors a layer needs while it is emitted. */
export interface LayerContext {
  g: GraphBuilder;
  w: GraphWeights;
}

/** `x * sigmoid(x)` (torch `nn.SiLU`). */
export function silu({ g }: LayerContext, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** Per-sample FiLM coefficients `[B, C, 1, 1]` of scale-shift norm: `y * (1 + scale) + shift`. */
export interface Film {
  scale: string;
  shift: string;
}

/**
 * `x` (NCHW) viewed as `[B, groups, C/groups*H*W]`, normalised per row by `InstanceNormalization`
 * (mean and biased variance per sample and group, eps 1e-5), viewed back as `x`'s shape.
 */
export function normaliseGroups({ g }: LayerContext, x: string, groups: number): string {
  const grouped = g.op('Reshape', [x, g.int64([0, groups, -1])]);
  const ones = g.float32(new Float32Array(groups).fill(1), [groups]);
  const zeros = g.float32(new Float32Array(groups), [groups]);
  const normalised = g.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: { float: GROUP_NORM_EPS } });
  return g.op('Reshape', [normalised, g.op('Shape', [x])]);
}

/** `x * scale + shift`, per channel (`scale` and `shift` broadcast as `[C, 1, 1]` or `[B, C, 1, 1]`). */
export function affine({ g }: LayerContext, x: string, scale: string, shift: string): string {
  return g.op('Add', [g.op('Mul', [x, scale]), shift]);
}

/**
 * `GroupNorm32` of NCHW `x` with the module `name`'s affine: {@link normaliseGroups} over 32
 * groups, then scaled and shifted per channel. With `film`, the scale-shift norm
 * `GN(x) * (1 + scale) + shift` is folded into that one scale and shift (computed on
 * `[B, C, 1, 1]` tensors), so the full-size tensor is touched by two element-wise ops either way.
 */
export function groupNorm(ctx: LayerContext, name: string, x: string, channels: number, film?: Film): string {
  const { g, w } = ctx;
  const normalised = normaliseGroups(ctx, x, GROUPS);
  let scale = w.get(`${name}.weight`, [channels, 1, 1]);
  let shift = w.get(`${name}.bias`, [channels, 1, 1]);
  if (film) {
    const onePlus = g.op('Add', [film.scale, g.float32([1])]);
    scale = g.op('Mul', [scale, onePlus]);
    shift = g.op('Add', [g.op('Mul', [shift, onePlus]), film.shift]);
  }
  return affine(ctx, normalised, scale, shift);
}

/**
 * torch `Conv2d` `name` (weight `[O, I, k, k]`, padding `(k - 1) / 2` on every side) on NCHW `x`;
 * `Conv1d` (`[O, I, 1]`) on `[B, C, T]` works the same way.
 */
export function conv(ctx: LayerContext, name: string, x: string, kernel: number, stride = 1): string {
  const { w } = ctx;
  return convWith(ctx, x, w.get(`${name}.weight`), w.get(`${name}.bias`), kernel, stride);
}

/** {@link conv} with given weight and bias values (no bias when `bias` is undefined). */
export function convWith({ g }: LayerContext, x: string, weight: string, bias: string | undefined, kernel: number, stride = 1): string {
  const p = (kernel - 1) / 2;
  return g.op('Conv', bias === undefined ? [x, weight] : [x, weight, bias], {
    ...(p > 0 ? { pads: { ints: [p, p, p, p] } } : {}),
    ...(stride > 1 ? { strides: { ints: [stride, stride] } } : {}),
  });
}

/** torch `Linear` `name` (weight `[O, I]`) on `[B, I]`. */
export function linear({ g, w }: LayerContext, name: string, x: string): string {
  return g.op('Gemm', [x, w.get(`${name}.weight`), w.get(`${name}.bias`)], { transB: { int: 1 } });
}

/** Nearest-neighbour x2 (torch `F.interpolate(scale_factor=2, mode="nearest")`). */
export function upsampleNearest2x({ g }: LayerContext, x: string): string {
  return g.op('Resize', [x, '', g.float32([1, 1, 2, 2], [4])], {
    mode: { string: 'nearest' },
    coordinate_transformation_mode: { string: 'asymmetric' },
    nearest_mode: { string: 'floor' },
  });
}

/** 2x2 stride-2 average pooling (torch `AvgPool2d(2)`). */
export function avgPool2x({ g }: LayerContext, x: string): string {
  return g.op('AveragePool', [x], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
}
