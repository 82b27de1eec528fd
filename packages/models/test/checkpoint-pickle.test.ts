import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { loadCheckpoint, PyDict, PyTuple, saveTorchZip, stateDictGlobals, unpickle } from '@difbfsr/models';
import { swapPickle } from './swap-pickle.js';

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
const bytes = (...parts: Array<number | string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? enc(p) : p)));
const binunicode = (s: string): number[] => {
  const e = enc(s);
  return [0x58, e.length & 255, (e.length >> 8) & 255, 0, 0, ...e];
};
const shortUni = (s: string): number[] => [0x8c, enc(s).length, ...enc(s)];

const run = (data: Uint8Array, persistentLoad?: (pid: unknown) => unknown): unknown =>
  unpickle(data, { globals: stateDictGlobals('test'), persistentLoad, label: 'test' });

function refused(data: Uint8Array, global: string): void {
  let err: unknown;
  try {
    run(data, () => {
      throw new Error('persistent_load must not be reached');
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DifbfsrError);
  expect((err as DifbfsrError).code).toBe('CHECKPOINT_DISALLOWED');
  expect((err as Error).message).toContain(`"${global}"`);
}

const marker = join(tmpdir(), `difbfsr-pwned-${process.pid}`);

describe('allow-list unpickler refuses code execution', () => {
  it('protocol 0 os.system via GLOBAL + REDUCE', () => {
    rmSync(marker, { force: true });
    refused(bytes(`cos\nsystem\n(S'touch ${marker}'\ntR.`), 'os.system');
    expect(existsSync(marker)).toBe(false);
  });

  it('posix.system, nt.system, subprocess.Popen, builtins.eval/exec/getattr/__import__', () => {
    for (const [m, n] of [
      ['posix', 'system'],
      ['nt', 'system'],
      ['subprocess', 'Popen'],
      ['builtins', 'eval'],
      ['builtins', 'exec'],
      ['builtins', 'getattr'],
      ['builtins', '__import__'],
      ['torch', 'load'],
      ['torch.storage', '_load_from_bytes'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['copyreg', '_reconstructor'],
      ['collections', 'OrderedDict.__class__'],
      ['torch._utils', '_rebuild_tensor_v2 '],
    ]) {
      refused(bytes(0x80, 2, 'c', `${m}\n${n}\n`, binunicode('print(1)'), 0x85, 0x52, '.'), `${m}.${n}`);
    }
  });

  it('python-2 names are mapped before the check (__builtin__.eval → builtins.eval)', () => {
    refused(bytes(0x80, 2, `c__builtin__\neval\n`, binunicode('1'), 0x85, 0x52, '.'), 'builtins.eval');
  });

  it('STACK_GLOBAL (protocol 4) and INST / OBJ', () => {
    refused(bytes(0x80, 4, shortUni('builtins'), shortUni('exec'), 0x93, shortUni('x=1'), 0x85, 0x52, '.'), 'builtins.exec');
    refused(bytes(`(S'ls'\nios\nsystem\n.`), 'os.system');
    refused(bytes(0x80, 2, '(', 'cos\nsystem\n', binunicode('ls'), 'o.'), 'os.system');
  });

  it('a __reduce__ payload hidden inside an otherwise valid state dict, in a .pt archive', async () => {
    // {'w': <tensor>, 'evil': os.system('...')}
    const good = saveTorchZip({ w: { shape: [1], data: Float32Array.from([1]) } });
    const pkl = bytes(0x80, 2, 0x7d, '(', binunicode('evil'), 'cos\nsystem\n', binunicode(`touch ${marker}`), 0x85, 0x52, 'u.');
    const zip = swapPickle(good, pkl);
    rmSync(marker, { force: true });
    await expect(loadCheckpoint(zip)).rejects.toMatchObject({ code: 'CHECKPOINT_DISALLOWED', message: expect.stringContaining('"os.system"') });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses calling a mere marker, extension codes, and BUILD on foreign objects', () => {
    expect(() => run(bytes(0x80, 2, 'ctorch\nFloatStorage\n', ')', 0x52, '.'))).toThrow(/refusing to call "torch\.FloatStorage"/);
    const e = (() => {
      try {
        run(bytes(0x80, 2, 0x82, 7, '.'));
      } catch (x) {
        return x as DifbfsrError;
      }
    })();
    expect(e?.code).toBe('CHECKPOINT_DISALLOWED');
    expect(() => run(bytes(0x80, 2, ']', '}', 'b.'))).toThrow(DifbfsrError);
  });

  it('builds the plain data a state dict needs', () => {
    const v = run(
      bytes(
        0x80, 2, '}', 'q', 0, '(',
        binunicode('a'), 'K', 5,
        binunicode('b'), 'J', 0xff, 0xff, 0xff, 0xff,
        binunicode('c'), 'G', 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18,
        binunicode('d'), ']', '(', 'K', 1, 'K', 2, 'e',
        binunicode('e'), 'N', 0x88, 0x86,
        binunicode('f'), 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2^64
        binunicode('self'), 'h', 0,
        'u.',
      ),
    ) as PyDict;
    expect(v).toBeInstanceOf(PyDict);
    expect(v.map.get('a')).toBe(5);
    expect(v.map.get('b')).toBe(-1);
    expect(v.map.get('c')).toBeCloseTo(Math.PI, 12);
    expect(v.map.get('d')).toEqual([1, 2]);
    expect(v.map.get('e')).toBeInstanceOf(PyTuple);
    expect((v.map.get('e') as PyTuple).items).toEqual([null, true]);
    expect(v.map.get('f')).toBe(2n ** 64n);
    expect(v.map.get('self')).toBe(v);
  });

  it("torch's real layout: OrderedDict root with items, then BUILD of {'_metadata': ...}", async () => {
    const good = saveTorchZip({ w: { shape: [1], data: Float32Array.from([2.5]) } });
    const od = 'ccollections\nOrderedDict\n';
    const pkl = bytes(
      0x80, 2, od, ')', 'R', 'q', 0,
      '(', binunicode('w'), 'ctorch._utils\n_rebuild_tensor_v2\n',
      '(', '(', binunicode('storage'), 'ctorch\nFloatStorage\n', binunicode('0'), binunicode('cpu'), 'K', 1, 't', 'Q',
      'K', 0, 'K', 1, 0x85, 'K', 1, 0x85, 0x89, od, ')', 'R', 't', 'R',
      'u',
      '}', '(', binunicode('_metadata'), od, ')', 'R', '(', binunicode(''), '}', '(', binunicode('version'), 'K', 1, 'u', 'u', 'u',
      'b', '.',
    );
    const sd = await loadCheckpoint(swapPickle(good, pkl));
    expect(sd.names()).toEqual(['w']);
    expect([...sd.get('w').toFloat32()]).toEqual([2.5]);
  });

  it('a self-containing or non-dict root is a format error, not a hang', async () => {
    const good = saveTorchZip({ w: { shape: [1], data: Float32Array.from([1]) } });
    // d = {}; d['x'] = d  (no tensors anywhere)
    await expect(loadCheckpoint(swapPickle(good, bytes(0x80, 2, '}', 'q', 0, binunicode('x'), 'h', 0, 's.')))).rejects.toMatchObject({
      code: 'CHECKPOINT_FORMAT',
    });
    await expect(loadCheckpoint(swapPickle(good, bytes(0x80, 2, ']', '.')))).rejects.toMatchObject({ code: 'CHECKPOINT_FORMAT' });
  });
});
