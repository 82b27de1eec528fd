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

/** Normalise config values so that `"1,2,2"`, `[1, 2, 2]` and `"(1, 2, 2)"` compare equal. */
function normConfigValue(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = v.trim().replace(/^[([]|[)\]]$/g, '');
    if (/^-?\d+(\s*,\s*-?\d+)*,?$/.test(s)) return s.split(',').filter((x) => x.trim() !== '').map(Number);
    if (s === 'True' || s === 'true') return true;
    if (s === 'False' || s === 'false') return false;
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' && /^-?\d+$/.test(x) ? Number(x) : x));
  return v;
}

/**
 * Compare the architecture config stored in a checkpoint's safetensors metadata (`config` JSON, as
 * in the reference fixtures) with the config a model is about to be built with. Only keys present
 * on both sides are compared. Throws `CONFIG_MISMATCH` naming the key, the expected and the stored
 * value; does nothing when the checkpoint has no config.
 */
export function checkConfig(stateDict: StateDict, expected: Readonly<Record<string, unknown>>, options: { what?: string; key?: string } = {}): void {
  const raw = stateDict.metadata[options.key ?? 'config'];
  if (raw === undefined) return;
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `checkpoint metadata "${options.key ?? 'config'}" is not valid JSON`);
  }
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return;
  const what = options.what ? `${options.what}: ` : '';
  for (const [k, want] of Object.entries(expected)) {
    if (!(k in stored)) continue;
    const got = (stored as Record<string, unknown>)[k];
    if (JSON.stringify(normConfigValue(got)) !== JSON.stringify(normConfigValue(want))) {
      throw new DifbfsrError(
        'CONFIG_MISMATCH',
        `${what}config "${k}": expected ${JSON.stringify(want)}, the checkpoint was saved with ${JSON.stringify(got)}`,
      );
    }
  }
}
