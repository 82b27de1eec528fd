import { DifbfsrError } from '../errors.js';
import type { Point } from '../types/face.js';

/** A 2-D affine map `x' = a x + b y + tx`, `y' = c x + d y + ty`. */
export interface Affine2D {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

/**
 * The similarity transform (uniform scale, rotation, translation; no reflection) that maps `from`
 * onto `to` with the least squared error: Umeyama's closed form, which in 2-D reads, with points as
 * complex numbers and both sets centred, `k = sum(conj(z_i) w_i) / sum(|z_i|^2)` (scale times rotation)
 * and `t = mean(to) - k mean(from)`.
 * @throws DifbfsrError `INVALID_INPUT` for mismatched or degenerate point sets (all `from` points equal).
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine2D {
  if (from.length !== to.length || from.length < 2) {
    throw new DifbfsrError('INVALID_INPUT', `A similarity needs two or more point pairs, got ${from.length} and ${to.length} points`);
  }
  const n = from.length;
  const mean = (ps: readonly Point[]) => ({ x: ps.reduce((s, p) => s + p.x, 0) / n, y: ps.reduce((s, p) => s + p.y, 0) / n });
  const mf = mean(from);
  const mt = mean(to);
  let re = 0;
  let im = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const zx = from[i].x - mf.x;
    const zy = from[i].y - mf.y;
    const wx = to[i].x - mt.x;
    const wy = to[i].y - mt.y;
    re += zx * wx + zy * wy;
    im += zx * wy - zy * wx;
    norm += zx * zx + zy * zy;
  }
  if (!(norm > 1e-12) || !Number.isFinite(re + im)) {
    throw new DifbfsrError('INVALID_INPUT', 'The landmarks are degenerate (all at one point) or not finite; no alignment exists');
  }
  const kr = re / norm;
  const ki = im / norm;
  return { a: kr, b: -ki, c: ki, d: kr, tx: mt.x - (kr * mf.x - ki * mf.y), ty: mt.y - (ki * mf.x + kr * mf.y) };
}

/** Apply an affine map to a point. */
export function applyAffine(m: Affine2D, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.tx, y: m.c * p.x + m.d * p.y + m.ty };
}

/** Bounding box `{ lo, hi }` of the square `[0, side]^2` mapped by `m` (its four corners). */
export function squareBounds(m: Affine2D, side: number): { lo: Point; hi: Point } {
  const corners = [
    { x: 0, y: 0 },
    { x: side, y: 0 },
    { x: 0, y: side },
    { x: side, y: side },
  ].map((p) => applyAffine(m, p));
  return {
    lo: { x: Math.min(...corners.map((p) => p.x)), y: Math.min(...corners.map((p) => p.y)) },
    hi: { x: Math.max(...corners.map((p) => p.x)), y: Math.max(...corners.map((p) => p.y)) },
  };
}

/** The inverse map. @throws DifbfsrError `INVALID_INPUT` when the map is singular. */
export function invertAffine(m: Affine2D): Affine2D {
  const det = m.a * m.d - m.b * m.c;
  if (!(Math.abs(det) > 1e-12)) throw new DifbfsrError('INVALID_INPUT', 'The affine map is singular and has no inverse');
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, tx: -(a * m.tx + b * m.ty), ty: -(c * m.tx + d * m.ty) };
}

/** `outer(inner(p))`. */
export function composeAffine(outer: Affine2D, inner: Affine2D): Affine2D {
  return {
    a: outer.a * inner.a + outer.b * inner.c,
    b: outer.a * inner.b + outer.b * inner.d,
    c: outer.c * inner.a + outer.d * inner.c,
    d: outer.c * inner.b + outer.d * inner.d,
    tx: outer.a * inner.tx + outer.b * inner.ty + outer.tx,
    ty: outer.c * inner.tx + outer.d * inner.ty + outer.ty,
  };
}

/** The uniform scale of a similarity (`sqrt |det|`). */
export function affineScale(m: Affine2D): number {
  return Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
}

/** Uniform scaling about the origin. */
export function scaling(k: number): Affine2D {
  return { a: k, b: 0, c: 0, d: k, tx: 0, ty: 0 };
}

/** Translation. */
export function translation(tx: number, ty: number): Affine2D {
  return { a: 1, b: 0, c: 0, d: 1, tx, ty };
}
