import { describe, expect, it } from 'vitest';
import { activationsFromArena, exactAllocation } from '../src/cpu-arena.js';

describe('activationsFromArena, exactAllocation', () => {
  const glibc = typeof (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === 'string';

  it('takes the arena exactly on glibc, whose malloc keeps freed aligned blocks in the heap', () => {
    expect(activationsFromArena({})).toBe(glibc);
  });

  it('leaves it off when the process started with a fixed glibc mmap threshold', () => {
    expect(activationsFromArena({ MALLOC_MMAP_THRESHOLD_: '1048576' })).toBe(false);
    expect(activationsFromArena({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=1048576' })).toBe(false);
    expect(activationsFromArena({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' })).toBe(glibc);
  });

  it('allocates exactly (every session without an arena) only under a fixed threshold on glibc', () => {
    expect(exactAllocation({})).toBe(false);
    expect(exactAllocation({ MALLOC_MMAP_THRESHOLD_: '1048576' })).toBe(glibc);
    expect(exactAllocation({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' })).toBe(glibc);
    for (const env of [{}, { MALLOC_MMAP_THRESHOLD_: '1048576' }]) expect(exactAllocation(env) && activationsFromArena(env)).toBe(false);
  });
});
