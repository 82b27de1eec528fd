import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { loadCheckpoint, saveSafetensors, saveTorchZip, stateDictGlobals, unpickle, type StateDict } from '@difbfsr/models';
import { swapPickle } from './swap-pickle.js';

/** Small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tensors = {
  'in.weight': { shape: [4, 3, 3, 3], data: Float32Array.from({ length: 108 }, (_, i) => Math.sin(i)) },
  'in.bias': { shape: [4], data: Float32Array.from([1, 2, 3, 4]) },
  half: { shape: [2, 3], data: Uint16Array.from([0x3c00, 0, 0x7c00, 0x8001, 0x7e00, 0xbc00]), dtype: 'float16' as const },
  steps: { shape: [2], data: BigInt64Array.from([17n, 640n]) },
  bf: { shape: [3], data: Uint16Array.from([0x3f80, 0, 0xff80]), dtype: 'bfloat16' as const },
};
const SAFE = saveSafetensors(tensors, { config: '{"a":1}' });
const TORCH = saveTorchZip(tensors, { wrap: { key: 'state_dict', prefix: 'module.', extras: { step: 5 } } });

/**
 * Load `bytes`; every outcome must be success or a typed DifbfsrError. On success every tensor
 * must decode, and no tensor may claim more elements than the file has bytes (no huge allocation).
 */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    const sd: StateDict = await loadCheckpoint(bytes);
    for (const n of sd.names()) {
      const t = sd.get(n);
      expect(t.size).toBeLessThanOrEqual(bytes.byteLength);
      expect(t.toFloat32().length).toBe(t.size);
      expect(t.bytes().byteLength).toBe(t.byteLength);
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof DifbfsrError)) throw new Error(`untyped error: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.message.length).toBeGreaterThan(0);
    return e.code;
  }
}

function tally(codes: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const c of codes) t[c] = (t[c] ?? 0) + 1;
  return t;
}

describe.each([
  ['safetensors', SAFE],
  ['torch zip', TORCH],
])('fuzz %s', (_name, base) => {
  it('loads unmodified', async () => {
    expect(await outcome(base)).toBe('ok');
  });

  it('truncations at many offsets end in typed errors', async () => {
    const r = rng(1);
    const offsets = new Set<number>();
    for (let i = 0; i < 64; i++) offsets.add(i);
    for (let i = 1; i <= 64; i++) offsets.add(base.length - i);
    while (offsets.size < 260) offsets.add(Math.floor(r() * base.length));
    const codes: string[] = [];
    for (const o of offsets) codes.push(await outcome(base.subarray(0, o)));
    expect(codes.filter((c) => c === 'ok').length).toBe(0);
    expect(Object.keys(tally(codes)).every((c) => c.startsWith('CHECKPOINT_'))).toBe(true);
  });

  it('random bit flips end in success or typed errors', async () => {
    const r = rng(2);
    const codes: string[] = [];
    for (let i = 0; i < 300; i++) {
      const b = base.slice();
      const flips = 1 + Math.floor(r() * 8);
      for (let k = 0; k < flips; k++) {
        // bias flips toward the structure (headers) where they matter most
        const at = r() < 0.7 ? Math.floor(r() * Math.min(b.length, 600)) : Math.floor(r() * b.length);
        b[at] ^= 1 << Math.floor(r() * 8);
      }
      codes.push(await outcome(b));
    }
    expect(codes.length).toBe(300);
  });

  it('random overwrites of the tail (central directory / data) end in success or typed errors', async () => {
    const r = rng(3);
    for (let i = 0; i < 120; i++) {
      const b = base.slice();
      const at = b.length - 1 - Math.floor(r() * Math.min(b.length, 700));
      const len = 1 + Math.floor(r() * 8);
      for (let k = 0; k < len && at + k < b.length; k++) b[at + k] = r() < 0.5 ? 0xff : Math.floor(r() * 256);
      await outcome(b);
    }
  });
});

describe('fuzz safetensors headers', () => {
  const withHeader = (json: string, data = 64): Uint8Array => {
    const j = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + j.length + data);
    new DataView(out.buffer).setUint32(0, j.length, true);
    out.set(j, 8);
    return out;
  };

  it('an absurd header length is printed exactly (2^62, not a rounded float)', async () => {
    const b = SAFE.slice();
    new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true);
    await expect(loadCheckpoint(b, { format: 'safetensors' })).rejects.toMatchObject({
      code: 'CHECKPOINT_FORMAT',
      message: expect.stringContaining('safetensors header length 4611686018427387904 exceeds the 100000000-byte limit'),
    });
  });

  it('absurd header lengths', async () => {
    for (const [lo, hi] of [
      [0xffffffff, 0xffffffff],
      [0, 0x1fffff],
      [0, 1],
      [100_000_001, 0],
      [SAFE.length, 0],
      [SAFE.length - 8, 0],
      [SAFE.length - 7, 0],
      [1, 0],
      [0, 0],
    ]) {
      const b = SAFE.slice();
      new DataView(b.buffer).setUint32(0, lo, true);
      new DataView(b.buffer).setUint32(4, hi, true);
      const code = await outcome(b);
      expect(code).not.toBe('ok');
      const forced = await loadCheckpoint(b, { format: 'safetensors' }).then(
        () => 'ok',
        (e) => (e instanceof DifbfsrError ? e.code : 'untyped'),
      );
      expect(forced).toMatch(/^CHECKPOINT_/);
    }
  });

  it('huge declared sizes and shapes never allocate', async () => {
    const cases = [
      { w: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 64] } },
      { w: { dtype: 'F32', shape: [2 ** 26, 2 ** 26, 2 ** 26], data_offsets: [0, 2 ** 53] } },
      { w: { dtype: 'F32', shape: [16], data_offsets: [0, 2 ** 40] } },
      { w: { dtype: 'F32', shape: [16], data_offsets: [2 ** 40, 2 ** 40 + 64] } },
      { w: { dtype: 'F32', shape: [-1, 16], data_offsets: [0, 64] } },
      { w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } },
      { w: { dtype: 'F32', shape: '16', data_offsets: [0, 64] } },
      { w: { dtype: 'F32', shape: new Array(100).fill(1), data_offsets: [0, 4] } },
      { w: { dtype: 'F32', shape: [16], data_offsets: [64, 0] } },
      { w: { dtype: 'F32', shape: [16] } },
      { w: { dtype: 7, shape: [16], data_offsets: [0, 64] } },
      { w: { dtype: 'constructor', shape: [16], data_offsets: [0, 64] } },
      { w: { dtype: '__proto__', shape: [16], data_offsets: [0, 64] } },
      { __metadata__: 'x' },
      { __proto__: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      [],
      'str',
    ];
    for (const c of cases) {
      const code = await outcome(withHeader(JSON.stringify(c)));
      expect(code, JSON.stringify(c)).toMatch(/^(CHECKPOINT_FORMAT|CHECKPOINT_TRUNCATED|UNSUPPORTED_DTYPE|ok)$/);
      if (JSON.stringify(c).includes('1e') || JSON.stringify(c).includes('2 **')) expect(code).not.toBe('ok');
    }
    // deeply nested JSON and invalid UTF-8 / JSON
    expect(await outcome(withHeader('['.repeat(200_000) + ']'.repeat(200_000)))).toBe('CHECKPOINT_FORMAT');
    expect(await outcome(withHeader('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)))).toMatch(/^CHECKPOINT_/);
    const bad = withHeader('{"w":1}');
    bad[9] = 0xff;
    expect(await outcome(bad)).toBe('CHECKPOINT_FORMAT');
  });
});

describe('fuzz the unpickler directly', () => {
  const globals = stateDictGlobals('fuzz');
  const run = (b: Uint8Array): string => {
    try {
      unpickle(b, { globals, label: 'fuzz', persistentLoad: () => null });
      return 'ok';
    } catch (e) {
      if (!(e instanceof DifbfsrError)) throw new Error(`untyped error: ${(e as Error)?.stack ?? String(e)}`);
      return e.code;
    }
  };

  it('random opcode soup (seeded) ends in a value or a typed error', () => {
    const r = rng(4);
    const ops = [0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x8b, 0x47, 0x58, 0x8c, 0x8d, 0x42, 0x43, 0x8e, 0x29, 0x85, 0x86, 0x87, 0x74, 0x5d, 0x6c, 0x7d, 0x64, 0x8f, 0x91, 0x61, 0x65, 0x90, 0x73, 0x75, 0x71, 0x72, 0x94, 0x68, 0x6a, 0x52, 0x81, 0x92, 0x62, 0x51, 0x63, 0x93, 0x95, 0x49, 0x4c, 0x46, 0x67, 0x70, 0x53, 0x56, 0x69, 0x6f, 0x50];
    for (let i = 0; i < 400; i++) {
      const len = 1 + Math.floor(r() * 64);
      const b = new Uint8Array(len + 1);
      b[0] = 0x80;
      for (let k = 1; k <= len; k++) b[k] = r() < 0.75 ? ops[Math.floor(r() * ops.length)] : Math.floor(r() * 256);
      run(b);
    }
  });

  it('huge declared lengths, deep nesting and recursion are bounded', () => {
    const cases: Uint8Array[] = [
      Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0xff, 0x41]), // BINUNICODE 4 GiB
      Uint8Array.from([0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // BINUNICODE8
      Uint8Array.from([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0x10, 0]), // BINBYTES8 2^52
      Uint8Array.from([0x80, 4, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x4e, 0x2e]), // FRAME
      Uint8Array.from([0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x7f]), // LONG4 2 GiB
      Uint8Array.from([0x80, 2, 0x8b, 0x00, 0x00, 0x10, 0x00, 0x2e]), // LONG4 1 MiB
      Uint8Array.from([0x80, 2, 0x6a, 0xff, 0xff, 0xff, 0xff, 0x2e]), // LONG_BINGET missing
      new Uint8Array(200_000).fill(0x28), // 200k MARKs
      Uint8Array.from([0x80, 2, 0x4e, ...new Array(300_000).fill(0x85), 0x2e]), // 300k nested 1-tuples
      Uint8Array.from([0x80, 2, 0x5d, 0x71, 0, ...new Array(50_000).fill([0x68, 0, 0x61]).flat(), 0x2e]), // list appended to itself 50k times
      Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, ...new Array(50_000).fill([0x68, 0, 0x68, 0, 0x62]).flat(), 0x2e]), // BUILD dict with itself
      Uint8Array.from([0x49, ...new Array(2_000_000).fill(0x31)]), // endless text int, no newline
      Uint8Array.from([0x80, 2, 0x49, ...new Array(5_000).fill(0x39), 0x0a, 0x2e]), // 5000-digit int
    ];
    const codes = cases.map(run);
    expect(codes.slice(0, 6).every((c) => c !== 'ok')).toBe(true);
    expect(codes[7]).toBe('CHECKPOINT_FORMAT');
    expect(codes[8]).toBe('ok');
  });

  it('deep / recursive structures inside a .pt end in typed errors', async () => {
    const mk = (pkl: number[]): Promise<string> => outcome(swapPickle(TORCH, Uint8Array.from(pkl)));
    // {'a': {'a': {... 40 levels ... {'w': tensor? no: empty}}}}
    const deep: number[] = [0x80, 2];
    for (let i = 0; i < 40; i++) deep.push(0x7d, 0x58, 1, 0, 0, 0, 0x61);
    deep.push(0x4e);
    for (let i = 0; i < 40; i++) deep.push(0x73);
    deep.push(0x2e);
    expect(await mk(deep)).toBe('CHECKPOINT_FORMAT');
    // list that contains itself as the root
    expect(await mk([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e])).toBe('CHECKPOINT_FORMAT');
  });
});
