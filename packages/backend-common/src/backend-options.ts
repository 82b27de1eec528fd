import { DifbfsrError } from '@difbfsr/core';

/** XNNPACK's thread pool in tfjs-backend-wasm 4.22 holds at most this many threads. */
export const MAX_WASM_THREADS = 8;

/**
 * `prefer` of `init()`: `all` (the default order) when absent, else a non-empty list of names from `all`.
 *
 * @throws DifbfsrError `INVALID_OPTION` naming the names it takes.
 */
export function checkPrefer<Name extends string>(prefer: Name[] | undefined, all: readonly Name[]): Name[] {
  if (prefer === undefined) return [...all];
  const unknown = Array.isArray(prefer) ? prefer.filter((p) => !all.includes(p)) : [];
  if (!Array.isArray(prefer) || prefer.length === 0 || unknown.length > 0) {
    throw new DifbfsrError('INVALID_OPTION', `prefer must be a non-empty list of ${all.join(', ')}; got ${JSON.stringify(prefer)}`);
  }
  return prefer;
}

/**
 * `threads` of `init()`: absent, or an integer from 1 to {@link MAX_WASM_THREADS}.
 *
 * @throws DifbfsrError `INVALID_OPTION`.
 */
export function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS)) {
    throw new DifbfsrError('INVALID_OPTION', `threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
}
