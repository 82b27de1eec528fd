import type { AttentionPlan } from '@difbfsr/models';
import { conv, groupNorm, type LayerContext } from './layers.js';

/**
 * guided-diffusion `AttentionBlock.forward` on NCHW `x`: `x + proj_out(attention(qkv(GN(x))))`,
 * with `qkv` and `proj_out` as the checkpoint's `Conv1d`s on `[B, C, T]` tokens. The q, k, v split
 * follows the checkpoint's order (legacy: per head `[q | k | v]`; new: `[Q_all | K_all | V_all]`),
 * q and k are each scaled by `width^-1/4`, and the softmax runs over keys, as in the original.
 */
export function attentionBlock(ctx: LayerContext, p: AttentionPlan, x: string): string {
  const { g } = ctx;
  const n = p.name;
  const c = p.channels;
  const width = c / p.heads;
  const tokens = g.op('Reshape', [groupNorm(ctx, `${n}.norm`, x, c), g.int64([0, c, -1])]);
  const qkv = conv(ctx, `${n}.qkv`, tokens, 1);
  let q: string;
  let k: string;
  let v: string;
  if (p.order === 'legacy') {
    const perHead = g.op('Reshape', [qkv, g.int64([0, p.heads, 3 * width, -1])]);
    [q, k, v] = g.node('Split', [perHead, g.int64([width, width, width])], { axis: { int: 2 } }, 3);
  } else {
    const parts = g.op('Reshape', [qkv, g.int64([0, 3, p.heads, width, -1])]);
    const split = g.node('Split', [parts, g.int64([1, 1, 1])], { axis: { int: 1 } }, 3);
    [q, k, v] = split.map((s) => g.op('Squeeze', [s, g.int64([1])]));
  }
  // q, k, v: [B, heads, width, T].
  const scale = g.float32([1 / Math.sqrt(Math.sqrt(width))]);
  const qT = g.op('Transpose', [g.op('Mul', [q, scale])], { perm: { ints: [0, 1, 3, 2] } });
  const logits = g.op('MatMul', [qT, g.op('Mul', [k, scale])]);
  const weights = g.op('Softmax', [logits], { axis: { int: -1 } });
  const mixedT = g.op('MatMul', [weights, g.op('Transpose', [v], { perm: { ints: [0, 1, 3, 2] } })]);
  const mixed = g.op('Reshape', [g.op('Transpose', [mixedT], { perm: { ints: [0, 1, 3, 2] } }), g.int64([0, c, -1])]);
  const projected = g.op('Reshape', [conv(ctx, `${n}.proj_out`, mixed, 1), g.op('Shape', [x])]);
  return g.op('Add', [x, projected]);
}
