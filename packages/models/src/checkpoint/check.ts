import { DifbfsrError } from '@difbfsr/core';
import type { StateDict } from './types.js';

/** Options of {@link checkTensorList}. */
export interface CheckTensorListOptions {
  /** Names present in the checkpoint but not expected are ignored instead of UNEXPECTED_TENSOR. */
  allowUnexpected?: boolean | ((name: string) => boolean);
  /** Label for messages (e.g. the preset name). */
  what?: string;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Check that `stateDict` holds exactly the `expected` tensors with exactly these shapes.
 * Throws `MISSING_TENSOR`, then `UNEXPECTED_TENSOR`, then `SHAPE_MISMATCH` (each message names the
 * tensor, the expected and the actual shape, and counts further problems of all kinds).
 */
export function checkTensorList(
  stateDict: StateDict,
  expected: ReadonlyArray<readonly [string, readonly number[]]>,
  options: CheckTensorListOptions = {},
): void {
  const what = options.what ? `${options.what}: ` : '';
  const want = new Map<string, readonly number[]>();
  for (const [n, s] of expected) want.set(n, s);
  const missing = [...want.keys()].filter((n) => !stateDict.has(n));
  const allow = options.allowUnexpected;
  const unexpected = stateDict
    .names()
    .filter((n) => !want.has(n) && !(allow === true || (typeof allow === 'function' && allow(n))));
  const mismatched: string[] = [];
  for (const [n, s] of want) {
    if (!stateDict.has(n)) continue;
    const got = stateDict.get(n).shape;
    if (got.length !== s.length || got.some((d, i) => d !== s[i])) mismatched.push(n);
  }
  const total = missing.length + unexpected.length + mismatched.length;
  const more = (k: number): string => (total > k ? ` (and ${total - k} more problem${total - k > 1 ? 's' : ''}: ${summary()})` : '');
  const summary = (): string =>
    [
      missing.length && `${missing.length} missing`,
      unexpected.length && `${unexpected.length} unexpected`,
      mismatched.length && `${mismatched.length} shape mismatch${mismatched.length > 1 ? 'es' : ''}`,
    ]
      .filter(Boolean)
      .join(', ');
  if (missing.length) {
    const n = missing[0];
    throw new DifbfsrError('MISSING_TENSOR', `${what}checkpoint lacks tensor "${n}" (expected shape ${fmt(want.get(n)!)})${more(1)}`);
  }
  if (unexpected.length) {
    const n = unexpected[0];
    throw new DifbfsrError(
      'UNEXPECTED_TENSOR',
      `${what}checkpoint has unexpected tensor "${n}" (shape ${fmt(stateDict.get(n).shape)})${more(1)}`,
    );
  }
  if (mismatched.length) {
    const n = mismatched[0];
    throw new DifbfsrError(
      'SHAPE_MISMATCH',
      `${what}tensor "${n}": expected shape ${fmt(want.get(n)!)}, got ${fmt(stateDict.get(n).shape)}${more(1)}`,
    );
  }
}

/** {@link checkTensorList}'s check for one tensor: throws SHAPE_MISMATCH naming it. */
export function checkShape(name: string, expected: readonly number[], got: readonly number[]): void {
  if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
    throw new DifbfsrError('SHAPE_MISMATCH', `tensor "${name}": expected shape ${fmt(expected)}, got ${fmt(got)}`);
  }
}
