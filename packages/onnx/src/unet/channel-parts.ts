import { affine, conv, convWith, GROUPS, normaliseGroups, type LayerContext } from './layers.js';
import { DifbfsrError } from '@difbfsr/core';

/** One slice of an NCHW tensor's channels (axis 1). */
export interface ChannelPart {
  readonly value: string;
  readonly channels: number;
}

/**
 * An NCHW tensor held as consecutive channel slices that are never concatenated: the input of a
 * decoder block, `concat(h, skip)`, whose layers below apply to each slice and sum where channels
 * mix, with the weights' matching slices (`GraphWeights.slice`). A single part is a plain tensor,
 * and every layer below then emits the same nodes as its whole-tensor version in `layers.ts`.
 */
export type ChannelParts = readonly ChannelPart[];

type Range = readonly [number, number];

/** Each part's channel range `[start, end)` in the concatenation. */
function channelRanges(parts: ChannelParts): Range[] {
  let end = 0;
  return parts.map((p) => [end, (end += p.channels)] as const);
}

function totalChannels(parts: ChannelParts): number {
  return parts.reduce((n, p) => n + p.channels, 0);
}

/**
 * Whether GroupNorm32 of the parts' concatenation equals per-part GroupNorms: every part holds
 * whole groups (`C/32` channels each), so no group's statistics straddle two parts.
 */
export function groupAligned(parts: ChannelParts): boolean {
  const total = totalChannels(parts);
  return total % GROUPS === 0 && parts.every((p) => p.channels % (total / GROUPS) === 0);
}

/** `f` applied to each part (element-wise layers, resampling). */
export function mapParts(parts: ChannelParts, f: (value: string) => string): ChannelParts {
  return parts.map((p) => ({ value: f(p.value), channels: p.channels }));
}

/** The whole tensor: the single part, or the parts concatenated along channels. */
export function concatParts({ g }: LayerContext, parts: ChannelParts): string {
  return parts.length === 1 ? parts[0].value : g.op('Concat', parts.map((p) => p.value), { axis: { int: 1 } });
}

/**
 * `GroupNorm32` `name` (no FiLM) of the parts' concatenation, part by part: each part normalised
 * over its own `channels / (C/32)` groups, then scaled and shifted by its slice of the affine.
 *
 * @throws Error (internal) when the parts are not {@link groupAligned}.
 */
export function groupNormParts(ctx: LayerContext, name: string, parts: ChannelParts): ChannelParts {
  if (!groupAligned(parts)) throw new DifbfsrError('INTERNAL', `internal: ${name}'s groups straddle its input parts`);
  const { w } = ctx;
  const groupSize = totalChannels(parts) / GROUPS;
  const ranges = channelRanges(parts);
  const affineOf = (tensor: string, i: number): string => {
    const dims = [parts[i].channels, 1, 1];
    return parts.length === 1 ? w.get(tensor, dims) : w.slice(tensor, [ranges[i]], dims);
  };
  return parts.map((p, i) => {
    const normalised = normaliseGroups(ctx, p.value, p.channels / groupSize);
    return { value: affine(ctx, normalised, affineOf(`${name}.weight`, i), affineOf(`${name}.bias`, i)), channels: p.channels };
  });
}

/**
 * Output channels `rows` of stride-1 convolution `name` (padding as `conv`) of the parts'
 * concatenation: the sum of each part's convolution with its block of the weight, the bias added
 * with the first part. onnxruntime orders the graph by a depth-first search from the outputs that
 * visits the most recently added producer first, so the partial convolutions are emitted last part
 * first: the first part's (a decoder's `h`, computed last) then pulls in the whole network before
 * the others run, which otherwise would run as soon as their skip tensor exists and hold their
 * result through the rest of the network.
 */
function partialSum(ctx: LayerContext, name: string, parts: ChannelParts, kernel: number, rows: Range, outChannels: number): string {
  const { g, w } = ctx;
  const whole = rows[0] === 0 && rows[1] === outChannels;
  const bias = whole ? w.get(`${name}.bias`) : w.slice(`${name}.bias`, [rows]);
  const ranges = channelRanges(parts);
  const terms = parts
    .map((_, i) => parts.length - 1 - i)
    .map((i) => convWith(ctx, parts[i].value, w.slice(`${name}.weight`, [rows, ranges[i]]), i === 0 ? bias : undefined, kernel));
  return terms.reduce((sum, term) => g.op('Add', [sum, term]));
}

/** Stride-1 convolution `name` (`outChannels` outputs) of the parts' concatenation (see `partialSum`). */
export function convParts(ctx: LayerContext, name: string, parts: ChannelParts, kernel: number, outChannels: number): string {
  if (parts.length === 1) return conv(ctx, name, parts[0].value, kernel);
  return partialSum(ctx, name, parts, kernel, [0, outChannels], outChannels);
}

/**
 * Output chunks of a split ResBlock's skip connection. onnxruntime's CPU `Add` never works in
 * place, so summing the parts' whole 1x1 outputs holds both inputs, both partial outputs and their
 * sum: five tensors of the output's size at a full-resolution decoder block, the network's peak.
 * In quarters, at most four are held: both inputs, the finished chunks and their concatenation.
 */
const SKIP_CHUNKS = 4;

/**
 * The skip connection `name` (1x1 convolution, `outChannels` outputs) of the parts'
 * concatenation: for several parts, computed in {@link SKIP_CHUNKS} chunks of output channels
 * (when they divide them) and concatenated.
 */
export function skipConvParts(ctx: LayerContext, name: string, parts: ChannelParts, outChannels: number): string {
  if (parts.length === 1 || outChannels % SKIP_CHUNKS !== 0) return convParts(ctx, name, parts, 1, outChannels);
  const size = outChannels / SKIP_CHUNKS;
  const chunks = Array.from({ length: SKIP_CHUNKS }, (_, c) => partialSum(ctx, name, parts, 1, [c * size, (c + 1) * size], outChannels));
  return concatParts(ctx, chunks.map((value) => ({ value, channels: size })));
}
