import { DifbfsrError } from '@difbfsr/core';

/** Which part of the work a process takes: items whose index is `index` modulo `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Parse `"i/n"` (0-based `i < n`).
 * @throws DifbfsrError `INVALID_OPTION` for anything else.
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index < count)) throw new DifbfsrError('INVALID_OPTION', `shard must be i/n with 0 <= i < n, got ${JSON.stringify(text)}`);
  return { index, count };
}

/** The items of `items` that belong to `shard`. */
export function inShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, i) => i % shard.count === shard.index);
}
