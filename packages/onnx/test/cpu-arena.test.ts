import { describe, expect, it } from 'vitest';
import { activationsFromArena } from '../src/cpu-arena.js';

describe('activationsFromArena', () => {
  const glibc = typeof (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === 'string';

  it('takes the arena exactly on glibc, whose malloc keeps freed aligned blocks in the heap', () => {
    expect(activationsFromArena({})).toBe(glibc);
  });

  it('leaves it off when the process started with a fixed glibc mmap threshold', () => {
    expect(activationsFromArena({ MALLOC_MMAP_THRESHOLD_: '1048576' })).toBe(false);
    expect(activationsFromArena({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=1048576' })).toBe(false);
    expect(activationsFromArena({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' })).toBe(glibc);
  });
});
