import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendRecord,
  composeGrid,
  inShard,
  parseMethods,
  parseShard,
  pickFaceSubset,
  readFaceList,
  readRecords,
  recordKey,
  restoreOptionsOf,
  effectiveSettings,
  setFrechetDistance,
  settingsHash,
  spreadPick,
  stableJson,
  summarise,
  upscaleNearest,
  type QualityRecord,
} from '@difbfsr/eval';
import { RESTORE_DEFAULTS } from '@difbfsr/core';
import { errorOf } from '../../../test-utils/plain-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(face: string, c: number, method: string, psnr: number, extra: Partial<QualityRecord> = {}): QualityRecord {
  const tag = extra.tag ?? 't';
  const hash = extra.settingsHash ?? `h-${method}`;
  return {
    key: recordKey(face, c, method, tag, hash),
    face,
    case: c,
    method,
    tag,
    settingsHash: hash,
    settings: {},
    psnr,
    ssim: psnr / 100,
    identity: 0.5,
    lrRmse: 0.1,
    baselineLrRmse: 0.1,
    collapsed: false,
    timeMs: 1000,
    prior: 'p',
    optimizer: 'tfjs',
    backend: 'wasm',
    steps: 100,
    startTimestep: 400,
    peakRssMiB: 100,
    finishedAt: '',
    shard: '0/1',
    ...extra,
  };
}

describe('face lists', () => {
  it('spread picks evenly and subsets split by source without excluded names', () => {
    expect(spreadPick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2)).toEqual([2, 7]);
    expect(spreadPick(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
    const names = [...Array.from({ length: 10 }, (_, i) => `utk_${i}.png`), ...Array.from({ length: 6 }, (_, i) => `celeba_${i}.png`)];
    expect(pickFaceSubset(names, 4, new Set(['utk_2.png']))).toEqual(['celeba_1.png', 'celeba_4.png', 'utk_3.png', 'utk_7.png']);
    expect(errorOf(() => pickFaceSubset(names, 3, new Set())).code).toBe('INVALID_OPTION');
  });

  it('reads names, skipping comments, and refuses paths', () => {
    const p = join(dir, 'list.txt');
    writeFileSync(p, '# a comment\nceleba_0001.png\n\n utk_0002.png  # trailing\n');
    expect(readFaceList(p)).toEqual(['celeba_0001.png', 'utk_0002.png']);
    writeFileSync(p, '../x/celeba_0001.png\n');
    expect(errorOf(() => readFaceList(p)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => readFaceList(join(dir, 'missing.txt'))).code).toBe('IO');
  });
});

describe('options', () => {
  it('parse shards and methods, naming bad values', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(inShard(['a', 'b', 'c', 'd', 'e'], parseShard('1/2'))).toEqual(['b', 'd']);
    for (const bad of ['3/3', '1', '-1/2', 'a/b']) expect(errorOf(() => parseShard(bad)).code).toBe('INVALID_OPTION');
    expect(parseMethods('bicubic, #4,ddnm,#4')).toEqual(['bicubic', '#4', 'ddnm']);
    expect(errorOf(() => parseMethods('#5')).message).toContain('#5');
  });

  it('give the ablations the true degradation only with the oracle override, and pass lrSigmaPerNoise through', () => {
    const truth = { blur: 2.4, noise: 17.5 };
    const base = { seed: 0, backend: 'tfjs' as const, lrSigmaPerNoise: 0.02 };
    expect(restoreOptionsOf('#4', base, truth)).toEqual({ seed: 0, backend: 'tfjs', lrSigmaPerNoise: 0.02, ablation: '#4' });
    expect(restoreOptionsOf('#2', { ...base, degradation: 'oracle' }, truth)).toEqual({ seed: 0, backend: 'tfjs', lrSigmaPerNoise: 0.02, ablation: '#2', degradation: truth });
    expect(errorOf(() => restoreOptionsOf('#4', { ...base, degradation: 'oracle' })).code).toBe('INVALID_OPTION');
    // 'area' is the runner's business (it registers no estimator): restore() gets no degradation.
    expect(restoreOptionsOf('#4', { ...base, degradation: 'area' }, truth)).toEqual({ seed: 0, backend: 'tfjs', lrSigmaPerNoise: 0.02, ablation: '#4' });
  });

  it('log the settings a run uses: the overrides over RESTORE_DEFAULTS', () => {
    const settings = effectiveSettings({ seed: 2, backend: 'tfjs', steps: 30, strength: undefined });
    expect(settings).toMatchObject({ seed: 2, backend: 'tfjs', steps: 30, strength: RESTORE_DEFAULTS.strength, warmupIters: RESTORE_DEFAULTS.warmupIters });
    expect(settings).not.toHaveProperty('method'); // the method list sets it per restore
  });

  it('hash settings independently of key order and undefined fields', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(settingsHash({ a: 1, b: 2 })).toBe(settingsHash({ b: 2, a: 1, c: undefined }));
    expect(settingsHash({ a: 1 })).not.toBe(settingsHash({ a: 2 }));
    expect(settingsHash({ a: 1 })).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('results file', () => {
  it('appends whole lines, keeps the first record of a key and skips a torn line', () => {
    const p = join(dir, 'r', 'results.jsonl');
    appendRecord(p, record('f1', 0, 'bicubic', 20));
    appendRecord(p, record('f1', 0, '#4', 21));
    appendRecord(p, record('f1', 0, '#4', 99)); // same key again (two processes on one item)
    appendFileSync(p, '{"key":"f2|0|#4|t|h-#4","psnr":2'); // a process killed mid-line
    const { records, skippedLines } = readRecords(p);
    expect(records.map((r) => [r.method, r.psnr])).toEqual([['bicubic', 20], ['#4', 21]]);
    expect(skippedLines).toBe(1);
    expect(readRecords(join(dir, 'none.jsonl'))).toEqual({ records: [], skippedLines: 0 });
  });
});

describe('summary', () => {
  const records = [
    record('f1', 0, 'bicubic', 20),
    record('f1', 0, '#4', 22),
    record('f2', 0, 'bicubic', 24),
    record('f2', 0, '#4', 22.5, { collapsed: true }),
    record('f1', 3, 'bicubic', 26),
    record('f1', 3, '#4', 24.9, { retries: 1 }), // a collapsed chain rerun with success
    record('f2', 3, 'bicubic', 30), // #4 not finished: left out of the means
    record('f1', 0, 'bicubic', 10, { tag: 'other' }),
  ];
  const report = summarise(records);

  it('averages each method over the items every method finished, overall and per case', () => {
    expect(report.records).toBe(8);
    const t = report.tags.find((s) => s.tag === 't')!;
    expect(t.labels).toEqual(['bicubic', '#4']);
    expect(t.completeItems).toBe(3);
    expect(t.incompleteItems).toBe(1);
    expect(t.overall.map((m) => [m.label, m.n, m.psnr, m.collapses, m.reruns])).toEqual([
      ['bicubic', 3, (20 + 24 + 26) / 3, 0, 0],
      ['#4', 3, (22 + 22.5 + 24.9) / 3, 1, 1],
    ]);
    expect(t.perCase.map((p) => [p.case, p.methods.map((m) => m.psnr)])).toEqual([
      [0, [22, 22.25]],
      [3, [26, 24.9]],
    ]);
  });

  it('lists collapses and images more than 1 dB below bicubic', () => {
    const t = report.tags.find((s) => s.tag === 't')!;
    expect(t.failures).toEqual([
      { face: 'f1', case: 3, label: '#4', kind: 'below-bicubic', psnr: 24.9, bicubicPsnr: 26 },
      { face: 'f2', case: 0, label: '#4', kind: 'collapsed', psnr: 22.5, bicubicPsnr: 24 },
    ]);
  });

  it('summarises the perceptual metrics, and leaves them null where a record predates them', () => {
    expect(report.tags[0].overall[0]).toMatchObject({ notSamePerson: null, descriptorFrechet: null, landmarkNme: null, niqe: null });
    const d = (k: number) => [k, k * k % 7, 1 - k];
    const scored = (face: string, c: number, k: number, distance: number, niqe: number | null) =>
      record(face, c, '#4', 20, { identityDistance: distance, descriptor: d(k), cleanDescriptor: d(face.length), landmarkNme: k / 10, faceFeatureDistance: 1, niqe });
    const items = [scored('a', 0, 1, 0.2, 4), scored('bb', 0, 2, 0.7, 5), scored('a', 3, 3, 0.6, 6), scored('bb', 3, 5, 0.1, 7)];
    const m = summarise(items).tags[0].overall[0];
    expect(m.notSamePerson).toBe(0.5);
    expect(m.landmarkNme).toBeCloseTo((1 + 2 + 3 + 5) / 40, 12);
    expect(m.niqe).toBe(5.5);
    // The outputs' descriptors against each distinct clean face once.
    expect(m.descriptorFrechet).toBeCloseTo(setFrechetDistance([d(1), d(2), d(3), d(5)], [d(1), d(2)]), 10);
    expect(summarise([...items.slice(1), scored('a', 0, 1, 0.2, null)]).tags[0].overall[0].niqe).toBeNull();
    expect(summarise(items).tags[0].perCase[0].methods[0].descriptorFrechet).toBeNull(); // overall only
  });

  it('labels a method run with two settings under one tag by its settings hash', () => {
    const t = summarise([record('f', 0, '#4', 1, { settingsHash: 'a' }), record('f', 0, '#4', 2, { settingsHash: 'b' })]).tags[0];
    expect(t.labels).toEqual(['#4@a', '#4@b']);
  });

  it('labels them by the settings that tell them apart, when those do', () => {
    const t = summarise([
      record('f', 0, 'posterior', 1, { settingsHash: 'a', settings: { method: 'posterior', steps: 25, fidelity: 0 } }),
      record('f', 0, 'posterior', 2, { settingsHash: 'b', settings: { method: 'posterior', steps: 25, fidelity: 0.5 } }),
    ]).tags[0];
    expect(t.labels).toEqual(['posterior (fidelity=0)', 'posterior (fidelity=0.5)']);
  });
});

describe('image grid', () => {
  it('tiles images with white gaps, grey for a missing tile, and upscales nearest', () => {
    const px = (v: number) => ({ width: 1, height: 1, data: Uint8Array.from([v, v, v]) });
    const g = composeGrid([[px(10), px(20)], [undefined, px(30)]], 1);
    expect([g.width, g.height]).toEqual([3, 3]);
    const at = (x: number, y: number) => g.data[(y * 3 + x) * 3];
    expect([at(0, 0), at(1, 0), at(2, 0), at(0, 1), at(0, 2), at(2, 2)]).toEqual([10, 255, 20, 255, 128, 30]);
    const up = upscaleNearest({ width: 2, height: 1 * 2, data: Uint8Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]) }, 4);
    expect(Array.from(up.data.filter((_, i) => i % 3 === 0))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(errorOf(() => upscaleNearest(px(1), 3.5)).code).toBe('INVALID_SIZE');
  });
});
