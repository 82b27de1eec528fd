import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, parseSafetensors, saveSafetensors, saveSafetensorsFile, saveTorchZip, floatToHalf, halfToFloat } from '@difbfsr/models';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensors = {
  'module.a.weight': { shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 1e-3, 65504, 1e6]) },
  'module.a.bias': { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
  'module.steps': { shape: [1], data: BigInt64Array.from([7n]) },
};

describe('weight cache', () => {
  it('converts a .pt once; the second load hits the cache without parsing the .pt', async () => {
    const pt = join(dir, 'model.pt');
    const cacheDir = join(dir, 'cache');
    const bytes = saveTorchZip(tensors, { wrap: { key: 'state_dict', extras: { step: 500000 } } });
    writeFileSync(pt, bytes);
    utimesSync(pt, 1_700_000_000, 1_700_000_000);
    const first = await loadCheckpoint(pt, { cacheDir });
    expect(first.cache?.hit).toBe(false);
    expect(first.format).toBe('pytorch');
    expect(first.names()).toEqual(['a.weight', 'a.bias', 'steps']);
    expect(first.extras).toEqual({ step: 500000 });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    expect(readdirSync(cacheDir).some((f) => f.includes('.tmp-'))).toBe(false);

    // Overwrite the .pt with garbage of the same size and mtime: a re-parse would fail.
    writeFileSync(pt, new Uint8Array(bytes.length).fill(0x41));
    utimesSync(pt, 1_700_000_000, 1_700_000_000);
    const second = await loadCheckpoint(pt, { cacheDir });
    expect(second.cache).toEqual({ path: first.cache!.path, hit: true });
    expect(second.format).toBe('pytorch');
    expect(second.extras).toEqual({ step: 500000 });
    expect(second.names()).toEqual(first.names());
    expect([...second.get('a.weight').toFloat32()]).toEqual([...tensors['module.a.weight'].data]);

    // A changed mtime is a different key: the garbage is parsed now and refused.
    utimesSync(pt, 1_700_000_000, 1_700_000_005);
    await expect(loadCheckpoint(pt, { cacheDir })).rejects.toMatchObject({ code: 'CHECKPOINT_FORMAT' });
  });

  it('uses DIFBFSR_CACHE_DIR, keys buffers by content, stores fp16 on request, and can be disabled', async () => {
    const cacheDir = join(dir, 'env-cache');
    const bytes = saveTorchZip(tensors);
    const old = process.env.DIFBFSR_CACHE_DIR;
    process.env.DIFBFSR_CACHE_DIR = cacheDir;
    try {
      const a = await loadCheckpoint(bytes);
      expect(a.cache?.hit).toBe(false);
      const b = await loadCheckpoint(bytes.slice());
      expect(b.cache?.hit).toBe(true);
      const h = await loadCheckpoint(bytes, { cacheDType: 'float16' });
      expect(h.cache?.hit).toBe(false);
      expect(h.get('a.weight').dtype).toBe('float16');
      expect(h.get('steps').dtype).toBe('int64');
      expect([...h.get('a.weight').toFloat32()]).toEqual([...tensors['module.a.weight'].data].map((v) => halfToFloat(floatToHalf(v))));
      const f = await loadCheckpoint(bytes, { cacheDType: 'float32' });
      expect(f.get('steps').dtype).toBe('float32');
      const off = await loadCheckpoint(bytes, { cacheDir: false });
      expect(off.cache).toBeUndefined();
      // safetensors sources are never cached
      const s = await loadCheckpoint(saveSafetensors(tensors));
      expect(s.cache).toBeUndefined();
    } finally {
      if (old === undefined) delete process.env.DIFBFSR_CACHE_DIR;
      else process.env.DIFBFSR_CACHE_DIR = old;
    }
  });

  it('rebuilds a corrupt cache entry', async () => {
    const cacheDir = join(dir, 'corrupt');
    const bytes = saveTorchZip(tensors);
    const a = await loadCheckpoint(bytes, { cacheDir });
    writeFileSync(a.cache!.path, new Uint8Array(10));
    const b = await loadCheckpoint(bytes, { cacheDir });
    expect(b.cache?.hit).toBe(false);
    expect([...b.get('a.bias').toFloat32()]).toEqual([...tensors['module.a.bias'].data]);
  });
});

describe('safetensors writer', () => {
  it('writes aligned headers, metadata and fp16; the file writer matches the in-memory one', async () => {
    const mem = saveSafetensors(tensors, { config: '{"x":1}' });
    const n = new DataView(mem.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const p = join(dir, 'w.safetensors');
    const written = await saveSafetensorsFile(p, tensors, { config: '{"x":1}' });
    expect(written).toBe(mem.length);
    expect(Buffer.compare(readFileSync(p), Buffer.from(mem))).toBe(0);
    const sd = parseSafetensors(mem);
    expect(sd.metadata).toEqual({ config: '{"x":1}' });
    const h = parseSafetensors(saveSafetensors(sd, {}, { fp16: true }));
    expect(h.get('module.a.weight').dtype).toBe('float16');
    expect([...h.get('module.a.weight').toFloat32()]).toEqual([1, -2, 3.5, halfToFloat(floatToHalf(1e-3)), 65504, Infinity]);
    expect(() => saveSafetensors({ w: { shape: [2], data: Float32Array.from([1]) } })).toThrow(/do not fill/);
    expect(() => saveSafetensors({ w: { shape: [1], data: Float32Array.from([1]) } }, { bad: 1 as unknown as string })).toThrow(/string/);
  });

  it('accepts tfjs-like tensors', () => {
    const fake = { shape: [2], dtype: 'float32', dataSync: () => Float32Array.from([4, 5]) };
    expect([...parseSafetensors(saveSafetensors({ t: fake })).get('t').toFloat32()]).toEqual([4, 5]);
  });

  it('float16 conversion rounds to nearest even', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(1);
    expect(floatToHalf(2 ** -26)).toBe(0);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    for (let h = 0; h < 0x7c00; h += 37) expect(floatToHalf(halfToFloat(h))).toBe(h);
  });
});
