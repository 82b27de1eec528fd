import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { QualityRecord } from './quality-record.js';

/**
 * Append one record as one JSON line, with a single `write` on a file opened for appending, so
 * several processes can add to the same file: each line lands whole.
 */
export function appendRecord(path: string, record: QualityRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/**
 * The records of a results file, first occurrence of each key kept; lines that do not parse (a
 * line cut short by a killed process) are skipped and counted.
 */
export function readRecords(path: string): { records: QualityRecord[]; skippedLines: number } {
  if (!existsSync(path)) return { records: [], skippedLines: 0 };
  const seen = new Set<string>();
  const records: QualityRecord[] = [];
  let skippedLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let r: QualityRecord;
    try {
      r = JSON.parse(line) as QualityRecord;
    } catch {
      skippedLines++;
      continue;
    }
    if (typeof r.key !== 'string') {
      skippedLines++;
      continue;
    }
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    records.push(r);
  }
  return { records, skippedLines };
}
