import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AbortError, DifbfsrError } from '@difbfsr/core';
import { degrade } from '../degradation/degrade.js';
import { trueDegradation } from '../degradation/true-degradation.js';
import { encodePng, readRgb } from '../image-file.js';
import { psnr } from '../metrics/psnr.js';
import { ssim } from '../metrics/ssim.js';
import { benchPaths } from './bench-paths.js';
import { isClosedForm, type Method } from './methods.js';
import { peakRssMiB } from './peak-rss.js';
import { cleanFace, perceptualScores, type CleanFace, type FaceScorers } from './perceptual-scores.js';
import { recordKey, type QualityRecord } from './quality-record.js';
import type { RestoreOverrides } from './restore-overrides.js';
import { appendRecord, readRecords } from './results-file.js';
import { runMethod } from './run-method.js';
import { settingsHash } from './settings-hash.js';
import { inShard, type Shard } from './shard.js';

/** Version of the protocol and metrics code, part of every settings hash. */
export const QUALITY_PROTOCOL = 'evaluation.md eq. 11 + basicsr PSNR/SSIM + face-api identity, v1';

/** What one quality bench process runs. */
export interface QualityBenchConfig {
  /** Folder of clean aligned HR faces (the prior's resolution). */
  readonly hrDir: string;
  /** File names in `hrDir`, in order. */
  readonly faces: readonly string[];
  readonly cases: readonly number[];
  readonly methods: readonly Method[];
  readonly tag: string;
  readonly overrides: RestoreOverrides;
  readonly outDir: string;
  /** This process's part of the (face, case) items. Default: all. */
  readonly shard?: Shard;
  readonly scale?: number;
  /** Stops after the item in progress (a restore in progress is cancelled and not recorded). */
  readonly signal?: AbortSignal;
  /** Called after each item, finished or skipped. */
  readonly onItem?: (event: { done: number; total: number; record?: QualityRecord; skipped: boolean }) => void;
}

/** The settings a method's results are keyed by. */
export function methodSettings(method: Method, o: RestoreOverrides, scale: number): Record<string, unknown> {
  if (method === 'bicubic') return { protocol: QUALITY_PROTOCOL, scale, method, lrSigma: o.lrSigma };
  return { protocol: QUALITY_PROTOCOL, scale, method, ...(isClosedForm(method) ? {} : o) };
}

function writeFile(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/**
 * Run the bench's items (each face x case x method of this shard) that the results file does not
 * hold yet, appending one record per finished item. Safe to run in several processes on one
 * output folder (disjoint shards, or even the same items: the report keeps each key once).
 */
export async function runQualityBench(config: QualityBenchConfig, scorers: FaceScorers): Promise<{ ran: number; skipped: number }> {
  const scale = config.scale ?? 4;
  const shard = config.shard ?? { index: 0, count: 1 };
  const resultsPath = benchPaths.results(config.outDir);
  const done = new Set(readRecords(resultsPath).records.map((r) => r.key));
  const hashes = new Map(config.methods.map((m) => [m, settingsHash(methodSettings(m, config.overrides, scale))]));
  const pairs = inShard(config.faces.flatMap((face) => config.cases.map((c) => [face, c] as const)), shard);
  const total = pairs.length * config.methods.length;
  let finished = 0;
  let ran = 0;
  let skipped = 0;
  let face: CleanFace | undefined;
  for (const [name, caseIndex] of pairs) {
    const pending = config.methods.filter((m) => !done.has(recordKey(name, caseIndex, m, config.tag, hashes.get(m)!)));
    skipped += config.methods.length - pending.length;
    finished += config.methods.length - pending.length;
    if (pending.length === 0) {
      config.onItem?.({ done: finished, total, skipped: true });
      continue;
    }
    if (face?.name !== name) face = await cleanFace(name, await readRgb(join(config.hrDir, name)), scorers);
    const { lr, protocol } = await degrade(face.hr, caseIndex, name, scale);
    const truth = trueDegradation(face.hr, lr, protocol, scale);
    writeFile(benchPaths.lr(config.outDir, name, caseIndex), await encodePng(lr));
    for (const method of pending) {
      if (config.signal?.aborted) throw new AbortError(config.signal.reason);
      const run = await runMethod(method, lr, config.overrides, { signal: config.signal }, scale, truth);
      if (run.output.width !== face.hr.width || run.output.height !== face.hr.height) {
        throw new DifbfsrError('INVALID_SIZE', `${name}: ${method} gave ${run.output.width}x${run.output.height}, the HR face is ${face.hr.width}x${face.hr.height}`);
      }
      const hash = hashes.get(method)!;
      const p = psnr(run.output, face.hr);
      const record: QualityRecord = {
        key: recordKey(name, caseIndex, method, config.tag, hash),
        face: name,
        case: caseIndex,
        method,
        tag: config.tag,
        settingsHash: hash,
        settings: methodSettings(method, config.overrides, scale),
        psnr: Number.isFinite(p) ? p : null,
        ssim: ssim(run.output, face.hr),
        ...(await perceptualScores(run.output, face, scorers)),
        lrRmse: run.lrRmse,
        baselineLrRmse: run.baselineLrRmse,
        ...(run.retries === undefined ? {} : { retries: run.retries }),
        collapsed: run.collapsed,
        timeMs: run.timeMs,
        prior: run.prior,
        optimizer: run.optimizer,
        backend: run.backend,
        steps: run.steps,
        startTimestep: run.startTimestep,
        peakRssMiB: peakRssMiB(),
        finishedAt: new Date().toISOString(),
        shard: `${shard.index}/${shard.count}`,
      };
      writeFile(benchPaths.output(config.outDir, config.tag, method, hash, name, caseIndex), await encodePng(run.output));
      appendRecord(resultsPath, record);
      done.add(record.key);
      ran++;
      finished++;
      config.onItem?.({ done: finished, total, record, skipped: false });
    }
  }
  return { ran, skipped };
}
