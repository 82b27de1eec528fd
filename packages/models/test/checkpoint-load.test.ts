import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import {
  checkConfig,
  checkTensorList,
  loadCheckpoint,
  parseSafetensors,
  saveSafetensors,
  saveTorchZip,
  sniffFormat,
  type StateDict,
} from '@difbfsr/models';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

const ADM = 'fixtures/adm';
const fx = (f: string): string => sharedPath(ADM, f);

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, re?: RegExp): Promise<DifbfsrError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected DifbfsrError(${code})`).toBeInstanceOf(DifbfsrError);
  expect((err as DifbfsrError).code).toBe(code);
  if (re) expect((err as Error).message).toMatch(re);
  return err as DifbfsrError;
}

/** max |a-b| and whether every element is within `tol(ref)`. */
function compare(ref: StateDict, got: StateDict, tol: (r: number) => number): { maxAbs: number; ok: boolean } {
  let maxAbs = 0;
  let ok = true;
  for (const n of ref.names()) {
    const a = ref.get(n).toFloat32();
    const b = got.get(n).toFloat32();
    expect(got.get(n).shape, n).toEqual(ref.get(n).shape);
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      if (d > maxAbs) maxAbs = d;
      if (!(d <= tol(a[i]))) ok = false;
    }
  }
  return { maxAbs, ok };
}

const exact = (): number => 0;
/** float16 rounding: half an ulp relative (2^-11), plus the subnormal spacing. */
const fp16 = (r: number): number => Math.abs(r) * 2 ** -11 + 2 ** -25;

const LOAD_FIXTURES = ['tiny-a.safetensors', 'tiny-a.pt', 'tiny-a.fp16.pt', 'tiny-a.wrapped.pt', 'tiny-b.safetensors', 'tiny-b.pt'].map((f) => `${ADM}/${f}`);
describeShared('PyTorch and safetensors fixtures load to the same tensors', LOAD_FIXTURES, () => {
  it('tiny-a.safetensors: metadata, names, dtypes', async () => {
    const sd = await loadCheckpoint(fx('tiny-a.safetensors'));
    expect(sd.format).toBe('safetensors');
    expect(sd.size).toBe(144);
    expect(JSON.parse(sd.metadata.config)).toMatchObject({ image_size: 32, num_channels: 32 });
    const params = sd.names().reduce((a, n) => a + sd.get(n).size, 0);
    expect(params).toBe(828358);
    expect(sd.get('time_embed.0.weight').shape).toEqual([128, 32]);
    expect(sd.get('time_embed.0.weight').dtype).toBe('float32');
  });

  it.each([
    ['tiny-a.pt', exact],
    ['tiny-a.fp16.pt', fp16],
    ['tiny-a.wrapped.pt', exact],
  ] as const)('%s equals tiny-a.safetensors', async (file, tol) => {
    const ref = await loadCheckpoint(fx('tiny-a.safetensors'));
    const sd = await loadCheckpoint(fx(file));
    expect(sd.format).toBe('pytorch');
    expect(sd.metadata).toEqual({});
    expect(sd.names()).toEqual(ref.names());
    const { ok, maxAbs } = compare(ref, sd, tol);
    expect(ok, `max |diff| ${maxAbs}`).toBe(true);
    if (file === 'tiny-a.fp16.pt') {
      expect(sd.get('out.2.weight').dtype).toBe('float16');
      expect(maxAbs).toBeGreaterThan(0);
    }
    if (file === 'tiny-a.wrapped.pt') expect(sd.extras).toEqual({ step: 500000 });
  });

  it('tiny-b.pt equals tiny-b.safetensors', async () => {
    const ref = await loadCheckpoint(fx('tiny-b.safetensors'));
    const sd = await loadCheckpoint(fx('tiny-b.pt'));
    expect(sd.size).toBe(274);
    expect(sd.names()).toEqual(ref.names());
    expect(compare(ref, sd, exact).ok).toBe(true);
    expect(sd.names().reduce((a, n) => a + sd.get(n).size, 0)).toBe(1708163);
  });

  it('loads from a file: URL, an ArrayBuffer, a Uint8Array view and parseSafetensors', async () => {
    const ref = await loadCheckpoint(fx('tiny-a.pt'));
    const bytes = readFileSync(fx('tiny-a.pt'));
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    for (const src of [pathToFileURL(fx('tiny-a.pt')), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), padded.subarray(3)]) {
      const sd = await loadCheckpoint(src);
      expect(compare(ref, sd, exact).ok).toBe(true);
    }
    const st = readFileSync(fx('tiny-a.safetensors'));
    const p = parseSafetensors(new Uint8Array(st.buffer, st.byteOffset, st.byteLength));
    expect(compare(ref, p, exact).ok).toBe(true);
  });

  it('loads http URLs with fetch', async () => {
    const bytes = readFileSync(fx('tiny-a.safetensors'));
    const orig = globalThis.fetch;
    globalThis.fetch = (async (u: string) => {
      expect(String(u)).toBe('https://example.test/tiny-a.safetensors');
      return new Response(bytes);
    }) as typeof fetch;
    try {
      const sd = await loadCheckpoint(new URL('https://example.test/tiny-a.safetensors'));
      expect(sd.size).toBe(144);
      globalThis.fetch = (async () => new Response('nope', { status: 404 })) as typeof fetch;
      await expectCode(loadCheckpoint('https://example.test/x.pt'), 'IO', /404/);
    } finally {
      globalThis.fetch = orig;
    }
  });

  it('checkTensorList accepts the exact list and names missing / unexpected / mismatched tensors', async () => {
    const sd = await loadCheckpoint(fx('tiny-a.pt'));
    const list = sd.names().map((n) => [n, [...sd.get(n).shape]] as [string, number[]]);
    expect(() => checkTensorList(sd, list)).not.toThrow();
    const e1 = await expectCode(() => checkTensorList(sd, [...list, ['extra.weight', [3, 3]]]), 'MISSING_TENSOR', /"extra\.weight".*\[3, 3\]/);
    expect(e1.message).not.toMatch(/more problem/);
    await expectCode(() => checkTensorList(sd, list.slice(1)), 'UNEXPECTED_TENSOR', /"time_embed\.0\.weight".*\[128, 32\]/);
    const bad = list.map(([n, s]) => [n, n === 'out.2.bias' ? [7] : s] as [string, number[]]);
    await expectCode(() => checkTensorList(sd, bad, { what: 'tiny-a' }), 'SHAPE_MISMATCH', /tiny-a: tensor "out\.2\.bias": expected shape \[7\], got \[6\]/);
    expect(() => checkTensorList(sd, list.slice(1), { allowUnexpected: (n) => n.startsWith('time_embed') })).not.toThrow();
    await expectCode(async () => sd.get('input_blocks.99.0.weight'), 'MISSING_TENSOR', /input_blocks\.99\.0\.weight/);
  });
});

describe('PyTorch zip details', () => {
  const t = (shape: number[], f: (i: number) => number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
  };

  it('round-trips all dtypes through the torch writer and the safetensors writer', async () => {
    const tensors = {
      f32: t([2, 3], (i) => i - 2.5),
      f64: { shape: [3], data: Float64Array.from([1.5, -2, 1e-3]) },
      f16: { shape: [2], data: Uint16Array.from([0x3c00, 0xc000]), dtype: 'float16' as const },
      bf16: { shape: [2], data: Uint16Array.from([0x3f80, 0xc040]), dtype: 'bfloat16' as const },
      i64: { shape: [2], data: BigInt64Array.from([17n, -640n]) },
      i32: { shape: [1], data: Int32Array.from([-7]) },
      i16: { shape: [1], data: Int16Array.from([-300]) },
      i8: { shape: [2], data: Int8Array.from([-1, 5]) },
      u8: { shape: [1], data: Uint8Array.from([200]) },
      b: { shape: [2], data: Uint8Array.from([0, 1]), dtype: 'bool' as const },
      scalar: t([], () => 42),
      empty: t([0, 4], () => 0),
    };
    const want: Record<string, number[]> = {
      f32: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5],
      f64: [1.5, -2, Math.fround(1e-3)],
      f16: [1, -2],
      bf16: [1, -3],
      i64: [17, -640],
      i32: [-7],
      i16: [-300],
      i8: [-1, 5],
      u8: [200],
      b: [0, 1],
      scalar: [42],
      empty: [],
    };
    for (const bytes of [saveTorchZip(tensors), saveSafetensors(tensors)]) {
      const sd = await loadCheckpoint(bytes);
      expect(sd.names()).toEqual(Object.keys(tensors));
      for (const [n, v] of Object.entries(want)) expect([...sd.get(n).toFloat32()], n).toEqual(v);
      expect(sd.get('scalar').shape).toEqual([]);
      expect(sd.get('i64').dtype).toBe('int64');
      expect([...sd.get('f16').bytes()]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    }
  });

  it('unwraps {"model": ...} and strips "module." only when every name has it', async () => {
    const tensors = { 'a.weight': t([2], (i) => i), 'b.bias': t([1], () => 9) };
    const wrapped = saveTorchZip(tensors, { wrap: { key: 'model', prefix: 'module.', extras: { epoch: 3, name: 'x' } } });
    const sd = await loadCheckpoint(wrapped);
    expect(sd.names()).toEqual(['a.weight', 'b.bias']);
    expect(sd.extras).toEqual({ epoch: 3, name: 'x' });
    const kept = await loadCheckpoint(wrapped, { stripPrefix: false });
    expect(kept.names()).toEqual(['module.a.weight', 'module.b.bias']);
    const explicit = await loadCheckpoint(wrapped, { key: 'model' });
    expect(explicit.size).toBe(2);
    await expectCode(loadCheckpoint(wrapped, { key: 'ema' }), 'CHECKPOINT_FORMAT', /"ema".*"model"/);
    const mixed = saveTorchZip({ 'module.a': t([1], () => 1), b: t([1], () => 2) });
    expect((await loadCheckpoint(mixed)).names()).toEqual(['module.a', 'b']);
  });

  it('reads strided views and shared storages (hand-built pickle)', async () => {
    // Two tensors over one 6-element storage: a [2,3] and its transpose view [3,2] stride [1,3].
    const base = saveTorchZip({ s: t([6], (i) => i) });
    const pkl = pickle((p) => {
      p.op(0x80, 2, 0x7d, 0x28);
      for (const [name, shape, stride, off] of [
        ['a', [2, 3], [3, 1], 0],
        ['aT', [3, 2], [1, 3], 0],
        ['tail', [2], [2], 1],
      ] as const) {
        p.str(name).global('torch._utils', '_rebuild_tensor_v2');
        p.op(0x28, 0x28).str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(6).op(0x74, 0x51);
        p.int(off).tuple([...shape]).tuple([...stride]).op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52, 0x74, 0x52);
      }
      p.op(0x75, 0x2e);
    });
    const sd = await loadCheckpoint(replaceEntry(base, 'archive/data.pkl', pkl));
    expect([...sd.get('a').toFloat32()]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...sd.get('aT').toFloat32()]).toEqual([0, 3, 1, 4, 2, 5]);
    expect([...sd.get('tail').toFloat32()]).toEqual([1, 3]);
    expect([...new Float32Array(sd.get('aT').bytes().buffer)]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('inflates deflate-compressed entries', async () => {
    const tensors = { w: t([64, 8], (i) => Math.sin(i)), z: t([1000], () => 0) };
    const deflated = await deflateAll(saveTorchZip(tensors));
    const sd = await loadCheckpoint(deflated);
    expect([...sd.get('w').toFloat32()]).toEqual([...tensors.w.data]);
    expect(sd.get('z').toFloat32().every((v) => v === 0)).toBe(true);
  });

  it('names the problem for broken files', async () => {
    const good = saveTorchZip({ w: t([4, 4], (i) => i) });
    await expectCode(loadCheckpoint(new Uint8Array(0)), 'CHECKPOINT_FORMAT', /empty/);
    await expectCode(loadCheckpoint(new TextEncoder().encode('hello world, not a model')), 'CHECKPOINT_FORMAT', /not a checkpoint/);
    await expectCode(loadCheckpoint(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19])), 'CHECKPOINT_FORMAT', /legacy/);
    await expectCode(loadCheckpoint(good.subarray(0, good.length - 30)), 'CHECKPOINT_TRUNCATED', /truncated/);
    const st = saveSafetensors({ w: t([4, 4], (i) => i) });
    await expectCode(loadCheckpoint(st.subarray(0, st.length - 1)), 'CHECKPOINT_TRUNCATED', /"w".*truncated/);
    const huge = st.slice();
    new DataView(huge.buffer).setUint32(4, 0x10, true);
    await expectCode(loadCheckpoint(huge, { format: 'safetensors' }), 'CHECKPOINT_FORMAT', /header overflow/);
    const over = st.slice();
    new DataView(over.buffer).setUint32(0, st.length, true);
    await expectCode(loadCheckpoint(over), 'CHECKPOINT_TRUNCATED', /overflows the file/);
    await expectCode(loadCheckpoint(withHeader({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2)), 'UNSUPPORTED_DTYPE', /"w".*F8_E4M3/);
    await expectCode(loadCheckpoint(withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)), 'CHECKPOINT_FORMAT', /"w".*12 bytes/);
    await expectCode(
      loadCheckpoint(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12)),
      'CHECKPOINT_FORMAT',
      /overlap/,
    );
    await expectCode(loadCheckpoint(sharedPathOrTmp('does-not-exist.pt')), 'IO', /does-not-exist/);
  });

  it('safetensors: tensor order in the header and in the data are independent', async () => {
    const data = new Float32Array([10, 11, 12, 1, 2]); // b's bytes first, then a's
    const h = withHeader(
      { a: { dtype: 'F32', shape: [2], data_offsets: [12, 20] }, __metadata__: { k: 'v' }, b: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } },
      20,
    );
    h.set(new Uint8Array(data.buffer), h.length - 20);
    const sd = await loadCheckpoint(h);
    expect(sd.names()).toEqual(['a', 'b']);
    expect([...sd.get('a').toFloat32()]).toEqual([1, 2]);
    expect([...sd.get('b').toFloat32()]).toEqual([10, 11, 12]);
    expect(sd.metadata).toEqual({ k: 'v' });
  });

  it('reads ZIP64 central-directory fields', async () => {
    const tensors = { w: t([3, 5], (i) => i / 7), b: t([5], (i) => -i) };
    const sd = await loadCheckpoint(toZip64(saveTorchZip(tensors)));
    expect([...sd.get('w').toFloat32()]).toEqual([...tensors.w.data]);
    expect([...sd.get('b').toFloat32()]).toEqual([...tensors.b.data]);
  });

  it('refuses to read tensors lazily from a file that changed after loading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'difbfsr-load-test-'));
    try {
      const f = join(dir, 'm.safetensors');
      writeFileSync(f, saveSafetensors({ w: t([4], (i) => i) }));
      const sd = await loadCheckpoint(f);
      expect([...sd.get('w').toFloat32()]).toEqual([0, 1, 2, 3]);
      writeFileSync(f, saveSafetensors({ w: t([4], (i) => 9 - i) }));
      utimesSync(f, 1_600_000_000, 1_600_000_000);
      await expectCode(() => sd.get('w').toFloat32(), 'IO', /changed on disk/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkConfig compares the stored config with the expected one', async () => {
    const sd = await loadCheckpoint(saveSafetensors({ w: t([1], () => 1) }, { config: JSON.stringify({ num_channels: 32, channel_mult: [1, 2], learn_sigma: true }) }));
    expect(() => checkConfig(sd, { num_channels: 32, channel_mult: '1,2', learn_sigma: true, other: 5 })).not.toThrow();
    await expectCode(() => checkConfig(sd, { num_channels: 64 }, { what: 'ffhq256' }), 'CONFIG_MISMATCH', /ffhq256: config "num_channels": expected 64, .* 32/);
    await expectCode(() => checkConfig(sd, { channel_mult: [1, 2, 2] }), 'CONFIG_MISMATCH', /channel_mult/);
    const none = await loadCheckpoint(saveSafetensors({ w: t([1], () => 1) }));
    expect(() => checkConfig(none, { num_channels: 64 })).not.toThrow();
  });

  it('sniffs formats', () => {
    expect(sniffFormat(saveTorchZip({ w: t([1], () => 1) }).subarray(0, 16))).toBe('pytorch');
    expect(sniffFormat(saveSafetensors({ w: t([1], () => 1) }).subarray(0, 16))).toBe('safetensors');
    expect(sniffFormat(new Uint8Array(16))).toBe('unknown');
  });
});

function sharedPathOrTmp(f: string): string {
  return `/nonexistent-dir-difbfsr/${f}`;
}

/** A safetensors file with this header and `dataLen` zero bytes of data. */
function withHeader(h: object, dataLen: number): Uint8Array {
  const j = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + j.length + dataLen);
  new DataView(out.buffer).setUint32(0, j.length, true);
  out.set(j, 8);
  return out;
}

/** Minimal pickle builder for hand-made streams. */
class P {
  b: number[] = [];
  op(...x: number[]): this {
    this.b.push(...x);
    return this;
  }
  raw(s: string): this {
    this.b.push(...new TextEncoder().encode(s));
    return this;
  }
  str(s: string): this {
    const e = new TextEncoder().encode(s);
    return this.op(0x58, e.length & 255, (e.length >> 8) & 255, 0, 0).op(...e);
  }
  int(v: number): this {
    return v < 256 ? this.op(0x4b, v) : this.op(0x4a, v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24);
  }
  global(m: string, n: string): this {
    return this.op(0x63).raw(`${m}\n${n}\n`);
  }
  tuple(xs: number[]): this {
    this.op(0x28);
    xs.forEach((x) => this.int(x));
    return this.op(0x74);
  }
}
function pickle(f: (p: P) => void): Uint8Array {
  const p = new P();
  f(p);
  return Uint8Array.from(p.b);
}

interface Ent {
  name: string;
  data: Uint8Array;
  method: number;
  size: number;
}
/** Parse a (stored-only, no-ZIP64) archive into its entries. */
function entriesOf(zip: Uint8Array): Ent[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const n = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: Ent[] = [];
  for (let i = 0; i < n; i++) {
    const csize = dv.getUint32(p + 20, true);
    const nl = dv.getUint16(p + 28, true);
    const el = dv.getUint16(p + 30, true);
    const cl = dv.getUint16(p + 32, true);
    const lho = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nl));
    const start = lho + 30 + dv.getUint16(lho + 26, true) + dv.getUint16(lho + 28, true);
    out.push({ name, data: zip.slice(start, start + csize), method: 0, size: csize });
    p += 46 + nl + el + cl;
  }
  return out;
}
/** Build an archive from entries (method 0 or 8 with precompressed data). */
function buildZip(ents: Ent[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const cen: Uint8Array[] = [];
  let off = 0;
  for (const e of ents) {
    const nb = new TextEncoder().encode(e.name);
    const h = new Uint8Array(30 + nb.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(8, e.method, true);
    dv.setUint32(18, e.data.length, true);
    dv.setUint32(22, e.size, true);
    dv.setUint16(26, nb.length, true);
    h.set(nb, 30);
    const c = new Uint8Array(46 + nb.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.size, true);
    cv.setUint16(28, nb.length, true);
    cv.setUint32(42, off, true);
    c.set(nb, 46);
    parts.push(h, e.data);
    cen.push(c);
    off += h.length + e.data.length;
  }
  const cdSize = cen.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, ents.length, true);
  ev.setUint16(10, ents.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, off, true);
  const all = [...parts, ...cen, end];
  const out = new Uint8Array(all.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const a of all) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
function replaceEntry(zip: Uint8Array, name: string, data: Uint8Array): Uint8Array {
  return buildZip(entriesOf(zip).map((e) => (e.name === name ? { ...e, data, size: data.length } : e)));
}
/** Rewrite a stored archive so every central entry and the end record use ZIP64 fields. */
function toZip64(zip: Uint8Array): Uint8Array {
  const ents = entriesOf(zip);
  const parts: Uint8Array[] = [];
  const cen: Uint8Array[] = [];
  let off = 0;
  for (const e of ents) {
    const nb = new TextEncoder().encode(e.name);
    const h = new Uint8Array(30 + nb.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint32(18, 0xffffffff, true);
    dv.setUint32(22, 0xffffffff, true);
    dv.setUint16(26, nb.length, true);
    h.set(nb, 30);
    const c = new Uint8Array(46 + nb.length + 4 + 24);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, nb.length, true);
    cv.setUint16(30, 28, true);
    cv.setUint32(42, 0xffffffff, true);
    c.set(nb, 46);
    const x = 46 + nb.length;
    cv.setUint16(x, 1, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(e.data.length), true); // size
    cv.setBigUint64(x + 12, BigInt(e.data.length), true); // compressed size
    cv.setBigUint64(x + 20, BigInt(off), true); // local header offset
    parts.push(h, e.data);
    cen.push(c);
    off += h.length + e.data.length;
  }
  const cdSize = cen.reduce((a, c) => a + c.length, 0);
  const rec = new Uint8Array(56);
  const rv = new DataView(rec.buffer);
  rv.setUint32(0, 0x06064b50, true);
  rv.setBigUint64(4, 44n, true);
  rv.setBigUint64(24, BigInt(ents.length), true);
  rv.setBigUint64(32, BigInt(ents.length), true);
  rv.setBigUint64(40, BigInt(cdSize), true);
  rv.setBigUint64(48, BigInt(off), true);
  const loc = new Uint8Array(20);
  const lv = new DataView(loc.buffer);
  lv.setUint32(0, 0x07064b50, true);
  lv.setBigUint64(8, BigInt(off + cdSize), true);
  lv.setUint32(16, 1, true);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 0xffff, true);
  ev.setUint16(10, 0xffff, true);
  ev.setUint32(12, 0xffffffff, true);
  ev.setUint32(16, 0xffffffff, true);
  const all = [...parts, ...cen, rec, loc, end];
  const out = new Uint8Array(all.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const a of all) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
async function deflateAll(zip: Uint8Array): Promise<Uint8Array> {
  const ents = entriesOf(zip);
  for (const e of ents) {
    const cs = new CompressionStream('deflate-raw');
    const comp = new Uint8Array(await new Response(new Blob([e.data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(cs)).arrayBuffer());
    e.size = e.data.length;
    e.data = comp;
    e.method = 8;
  }
  return buildZip(ents);
}
