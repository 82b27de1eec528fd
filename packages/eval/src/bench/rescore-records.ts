import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRgb } from '../image-file.js';
import { benchPaths } from './bench-paths.js';
import { cleanFace, perceptualScores, type CleanFace, type FaceScorers } from './perceptual-scores.js';
import type { QualityRecord } from './quality-record.js';
import { readRecords } from './results-file.js';

/**
 * Add the perceptual scores to the records of an output folder that lack them (made before the
 * metrics existed), from each record's saved output image and its clean face in `hrDir`, then
 * rewrite the results file through a temporary file renamed over it (each key once, unreadable
 * lines dropped). Not for a folder a bench process is still appending to.
 * @returns how many records were scored, and how many lack their output image or clean face (left as they are).
 */
export async function rescoreRecords(outDir: string, hrDir: string, scorers: FaceScorers, onRecord?: (r: QualityRecord) => void): Promise<{ rescored: number; missing: number }> {
  const path = benchPaths.results(outDir);
  const { records } = readRecords(path);
  let rescored = 0;
  let missing = 0;
  const clean = new Map<string, CleanFace>();
  const updated: QualityRecord[] = [];
  for (const r of records) {
    const output = benchPaths.output(outDir, r.tag, r.method, r.settingsHash, r.face, r.case);
    const hr = join(hrDir, r.face);
    if (r.descriptor !== undefined || !existsSync(output) || !existsSync(hr)) {
      if (r.descriptor === undefined) missing++;
      updated.push(r);
      continue;
    }
    if (!clean.has(r.face)) clean.set(r.face, await cleanFace(r.face, await readRgb(hr), scorers));
    const scored = { ...r, ...(await perceptualScores(await readRgb(output), clean.get(r.face)!, scorers)) };
    updated.push(scored);
    rescored++;
    onRecord?.(scored);
  }
  if (rescored > 0) {
    writeFileSync(`${path}.rescore`, updated.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(`${path}.rescore`, path);
  }
  return { rescored, missing };
}
